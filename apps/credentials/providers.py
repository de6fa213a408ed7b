"""Provider names, as upstream's `ProviderName`.

Blocks name their providers with these members (`Literal[ProviderName.OPENAI]`), so a
typo fails at import rather than at run time. A provider that is not listed is still
a provider: credentials for any well-formed name can be stored, and a block may name
one with a plain string literal.
"""

from __future__ import annotations

import enum
import re

# What a provider name may look like in a path or a credential: bounded, no separators.
PROVIDER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class ProviderName(enum.StrEnum):
    AIML_API = "aiml_api"
    AIRTABLE = "airtable"
    ANTHROPIC = "anthropic"
    APOLLO = "apollo"
    COMPASS = "compass"
    DATAFORSEO = "dataforseo"
    DISCORD = "discord"
    D_ID = "d_id"
    E2B = "e2b"
    ELEVENLABS = "elevenlabs"
    ENRICHLAYER = "enrichlayer"
    FAL = "fal"
    FIRECRAWL = "firecrawl"
    GITHUB = "github"
    GOOGLE = "google"
    GOOGLE_MAPS = "google_maps"
    GROQ = "groq"
    HTTP = "http"
    HUBSPOT = "hubspot"
    IDEOGRAM = "ideogram"
    JINA = "jina"
    LLAMA_API = "llama_api"
    MEDIUM = "medium"
    MEM0 = "mem0"
    NOTION = "notion"
    NVIDIA = "nvidia"
    OLLAMA = "ollama"
    OPENAI = "openai"
    OPENWEATHERMAP = "openweathermap"
    OPEN_ROUTER = "open_router"
    PINECONE = "pinecone"
    REDDIT = "reddit"
    REPLICATE = "replicate"
    REVID = "revid"
    SCREENSHOTONE = "screenshotone"
    SLANT3D = "slant3d"
    SMARTLEAD = "smartlead"
    SMTP = "smtp"
    TELEGRAM = "telegram"
    TODOIST = "todoist"
    TWITTER = "twitter"
    UNREAL_SPEECH = "unreal_speech"
    V0 = "v0"
    WEBSHARE_PROXY = "webshare_proxy"
    WORDPRESS = "wordpress"
    ZEROBOUNCE = "zerobounce"


def provider_value(provider: str | ProviderName) -> str:
    """The plain string of a provider, whether given as a member or as text."""
    return provider.value if isinstance(provider, ProviderName) else str(provider)


def is_valid_provider_name(name: str) -> bool:
    return bool(PROVIDER_NAME_PATTERN.match(name))
