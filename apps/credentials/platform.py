"""Platform credentials: the operator's own provider keys, offered to every user under upstream's fixed ids.

A provider's key is set in the environment (`OPENAI_API_KEY`, ...; see the
README); while it is, every user's credential lists show it as "Use Credits for
<provider>", and a node that runs on it pays the block's credit cost (see
`apps/credits/costs.py`). Ollama needs no key, so its entry is always offered,
as upstream does. The ids are upstream's, so exported agents and clients that
name them keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from pydantic import SecretStr

from apps.credentials.types import AnyCredentials, APIKeyCredentials, UserPasswordCredentials

OLLAMA_PLACEHOLDER_KEY = "FAKE_API_KEY"


@dataclass(frozen=True)
class PlatformCredential:
    id: str
    provider: str
    title: str


PLATFORM_CREDENTIALS = (
    PlatformCredential("744fdc56-071a-4761-b5a5-0af0ce10a2b5", "ollama", "Use Credits for Ollama"),
    PlatformCredential("fdb7f412-f519-48d1-9b5f-d2f73d0e01fe", "revid", "Use Credits for Revid"),
    PlatformCredential("760f84fc-b270-42de-91f6-08efe1b512d0", "ideogram", "Use Credits for Ideogram"),
    PlatformCredential("6b9fc200-4726-4973-86c9-cd526f5ce5db", "replicate", "Use Credits for Replicate"),
    PlatformCredential("53c25cb8-e3ee-465c-a4d1-e75a4c899c2a", "openai", "Use Credits for OpenAI"),
    PlatformCredential("aad82a89-9794-4ebb-977f-d736aa5260a3", "aiml_api", "Use Credits for AI/ML API"),
    PlatformCredential("24e5d942-d9e3-4798-8151-90143ee55629", "anthropic", "Use Credits for Anthropic"),
    PlatformCredential("4ec22295-8f97-4dd1-b42b-2c6957a02545", "groq", "Use Credits for Groq"),
    PlatformCredential("7f7b0654-c36b-4565-8fa7-9a52575dfae2", "d_id", "Use Credits for D-ID"),
    PlatformCredential("7f26de70-ba0d-494e-ba76-238e65e7b45f", "jina", "Use Credits for Jina"),
    PlatformCredential("66f20754-1b81-48e4-91d0-f4f0dd82145f", "unreal_speech", "Use Credits for Unreal Speech"),
    PlatformCredential("b5a0e27d-0c98-4df3-a4b9-10193e1f3c40", "open_router", "Use Credits for Open Router"),
    PlatformCredential("d9fce73a-6c1d-4e8b-ba2e-12a456789def", "enrichlayer", "Use Credits for Enrichlayer"),
    PlatformCredential("6c0f5bd0-9008-4638-9d79-4b40b631803e", "fal", "Use Credits for FAL"),
    PlatformCredential("96153e04-9c6c-4486-895f-5bb683b1ecec", "exa", "Use Credits for Exa search"),
    PlatformCredential("78d19fd7-4d59-4a16-8277-3ce310acf2b7", "e2b", "Use Credits for E2B"),
    PlatformCredential("ed55ac19-356e-4243-a6cb-bc599e9b716f", "mem0", "Use Credits for Mem0"),
    PlatformCredential("96b83908-2789-4dec-9968-18f0ece4ceb3", "nvidia", "Use Credits for Nvidia"),
    PlatformCredential("3b1bdd16-8818-4bc2-8cbb-b23f9a3439ed", "screenshotone", "Use Credits for ScreenshotOne"),
    PlatformCredential("544c62b5-1d0f-4156-8fb4-9525f11656eb", "apollo", "Use Credits for Apollo"),
    PlatformCredential("3bcdbda3-84a3-46af-8fdb-bfd2472298b8", "smartlead", "Use Credits for SmartLead"),
    PlatformCredential("63a6e279-2dc2-448e-bf57-85776f7176dc", "zerobounce", "Use Credits for ZeroBounce"),
    PlatformCredential("9aa1bde0-4947-4a70-a20c-84daa3850d52", "google_maps", "Use Credits for Google Maps"),
    PlatformCredential("d44045af-1c33-4833-9e19-752313214de2", "llama_api", "Use Credits for Llama API"),
    PlatformCredential("c4e6d1a0-3b5f-4789-a8e2-9b123456789f", "v0", "Use Credits for v0 by Vercel"),
    PlatformCredential("a5b3c7d9-2e4f-4a6b-8c1d-9e0f1a2b3c4d", "webshare_proxy", "Use Credits for Webshare Proxy"),
    PlatformCredential("8b3d4e5f-6a7b-8c9d-0e1f-2a3b4c5d6e7f", "openweathermap", "Use Credits for OpenWeatherMap"),
    PlatformCredential("f4a8b6c2-3d1e-4f5a-9b8c-7d6e5f4a3b2c", "elevenlabs", "Use Credits for ElevenLabs"),
)
PLATFORM_CREDENTIAL_IDS = frozenset(entry.id for entry in PLATFORM_CREDENTIALS)


def _configured(entry: PlatformCredential) -> AnyCredentials | None:
    if entry.provider == "webshare_proxy":
        username, password = settings.WEBSHARE_PROXY_USERNAME, settings.WEBSHARE_PROXY_PASSWORD
        if not (username and password):
            return None
        return UserPasswordCredentials(
            id=entry.id,
            provider=entry.provider,
            title=entry.title,
            username=SecretStr(username),
            password=SecretStr(password),
        )
    key = OLLAMA_PLACEHOLDER_KEY if entry.provider == "ollama" else settings.PLATFORM_API_KEYS.get(entry.provider)
    if not key:
        return None
    return APIKeyCredentials(id=entry.id, provider=entry.provider, title=entry.title, api_key=SecretStr(key))


def platform_credentials() -> list[AnyCredentials]:
    """The platform credentials this deployment offers, in upstream's order."""
    return [credentials for entry in PLATFORM_CREDENTIALS if (credentials := _configured(entry)) is not None]


def platform_credential(credentials_id: str) -> AnyCredentials | None:
    """The platform credentials with this id, if this deployment offers them."""
    if credentials_id not in PLATFORM_CREDENTIAL_IDS:
        return None
    entry = next(entry for entry in PLATFORM_CREDENTIALS if entry.id == credentials_id)
    return _configured(entry)


def is_platform_credentials_id(credentials_id: object) -> bool:
    return credentials_id in PLATFORM_CREDENTIAL_IDS
