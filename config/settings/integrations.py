"""Settings of the credentials store's OAuth2 apps, the platform's keys and every provider's endpoint."""

from __future__ import annotations

from config.env import env

# OAuth2 apps, one per provider with a handler in apps/credentials/oauth/. A provider
# without a client id and secret answers 501 on login. `base_url` serves all of the
# provider's OAuth endpoints from one base at their usual paths (self-hosted or test servers).
OAUTH_PROVIDERS = {
    "google": {
        "client_id": env.str("GOOGLE_CLIENT_ID", default=""),
        "client_secret": env.str("GOOGLE_CLIENT_SECRET", default=""),
        "base_url": env.str("GOOGLE_OAUTH_BASE_URL", default=""),
    },
    "github": {
        "client_id": env.str("GITHUB_CLIENT_ID", default=""),
        "client_secret": env.str("GITHUB_CLIENT_SECRET", default=""),
        "base_url": env.str("GITHUB_OAUTH_BASE_URL", default=""),
    },
    "wordpress": {
        "client_id": env.str("WORDPRESS_CLIENT_ID", default=""),
        "client_secret": env.str("WORDPRESS_CLIENT_SECRET", default=""),
        "base_url": env.str("WORDPRESS_OAUTH_BASE_URL", default=""),
    },
    "airtable": {
        "client_id": env.str("AIRTABLE_CLIENT_ID", default=""),
        "client_secret": env.str("AIRTABLE_CLIENT_SECRET", default=""),
        "base_url": env.str("AIRTABLE_OAUTH_BASE_URL", default=""),
    },
}
OAUTH_HTTP_TIMEOUT_SECONDS = 20.0
# Platform credentials: the operator's keys, offered to every user under upstream's fixed ids
# (apps/credentials/platform.py); nodes run on them pay the block's credit cost.
PLATFORM_API_KEYS = {
    "aiml_api": env.str("AIML_API_KEY", default=""),
    "anthropic": env.str("ANTHROPIC_API_KEY", default=""),
    "apollo": env.str("APOLLO_API_KEY", default=""),
    "d_id": env.str("DID_API_KEY", default=""),
    "e2b": env.str("E2B_API_KEY", default=""),
    "elevenlabs": env.str("ELEVENLABS_API_KEY", default=""),
    "enrichlayer": env.str("ENRICHLAYER_API_KEY", default=""),
    "exa": env.str("EXA_API_KEY", default=""),
    "fal": env.str("FAL_API_KEY", default=""),
    "google_maps": env.str("GOOGLE_MAPS_API_KEY", default=""),
    "groq": env.str("GROQ_API_KEY", default=""),
    "ideogram": env.str("IDEOGRAM_API_KEY", default=""),
    "jina": env.str("JINA_API_KEY", default=""),
    "llama_api": env.str("LLAMA_API_KEY", default=""),
    "mem0": env.str("MEM0_API_KEY", default=""),
    "nvidia": env.str("NVIDIA_API_KEY", default=""),
    "open_router": env.str("OPEN_ROUTER_API_KEY", default=""),
    "openai": env.str("OPENAI_API_KEY", default=""),
    "openweathermap": env.str("OPENWEATHERMAP_API_KEY", default=""),
    "replicate": env.str("REPLICATE_API_KEY", default=""),
    "revid": env.str("REVID_API_KEY", default=""),
    "screenshotone": env.str("SCREENSHOTONE_API_KEY", default=""),
    "smartlead": env.str("SMARTLEAD_API_KEY", default=""),
    "unreal_speech": env.str("UNREAL_SPEECH_API_KEY", default=""),
    "v0": env.str("V0_API_KEY", default=""),
    "zerobounce": env.str("ZEROBOUNCE_API_KEY", default=""),
}
# Language-model endpoints. OpenAI and the OpenAI-compatible providers go through the openai SDK,
# Anthropic through its own; a self-hosted or test server takes the provider's place here.
LLM_BASE_URLS = {
    "openai": env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1"),
    "anthropic": env.str("ANTHROPIC_BASE_URL", default="https://api.anthropic.com"),
    "groq": env.str("GROQ_BASE_URL", default="https://api.groq.com/openai/v1"),
    "open_router": env.str("OPEN_ROUTER_BASE_URL", default="https://openrouter.ai/api/v1"),
    "llama_api": env.str("LLAMA_API_BASE_URL", default="https://api.llama.com/compat/v1/"),
    "aiml_api": env.str("AIML_API_BASE_URL", default="https://api.aimlapi.com/v2"),
    "v0": env.str("V0_BASE_URL", default="https://api.v0.dev/v1"),
}
# The operator's Ollama server: trusted. Any other `ollama_host` a node names passes the SSRF guard.
OLLAMA_HOST = env.str("OLLAMA_HOST", default="localhost:11434")
# Seconds one model call may take before it counts as a transient failure.
LLM_REQUEST_TIMEOUT_SECONDS = 120.0
WEBSHARE_PROXY_USERNAME = env.str("WEBSHARE_PROXY_USERNAME", default="")
WEBSHARE_PROXY_PASSWORD = env.str("WEBSHARE_PROXY_PASSWORD", default="")
# Where integration blocks reach their providers: the public APIs unless pointed elsewhere
# (a regional endpoint, a test server). Each block names the one it uses.
PROVIDER_BASE_URLS = {
    "jina_search": env.str("JINA_SEARCH_BASE_URL", default="https://s.jina.ai"),
    "jina_reader": env.str("JINA_READER_BASE_URL", default="https://r.jina.ai"),
    "google_maps": env.str("GOOGLE_MAPS_BASE_URL", default="https://maps.googleapis.com"),
    "youtube": env.str("YOUTUBE_BASE_URL", default="https://www.youtube.com"),
    "gmail": env.str("GMAIL_API_BASE_URL", default="https://gmail.googleapis.com"),
    "google_calendar": env.str("GOOGLE_CALENDAR_API_BASE_URL", default="https://www.googleapis.com"),
    "replicate": env.str("REPLICATE_BASE_URL", default="https://api.replicate.com"),
    "ideogram": env.str("IDEOGRAM_BASE_URL", default="https://api.ideogram.ai"),
    "dataforseo": env.str("DATAFORSEO_BASE_URL", default="https://api.dataforseo.com"),
    "wordpress": env.str("WORDPRESS_API_BASE_URL", default="https://public-api.wordpress.com"),
    "firecrawl": env.str("FIRECRAWL_BASE_URL", default="https://api.firecrawl.dev"),
    "airtable": env.str("AIRTABLE_BASE_URL", default="https://api.airtable.com"),
    "revid": env.str("REVID_BASE_URL", default="https://www.revid.ai"),
    "e2b": env.str("E2B_API_URL", default="https://api.e2b.app"),
    # Empty: each sandbox at its own hosts (`https://<port>-<sandbox id>.<domain>`); else every
    # sandbox request goes to this one URL, routed by its E2b-Sandbox-Id/-Port headers.
    "e2b_sandbox": env.str("E2B_SANDBOX_URL", default=""),
    "github_api": env.str("GITHUB_API_BASE_URL", default="https://api.github.com"),
}
# Seconds between two looks at a Replicate prediction still running (the SDK's default).
REPLICATE_POLL_INTERVAL_SECONDS = 0.5
# The Webshare rotating proxy the YouTube transcript block goes through, with the user's credentials.
WEBSHARE_PROXY_URL = env.str("WEBSHARE_PROXY_URL", default="http://p.webshare.io:80")
# Seconds between two looks at a Firecrawl crawl or extract job that is still running.
FIRECRAWL_POLL_SECONDS = 2.0
# A revid.ai render is looked at this often (upstream's 10 s), for at most this long (upstream's 1000 s).
REVID_POLL_SECONDS = 10.0
REVID_WAIT_SECONDS = 1000.0
