from __future__ import annotations

import json
import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_api_responses_carry_security_headers_and_no_store(auth_client: APIClient) -> None:
    response = auth_client.get("/api/auth/user/timezone")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_request_id_is_echoed_or_generated(api_client: APIClient) -> None:
    echoed = api_client.get("/health", HTTP_X_REQUEST_ID="abc-123")
    generated = api_client.get("/health", HTTP_X_REQUEST_ID="bad id with spaces")

    assert echoed["X-Request-ID"] == "abc-123"
    assert len(generated["X-Request-ID"]) == 32


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.com"])
def test_cors_allows_only_listed_origins(api_client: APIClient) -> None:
    allowed = api_client.options(
        "/api/auth/token", HTTP_ORIGIN="https://app.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    refused = api_client.options(
        "/api/auth/token", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in refused


def test_logs_are_json_with_request_id_and_never_secrets(
    api_client: APIClient, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    user = UserFactory()
    caplog.set_level(logging.INFO)

    response = api_client.post(
        "/api/auth/token?token=query-secret",
        {"email": user.email, "password": DEFAULT_PASSWORD},
        format="json",
        HTTP_X_REQUEST_ID="req-42",
    )
    access = response.json()["access"]

    records = [record for record in caplog.records if record.name == "apps.request"]
    assert records, "the request was not logged"
    event = records[-1].msg
    assert isinstance(event, dict)
    assert event["request_id"] == "req-42"
    assert event["path"] == "/api/auth/token"
    assert event["status"] == 200
    everything = caplog.text + capsys.readouterr().err + json.dumps([str(r.msg) for r in caplog.records])
    for secret in (DEFAULT_PASSWORD, access, "query-secret"):
        assert secret not in everything


def test_secret_named_fields_are_redacted() -> None:
    from apps.core.logging import REDACTED, redact_secrets

    event = redact_secrets(None, "info", {"event": "x", "password": "p", "api_key": "k", "user_id": "u"})

    assert event == {"event": "x", "password": REDACTED, "api_key": REDACTED, "user_id": "u"}


def test_an_outgoing_requests_query_string_is_not_logged() -> None:
    from apps.core.logging import REDACTED, redact_url_queries

    line = 'HTTP Request: GET https://maps.example.com/place/json?query=cafe&key=AIza-secret "HTTP/1.1 200 OK"'
    event = redact_url_queries(None, "info", {"event": line, "logger": "httpx"})
    elsewhere = redact_url_queries(None, "info", {"event": "see https://example.com/?a=1", "logger": "apps.x"})

    assert event["event"] == f'HTTP Request: GET https://maps.example.com/place/json?{REDACTED} "HTTP/1.1 200 OK"'
    assert elsewhere["event"] == "see https://example.com/?a=1"


def test_metrics_are_exposed_in_prometheus_format(api_client: APIClient) -> None:
    api_client.get("/health")

    response = api_client.get("/metrics")

    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


def test_schema_and_docs_are_served(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    docs = api_client.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/auth/register" in schema.json()["paths"]
    assert docs.status_code == 200
