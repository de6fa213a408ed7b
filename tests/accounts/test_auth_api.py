from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.accounts.models import User
from apps.accounts.services import tokens_issue
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def decode(token: str) -> dict[str, object]:
    return jwt.decode(token, settings.JWT_SIGNING_KEY, algorithms=["HS256"], audience="authenticated")


def test_register_creates_user_and_returns_tokens(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/auth/register",
        {"email": "Ada@Example.COM", "password": "a long enough pass", "name": "Ada"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "Ada@example.com"
    assert body["user"]["name"] == "Ada"
    assert body["user"]["timezone"] == "not-set"
    assert set(body) == {"user", "access", "refresh"}
    user = User.objects.get(email="Ada@example.com")
    assert user.check_password("a long enough pass")
    assert decode(body["access"])["sub"] == str(user.id)


def test_register_refuses_an_existing_email_whatever_its_case(api_client: APIClient) -> None:
    UserFactory(email="taken@example.com")

    response = api_client.post(
        "/api/auth/register", {"email": "TAKEN@example.com", "password": "a long enough pass"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "EMAIL_TAKEN"


def test_register_refuses_a_weak_password_naming_the_field(api_client: APIClient) -> None:
    response = api_client.post("/api/auth/register", {"email": "a@example.com", "password": "123"}, format="json")

    assert response.status_code == 422
    locations = [item["loc"] for item in response.json()["detail"]]
    assert ["body", "password"] in locations
    assert not User.objects.exists()


def test_token_carries_the_supabase_claims(api_client: APIClient) -> None:
    user = UserFactory(email="claims@example.com")

    response = api_client.post("/api/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    claims = decode(response.json()["access"])
    assert claims["sub"] == str(user.id)
    assert claims["aud"] == "authenticated"
    assert claims["role"] == "authenticated"
    assert claims["email"] == "claims@example.com"
    assert claims["exp"] > time.time()


def test_staff_tokens_have_the_admin_role(api_client: APIClient) -> None:
    user = UserFactory(is_staff=True)

    response = api_client.post("/api/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert decode(response.json()["access"])["role"] == "admin"


def test_token_refuses_a_wrong_password(api_client: APIClient) -> None:
    user = UserFactory()

    response = api_client.post("/api/auth/token", {"email": user.email, "password": "wrong"}, format="json")

    assert response.status_code == 401
    assert response.json()["message"] == "Invalid email or password"


def test_refresh_rotates_and_refuses_the_spent_token(api_client: APIClient) -> None:
    pair = tokens_issue(user=UserFactory())

    first = api_client.post("/api/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    second = api_client.post("/api/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")

    assert first.status_code == 200
    assert first.json()["refresh"] != pair["refresh"]
    assert second.status_code == 401
    assert second.json()["message"].startswith("Invalid token")
    rotated = api_client.post("/api/auth/token/refresh", {"refresh": first.json()["refresh"]}, format="json")
    assert rotated.status_code == 200


def test_logout_blacklists_the_refresh_token(api_client: APIClient) -> None:
    user = UserFactory()
    pair = tokens_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")

    response = api_client.post("/api/auth/logout", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 204
    refreshed = api_client.post("/api/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert refreshed.status_code == 401


def test_logout_refuses_someone_elses_refresh_token(auth_client: APIClient) -> None:
    other = tokens_issue(user=UserFactory())

    response = auth_client.post("/api/auth/logout", {"refresh": other["refresh"]}, format="json")

    assert response.status_code == 401
    assert APIClient().post("/api/auth/token/refresh", {"refresh": other["refresh"]}, format="json").status_code == 200


def test_current_user_needs_a_token(api_client: APIClient) -> None:
    response = api_client.post("/api/auth/user")

    assert response.status_code == 401
    assert response.json() == {
        "code": "UNAUTHENTICATED",
        "message": "Authorization header is missing",
        "detail": "Authorization header is missing",
        "hint": "Adjust the request and retry.",
    }


def test_current_user_is_returned(auth_client: APIClient, user: User) -> None:
    response = auth_client.post("/api/auth/user")

    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)
    assert response.json()["email"] == user.email


def test_expired_token_is_refused_with_upstream_text(api_client: APIClient, user: User) -> None:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.post("/api/auth/user")

    assert response.status_code == 401
    assert response.json()["message"] == "Token has expired"


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"), id="bad-signature"),
        pytest.param(lambda t: "not.a.jwt", id="garbage"),
        pytest.param(
            lambda t: jwt.encode({**decode(t), "role": "admin"}, "another-key-of-thirty-two-chars!!", "HS256"),
            id="resigned-with-another-key",
        ),
        pytest.param(lambda t: jwt.encode({**decode(t)}, None, "none"), id="alg-none"),
    ],
)
def test_tampered_tokens_are_refused(api_client: APIClient, user: User, mangle) -> None:  # type: ignore[no-untyped-def]
    access = tokens_issue(user=user)["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {mangle(access)}")

    response = api_client.post("/api/auth/user")

    assert response.status_code == 401
    assert response.json()["message"].startswith("Invalid token: ")


def test_refresh_token_is_not_an_access_token(api_client: APIClient, user: User) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['refresh']}")

    response = api_client.post("/api/auth/user")

    assert response.status_code == 401
    assert response.json()["message"].startswith("Invalid token: ")


def test_token_of_a_deleted_user_is_refused(api_client: APIClient) -> None:
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['access']}")
    user.delete()

    response = api_client.post("/api/auth/user")

    assert response.status_code == 401


def test_timezone_can_be_read_and_set(auth_client: APIClient, user: User) -> None:
    assert auth_client.get("/api/auth/user/timezone").json() == {"timezone": "not-set"}

    response = auth_client.post("/api/auth/user/timezone", {"timezone": "Europe/Paris"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"timezone": "Europe/Paris"}
    user.refresh_from_db()
    assert user.timezone == "Europe/Paris"


def test_unknown_timezone_is_refused(auth_client: APIClient) -> None:
    response = auth_client.post("/api/auth/user/timezone", {"timezone": "Mars/Olympus"}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "timezone"]
