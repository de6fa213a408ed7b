from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.api_keys.keys import key_hash
from apps.api_keys.models import APIKey, APIKeyStatus
from tests.api_keys.conftest import MakeKey
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API_KEY_INFO_FIELDS = {
    "id",
    "name",
    "head",
    "tail",
    "status",
    "permissions",
    "created_at",
    "last_used_at",
    "revoked_at",
    "description",
    "user_id",
    "expires_at",
}


def test_create_answers_the_key_once_in_plain_text_and_stores_only_its_hash(auth_client: APIClient, user: User) -> None:
    response = auth_client.post(
        "/api/api-keys",
        {"name": "ci", "permissions": ["READ_BLOCK", "EXECUTE_BLOCK"], "description": "for CI"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"api_key", "plain_text_key"}
    plaintext = body["plain_text_key"]
    info = body["api_key"]
    assert set(info) == API_KEY_INFO_FIELDS
    assert plaintext.startswith("agpt_") and len(plaintext) == 48
    assert info["head"] == plaintext[:8]
    assert info["tail"] == plaintext[-8:]
    assert info["status"] == "ACTIVE"
    assert info["permissions"] == ["READ_BLOCK", "EXECUTE_BLOCK"]
    assert info["description"] == "for CI"
    assert info["user_id"] == str(user.pk)
    assert info["last_used_at"] is None
    assert info["revoked_at"] is None
    assert info["expires_at"] is None
    stored = APIKey.objects.get(pk=info["id"])
    assert stored.user == user
    assert stored.hash == key_hash(plaintext)
    assert plaintext not in {stored.head, stored.tail, stored.hash, stored.name, stored.description}


def test_create_without_description_answers_null_like_upstream(auth_client: APIClient) -> None:
    response = auth_client.post("/api/api-keys", {"name": "k", "permissions": []}, format="json")

    assert response.status_code == 200
    assert response.json()["api_key"]["description"] is None
    assert response.json()["api_key"]["permissions"] == []


def test_create_keeps_an_expiry_in_the_future(auth_client: APIClient) -> None:
    expires_at = timezone.now() + timedelta(days=30)

    response = auth_client.post(
        "/api/api-keys", {"name": "k", "permissions": ["IDENTITY"], "expires_at": expires_at.isoformat()}, format="json"
    )

    assert response.status_code == 200
    assert APIKey.objects.get().expires_at == expires_at


def test_create_refuses_an_expiry_in_the_past_naming_the_field(auth_client: APIClient) -> None:
    past = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = auth_client.post(
        "/api/api-keys", {"name": "k", "permissions": ["IDENTITY"], "expires_at": past}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "expires_at"]
    assert not APIKey.objects.exists()


def test_create_refuses_an_unknown_permission_naming_the_field(auth_client: APIClient) -> None:
    response = auth_client.post("/api/api-keys", {"name": "k", "permissions": ["READ_BLOCK", "SUDO"]}, format="json")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "permissions", 1]
    assert "SUDO" in error["msg"]
    assert not APIKey.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"permissions": []}, "name"),
        ({"name": "k"}, "permissions"),
        ({"name": "k", "permissions": "IDENTITY"}, "permissions"),
    ],
)
def test_create_refuses_a_malformed_body_naming_the_field(auth_client: APIClient, body: dict, field: str) -> None:
    response = auth_client.post("/api/api-keys", body, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_create_stores_each_permission_once(auth_client: APIClient) -> None:
    response = auth_client.post(
        "/api/api-keys", {"name": "k", "permissions": ["IDENTITY", "READ_BLOCK", "IDENTITY"]}, format="json"
    )

    assert response.json()["api_key"]["permissions"] == ["IDENTITY", "READ_BLOCK"]


def test_every_api_key_route_needs_a_signed_in_user(api_client: APIClient) -> None:
    key_id = uuid.uuid4()
    answers = [
        api_client.get("/api/api-keys"),
        api_client.post("/api/api-keys", {"name": "k", "permissions": []}, format="json"),
        api_client.get(f"/api/api-keys/{key_id}"),
        api_client.delete(f"/api/api-keys/{key_id}"),
        api_client.post(f"/api/api-keys/{key_id}/suspend"),
        api_client.put(f"/api/api-keys/{key_id}/permissions", {"permissions": []}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [401] * 6


def test_an_api_key_does_not_sign_in_to_the_api_key_routes(make_key: MakeKey) -> None:
    _, plaintext = make_key()

    response = APIClient().get("/api/api-keys", HTTP_X_API_KEY=plaintext)

    assert response.status_code == 401


def test_list_shows_own_keys_newest_first_without_key_or_hash(
    auth_client: APIClient, user: User, make_key: MakeKey
) -> None:
    older, older_plaintext = make_key(name="older")
    newer, newer_plaintext = make_key(name="newer")
    APIKey.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    make_key(owner=UserFactory(), name="someone else's")

    response = auth_client.get("/api/api-keys")

    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body] == ["newer", "older"]
    assert all(set(item) == API_KEY_INFO_FIELDS for item in body)
    text = response.content.decode()
    for secret in (older_plaintext, newer_plaintext, older.hash, newer.hash):
        assert secret not in text


def test_list_runs_a_fixed_number_of_queries(auth_client: APIClient, make_key: MakeKey) -> None:
    make_key()
    auth_client.get("/api/api-keys")
    with CaptureQueriesContext(connection) as one_key:
        auth_client.get("/api/api-keys")
    for _ in range(5):
        make_key()

    with CaptureQueriesContext(connection) as six_keys:
        response = auth_client.get("/api/api-keys")

    assert len(response.json()) == 6
    # The user lookup of authentication, then the keys.
    assert len(six_keys) == len(one_key) == 2


def test_get_answers_one_key(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key(name="mine", permissions=["IDENTITY"])

    response = auth_client.get(f"/api/api-keys/{api_key.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == str(api_key.pk)
    assert response.json()["name"] == "mine"
    assert response.json()["permissions"] == ["IDENTITY"]


@pytest.mark.parametrize("key_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_get_of_a_missing_key_is_a_404_with_upstream_text(auth_client: APIClient, key_id: str) -> None:
    response = auth_client.get(f"/api/api-keys/{key_id}")

    assert response.status_code == 404
    assert response.json()["detail"] == "API key not found"


def test_another_users_key_is_not_found_on_every_route(make_key: MakeKey) -> None:
    api_key, _ = make_key()
    stranger = client_for(UserFactory())
    path = f"/api/api-keys/{api_key.pk}"

    answers = [
        stranger.get(path),
        stranger.delete(path),
        stranger.post(f"{path}/suspend"),
        stranger.put(f"{path}/permissions", {"permissions": ["IDENTITY"]}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    assert {answer.json()["detail"] for answer in answers} == {"API key not found"}
    api_key.refresh_from_db()
    assert api_key.status == APIKeyStatus.ACTIVE
    assert len(api_key.permissions) == 12


def test_delete_revokes_the_key_and_answers_it(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key()

    response = auth_client.delete(f"/api/api-keys/{api_key.pk}")

    assert response.status_code == 200
    assert response.json()["status"] == "REVOKED"
    assert response.json()["revoked_at"] is not None
    api_key.refresh_from_db()
    assert api_key.status == APIKeyStatus.REVOKED
    assert api_key.revoked_at is not None


def test_revoking_twice_keeps_the_first_revocation_time(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key()
    first = auth_client.delete(f"/api/api-keys/{api_key.pk}").json()["revoked_at"]

    second = auth_client.delete(f"/api/api-keys/{api_key.pk}")

    assert second.status_code == 200
    assert second.json()["revoked_at"] == first


def test_a_suspended_key_can_be_revoked(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key()
    auth_client.post(f"/api/api-keys/{api_key.pk}/suspend")

    response = auth_client.delete(f"/api/api-keys/{api_key.pk}")

    assert response.json()["status"] == "REVOKED"


def test_suspend_marks_the_key_suspended(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key()

    response = auth_client.post(f"/api/api-keys/{api_key.pk}/suspend")

    assert response.status_code == 200
    assert response.json()["status"] == "SUSPENDED"
    assert response.json()["revoked_at"] is None
    api_key.refresh_from_db()
    assert api_key.status == APIKeyStatus.SUSPENDED


def test_a_revoked_key_cannot_be_suspended(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key()
    auth_client.delete(f"/api/api-keys/{api_key.pk}")

    response = auth_client.post(f"/api/api-keys/{api_key.pk}/suspend")

    assert response.status_code == 400
    assert response.json()["code"] == "API_KEY_REVOKED"
    api_key.refresh_from_db()
    assert api_key.status == APIKeyStatus.REVOKED


def test_permissions_are_replaced(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key(permissions=["IDENTITY"])

    response = auth_client.put(
        f"/api/api-keys/{api_key.pk}/permissions", {"permissions": ["READ_GRAPH", "EXECUTE_GRAPH"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["permissions"] == ["READ_GRAPH", "EXECUTE_GRAPH"]
    api_key.refresh_from_db()
    assert api_key.permissions == ["READ_GRAPH", "EXECUTE_GRAPH"]


def test_unknown_permissions_are_refused_naming_the_field(auth_client: APIClient, make_key: MakeKey) -> None:
    api_key, _ = make_key(permissions=["IDENTITY"])

    response = auth_client.put(f"/api/api-keys/{api_key.pk}/permissions", {"permissions": ["ROOT"]}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "permissions", 0]
    api_key.refresh_from_db()
    assert api_key.permissions == ["IDENTITY"]
