from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        pytest.param(
            b'{"email": "a@example.com", "password": ', "application/json", 422, "VALIDATION_ERROR", id="malformed-json"
        ),
        pytest.param(b"[1, 2, 3]", "application/json", 422, "VALIDATION_ERROR", id="not-an-object"),
        pytest.param(b"{}", "application/json", 422, "VALIDATION_ERROR", id="missing-fields"),
        pytest.param(b'{"email": 5, "password": []}', "application/json", 422, "VALIDATION_ERROR", id="wrong-types"),
        pytest.param(
            b"email=a@example.com", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE", id="form-body"
        ),
        pytest.param(b"hello", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", id="text-body"),
        pytest.param(b"\xff\xfe\x00garbage", "application/json", 422, "VALIDATION_ERROR", id="not-utf8"),
    ],
)
def test_bad_request_bodies_get_a_4xx_with_a_message(
    api_client: APIClient, body: bytes, content_type: str, status: int, code: str
) -> None:
    response = api_client.generic("POST", "/api/auth/token", body, content_type=content_type)

    assert response.status_code == status
    payload = response.json()
    assert payload["code"] == code
    assert payload["message"]
    assert set(payload) == {"code", "message", "detail", "hint"}


def test_missing_fields_are_listed_with_their_location(api_client: APIClient) -> None:
    response = api_client.post("/api/auth/token", {}, format="json")

    assert response.json()["message"] == "Invalid data for POST /api/auth/token"
    assert response.json()["detail"] == [
        {"loc": ["body", "email"], "msg": "This field is required.", "type": "missing"},
        {"loc": ["body", "password"], "msg": "This field is required.", "type": "missing"},
    ]
    assert response.json()["hint"] == "Ensure the request matches the API schema."


def test_wrong_types_name_the_field(api_client: APIClient) -> None:
    response = api_client.post("/api/auth/token", {"email": "not-an-email", "password": "x"}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]


def test_huge_body_is_refused_with_413(api_client: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_BODY_MAX_BYTES = 1024
    body = b'{"email": "' + b"a" * 2048 + b'"}'

    response = api_client.generic("POST", "/api/auth/token", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert "limit is 1024" in response.json()["message"]


def test_unknown_route_is_a_json_404(api_client: APIClient) -> None:
    response = api_client.get("/api/does-not-exist")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_wrong_method_is_a_405(api_client: APIClient) -> None:
    response = api_client.get("/api/auth/token")

    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
