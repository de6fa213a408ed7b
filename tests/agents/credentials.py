"""Creating, through the API, the credentials an exported agent asks for: one per credentials input.

API keys and passwords are the ones the stand-ins accept (`tests/fakes/`); OAuth2 accounts
are signed in through the provider's stand-in as a user would (login, consent, callback).
`SECRETS` lets a test check that what reached a stand-in is what the user stored.
"""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.credentials.conftest import sign_in
from tests.fakes import airtable, dataforseo, e2b, firecrawl, google_maps, ideogram, jina, replicate, revid, youtube

# Language-model stand-ins accept any non-empty key: these are the user's own.
LLM_KEYS = {
    "openai": "sk-openai-users-own-key",
    "anthropic": "sk-ant-users-own-key",
    "open_router": "sk-or-users-own-key",
}
API_KEYS = {
    **LLM_KEYS,
    "jina": jina.API_KEY,
    "google_maps": google_maps.API_KEY,
    "ideogram": ideogram.API_KEY,
    "replicate": replicate.API_TOKEN,
    "revid": revid.API_KEY,
    "e2b": e2b.API_KEY,
    "firecrawl": firecrawl.API_KEY,
    "airtable": airtable.API_KEY,
}
PASSWORDS = {
    "webshare_proxy": (youtube.USERNAME, youtube.PASSWORD),
    "dataforseo": (dataforseo.USERNAME, dataforseo.PASSWORD),
}


def create_credentials(client: APIClient, provider: str, kind: str, scopes: list[str]) -> dict[str, Any]:
    """Stores credentials of `kind` for `provider` and answers their meta (id, provider, type)."""
    if kind == "oauth2":
        response = sign_in(client, provider, ",".join(scopes))
        assert response.status_code == 200, response.json()
        return response.json()
    if kind == "api_key":
        body: dict[str, Any] = {"type": "api_key", "api_key": API_KEYS[provider], "title": f"My {provider} key"}
    elif kind == "user_password":
        username, password = PASSWORDS[provider]
        body = {"type": "user_password", "username": username, "password": password, "title": f"My {provider} login"}
    else:
        raise AssertionError(f"no way to create {kind} credentials for {provider} in these tests")
    response = client.post(f"/api/integrations/{provider}/credentials", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def credentials_inputs_for(client: APIClient, credentials_input_schema: dict[str, Any]) -> dict[str, Any]:
    """One reference per credentials input of the graph, each to credentials created just now."""
    references: dict[str, Any] = {}
    for name, schema in credentials_input_schema.get("properties", {}).items():
        (provider,) = schema["credentials_provider"]
        kind = schema["credentials_types"][0]
        meta = create_credentials(client, provider, kind, schema.get("credentials_scopes") or [])
        references[name] = {"id": meta["id"], "provider": provider, "type": kind}
    return references
