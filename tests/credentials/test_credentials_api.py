"""The credentials routes under /api/integrations: shapes as upstream's, secrets masked, another user's a 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credentials.codec import to_runtime
from apps.credentials.models import Credential
from apps.credentials.platform import PLATFORM_CREDENTIAL_IDS
from apps.credentials.types import APIKeyCredentials, HostScopedCredentials, UserPasswordCredentials
from tests.graph_builders import graph, node
from tests.upstream_shapes import assert_upstream_shape

pytestmark = pytest.mark.django_db

MASK = "**********"
OPENAI_PLATFORM_ID = "53c25cb8-e3ee-465c-a4d1-e75a4c899c2a"
OLLAMA_PLATFORM_ID = "744fdc56-071a-4761-b5a5-0af0ce10a2b5"
AUTHENTICATED_WEB_REQUEST = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"


def create(client: APIClient, provider: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/integrations/{provider}/credentials", body, format="json")


def meta(id: str, provider: str, kind: str, title: str | None, host: str | None = None) -> dict[str, Any]:
    return {
        "id": id,
        "provider": provider,
        "type": kind,
        "title": title,
        "scopes": None,
        "username": None,
        "host": host,
    }


def api_key(client: APIClient, provider: str = "openai", key: str = "sk-test-123", **fields: Any) -> dict[str, Any]:
    response = create(client, provider, {"type": "api_key", "api_key": key, **fields})
    assert response.status_code == 201, response.json()
    return dict(response.json())


# --- create ----------------------------------------------------------------------------


def test_an_api_key_is_created_and_answered_masked_as_upstream_serialises_it(
    auth_client: APIClient, user: User
) -> None:
    response = create(
        auth_client,
        "openai",
        {"type": "api_key", "api_key": "sk-live-secret", "title": "Mine", "expires_at": 1900000000},
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "provider": "openai",
        "title": "Mine",
        "type": "api_key",
        "api_key": MASK,
        "expires_at": 1900000000,
    }
    assert_upstream_shape(body, "APIKeyCredentials")
    row = Credential.objects.get(pk=body["id"], user=user)
    assert "sk-live-secret" not in row.encrypted_secret
    assert to_runtime(row) == APIKeyCredentials(
        id=body["id"], provider="openai", title="Mine", api_key="sk-live-secret", expires_at=1900000000
    )


def test_a_username_and_password_are_both_kept_secret(auth_client: APIClient) -> None:
    response = create(
        auth_client, "webshare_proxy", {"type": "user_password", "username": "proxy-user", "password": "hunter2"}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["password"], body["title"]) == (MASK, MASK, None)
    assert_upstream_shape(body, "UserPasswordCredentials")
    runtime = to_runtime(Credential.objects.get(pk=body["id"]))
    assert isinstance(runtime, UserPasswordCredentials)
    assert runtime.auth_header() == "Basic cHJveHktdXNlcjpodW50ZXIy"


def test_host_scoped_headers_are_kept_secret_and_the_host_is_normalised(auth_client: APIClient) -> None:
    response = create(
        auth_client,
        "http",
        {"type": "host_scoped", "host": "https://API.Example.com:8443/v1", "headers": {"Authorization": "Bearer xyz"}},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["host"], body["headers"]) == ("api.example.com", {"Authorization": MASK})
    assert_upstream_shape(body, "HostScopedCredentials-Output")
    runtime = to_runtime(Credential.objects.get(pk=body["id"]))
    assert isinstance(runtime, HostScopedCredentials)
    assert runtime.get_headers_dict() == {"Authorization": "Bearer xyz"}


def test_the_provider_comes_from_the_path_and_the_id_from_the_server(auth_client: APIClient) -> None:
    chosen = str(uuid.uuid4())
    response = create(auth_client, "anthropic", {"type": "api_key", "api_key": "x", "provider": "openai", "id": chosen})

    body = response.json()
    assert body["provider"] == "anthropic"
    assert body["id"] != chosen


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"api_key": "x"}, ["body", "type"]),
        ({"type": "bearer", "api_key": "x"}, ["body", "type"]),
        ({"type": "oauth2", "access_token": "x", "scopes": []}, ["body", "type"]),
        ({"type": "api_key"}, ["body", "api_key"]),
        ({"type": "api_key", "api_key": "x" * 9000}, ["body", "api_key"]),
        ({"type": "api_key", "api_key": "x", "expires_at": -1}, ["body", "expires_at"]),
        ({"type": "user_password", "username": "u"}, ["body", "password"]),
        ({"type": "host_scoped", "headers": {}}, ["body", "host"]),
        ({"type": "host_scoped", "host": "not a host"}, ["body", "host"]),
        ({"type": "host_scoped", "host": "a.example", "headers": {"Bad Name": "x"}}, ["body", "headers"]),
        ({"type": "host_scoped", "host": "a.example", "headers": {"X": "a\r\nInjected: 1"}}, ["body", "headers"]),
        (
            {"type": "host_scoped", "host": "a.example", "headers": {f"H{i}": "v" for i in range(51)}},
            ["body", "headers"],
        ),
        (["type", "api_key"], ["body"]),
    ],
)
def test_a_malformed_credential_is_a_422_naming_the_field(auth_client: APIClient, body: Any, loc: list[str]) -> None:
    response = create(auth_client, "openai", body)

    assert response.status_code == 422, response.json()
    assert loc in [item["loc"] for item in response.json()["detail"]]
    assert not Credential.objects.exists()


def test_oauth2_credentials_come_only_from_signing_in(auth_client: APIClient) -> None:
    response = create(auth_client, "google", {"type": "oauth2", "access_token": "ya29", "scopes": []})

    assert response.json()["detail"][0]["msg"] == (
        "OAuth2 credentials are created by signing in: GET /api/integrations/google/login"
    )


@pytest.mark.parametrize("provider", ["has space", "x" * 101, "-leading", "emoji\u2603"])
def test_a_malformed_provider_name_is_a_422(auth_client: APIClient, provider: str) -> None:
    response = auth_client.get(f"/api/integrations/{provider}/credentials")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "provider"]


# --- read -------------------------------------------------------------------------------


def test_lists_show_every_credential_as_meta_only(auth_client: APIClient, settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform-secret"}
    mine = api_key(auth_client, "openai", key="sk-user-secret", title="Mine")
    hosted = create(
        auth_client, "http", {"type": "host_scoped", "host": "*.example.com", "headers": {"X-Key": "hdr-secret"}}
    ).json()

    every = auth_client.get("/api/integrations/credentials")
    openai = auth_client.get("/api/integrations/openai/credentials")

    assert every.status_code == openai.status_code == 200
    assert every.json() == [
        meta(mine["id"], "openai", "api_key", "Mine"),
        meta(hosted["id"], "http", "host_scoped", None, host="*.example.com"),
        meta(OLLAMA_PLATFORM_ID, "ollama", "api_key", "Use Credits for Ollama"),
        meta(OPENAI_PLATFORM_ID, "openai", "api_key", "Use Credits for OpenAI"),
    ]
    assert [item["id"] for item in openai.json()] == [mine["id"], OPENAI_PLATFORM_ID]
    for item in every.json():
        assert_upstream_shape(item, "CredentialsMetaResponse")
    for secret in ("sk-platform-secret", "sk-user-secret", "hdr-secret"):
        assert secret not in every.content.decode() + openai.content.decode()


def test_platform_credentials_are_listed_only_while_their_key_is_set(auth_client: APIClient, settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {}
    settings.WEBSHARE_PROXY_USERNAME = "proxy"
    settings.WEBSHARE_PROXY_PASSWORD = ""

    ids = {item["id"] for item in auth_client.get("/api/integrations/credentials").json()}

    assert ids == {OLLAMA_PLATFORM_ID}


def test_the_list_takes_the_same_queries_however_many_credentials(auth_client: APIClient) -> None:
    api_key(auth_client)
    with CaptureQueriesContext(connection) as one:
        auth_client.get("/api/integrations/credentials")
    for _ in range(5):
        api_key(auth_client)
    with CaptureQueriesContext(connection) as six:
        response = auth_client.get("/api/integrations/credentials")

    assert len(response.json()) == 7
    assert len(one) == len(six)


def test_one_credential_is_answered_whole_with_secrets_masked(auth_client: APIClient, settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform-secret"}
    mine = api_key(auth_client)

    response = auth_client.get(f"/api/integrations/openai/credentials/{mine['id']}")
    platform = auth_client.get(f"/api/integrations/openai/credentials/{OPENAI_PLATFORM_ID}")

    assert response.json() == mine
    assert platform.json() == {
        "id": OPENAI_PLATFORM_ID,
        "provider": "openai",
        "title": "Use Credits for OpenAI",
        "type": "api_key",
        "api_key": MASK,
        "expires_at": None,
    }


@pytest.mark.parametrize("how", ["another user's", "another provider", "malformed id", "unknown id"])
def test_credentials_that_are_not_the_users_are_a_404_everywhere(
    how: str, auth_client: APIClient, other_client: APIClient
) -> None:
    theirs = api_key(other_client)["id"]
    client, provider, credential_id = auth_client, "openai", theirs
    if how == "another provider":
        client, provider = other_client, "anthropic"
    elif how == "malformed id":
        credential_id = "not-a-uuid%20at-all"
    elif how == "unknown id":
        credential_id = str(uuid.uuid4())

    got = client.get(f"/api/integrations/{provider}/credentials/{credential_id}")
    deleted = client.delete(f"/api/integrations/{provider}/credentials/{credential_id}")

    assert (got.status_code, deleted.status_code) == (404, 404)
    assert got.json()["message"] == deleted.json()["message"] == "Credentials not found"
    assert Credential.objects.filter(pk=theirs).exists()
    assert theirs not in [item["id"] for item in auth_client.get("/api/integrations/credentials").json()]


def test_routes_need_a_signed_in_user(api_client: APIClient) -> None:
    assert api_client.get("/api/integrations/credentials").status_code == 401
    assert api_client.post("/api/integrations/openai/credentials", {}, format="json").status_code == 401


# --- delete ------------------------------------------------------------------------------


def test_an_api_key_is_deleted_with_nothing_to_revoke(auth_client: APIClient) -> None:
    mine = api_key(auth_client)

    response = auth_client.delete(f"/api/integrations/openai/credentials/{mine['id']}")

    assert response.status_code == 200
    assert response.json() == {"deleted": True, "revoked": None}
    assert_upstream_shape(response.json(), "CredentialsDeletionResponse")
    assert not Credential.objects.exists()


def _graph_using(client: APIClient, credentials: dict[str, Any], name: str) -> dict[str, Any]:
    reference = {key: credentials[key] for key in ("id", "provider", "type")}
    body = graph(
        [node(AUTHENTICATED_WEB_REQUEST, {"url": "https://api.example.com/", "credentials": reference})], name=name
    )
    response = client.post("/api/graphs", {"graph": body}, format="json")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_credentials_an_agent_uses_are_deleted_only_when_forced(auth_client: APIClient) -> None:
    hosted = create(auth_client, "http", {"type": "host_scoped", "host": "api.example.com", "headers": {}}).json()
    _graph_using(auth_client, hosted, "Fetcher")
    _graph_using(auth_client, hosted, "Poster")

    asked = auth_client.delete(f"/api/integrations/http/credentials/{hosted['id']}")
    forced = auth_client.delete(f"/api/integrations/http/credentials/{hosted['id']}?force=true")

    assert asked.status_code == 200
    assert asked.json() == {
        "deleted": False,
        "need_confirmation": True,
        "message": "These credentials are still used by 2 agents ('Fetcher', 'Poster'); "
        "delete them with force=true to proceed anyway",
    }
    assert_upstream_shape(asked.json(), "CredentialsDeletionNeedsConfirmationResponse")
    assert forced.json() == {"deleted": True, "revoked": None}
    assert not Credential.objects.exists()


def test_platform_credentials_cannot_be_deleted(auth_client: APIClient, settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform-secret"}

    response = auth_client.delete(f"/api/integrations/openai/credentials/{OPENAI_PLATFORM_ID}")

    assert response.status_code == 403
    assert response.json()["message"] == "System-managed credentials cannot be deleted"
    assert OPENAI_PLATFORM_ID in PLATFORM_CREDENTIAL_IDS


def test_a_bad_force_flag_is_a_422(auth_client: APIClient) -> None:
    mine = api_key(auth_client)

    response = auth_client.delete(f"/api/integrations/openai/credentials/{mine['id']}?force=maybe")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "force"]


# --- providers --------------------------------------------------------------------------------


def test_providers_are_listed_sorted_without_signing_in(api_client: APIClient) -> None:
    names = api_client.get("/api/integrations/providers")
    structured = api_client.get("/api/integrations/providers/names").json()
    constants = api_client.get("/api/integrations/providers/constants").json()
    example = api_client.get("/api/integrations/providers/enum-example").json()

    assert names.status_code == 200
    assert names.json() == sorted(names.json())
    assert {"openai", "anthropic", "google", "github", "http", "exa", "webshare_proxy"} <= set(names.json())
    assert structured == {"providers": names.json()}
    assert constants["PROVIDER_NAMES"]["OPEN_ROUTER"] == "open_router"
    assert example == {"provider": names.json()[0]}
    assert_upstream_shape(structured, "ProviderNamesResponse")
    assert_upstream_shape(constants, "ProviderConstants")
    assert_upstream_shape(example, "ProviderEnumResponse")


def test_a_user_may_keep_a_bounded_number_of_credentials(
    auth_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apps.credentials.services.MAX_CREDENTIALS_PER_USER", 2)
    api_key(auth_client)
    api_key(auth_client)

    response = create(auth_client, "openai", {"type": "api_key", "api_key": "third"})

    assert response.status_code == 400
    assert response.json()["message"] == "A user may keep at most 2 credentials; delete some first."
    assert Credential.objects.count() == 2
