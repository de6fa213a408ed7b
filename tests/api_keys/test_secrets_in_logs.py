from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.api_keys.models import APIKey
from tests.api_keys.conftest import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sql_logging() -> Iterator[None]:
    """Django logs every query on a debug cursor: proves SQL (which carries the key's hash) never reaches a log."""
    connection.force_debug_cursor = True
    yield
    connection.force_debug_cursor = False
    # Back to a handler on whatever stderr the rest of the session has.
    logging.config.dictConfig(settings.LOGGING)


def test_no_key_hash_or_pepper_is_logged_while_keys_are_created_and_used(
    auth_client: APIClient,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    sql_logging: None,
) -> None:
    # The console handler holds the stderr of the moment logging was configured; configuring
    # again here points the project's JSON log lines at the stream capsys captures.
    logging.config.dictConfig(settings.LOGGING)
    caplog.set_level(logging.DEBUG)

    created = auth_client.post("/api/api-keys", {"name": "k", "permissions": ["IDENTITY"]}, format="json").json()
    plaintext = created["plain_text_key"]
    used = key_client(plaintext).get("/external-api/v1/me")
    wrong = key_client(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")).get("/external-api/v1/me")
    revoked = auth_client.delete(f"/api/api-keys/{created['api_key']['id']}")
    after_revocation = key_client(plaintext).get("/external-api/v1/me")

    assert [used.status_code, wrong.status_code, revoked.status_code, after_revocation.status_code] == [
        200,
        401,
        200,
        401,
    ]
    stored_hash = APIKey.objects.get().hash
    captured = capsys.readouterr()
    logged = "\n".join([caplog.text, *(str(record.__dict__) for record in caplog.records), captured.out, captured.err])
    # The capture saw the key's life: otherwise the absence below would prove nothing.
    assert "api_key_created" in logged
    assert "api_key_rejected" in logged
    assert "api_key_revoked" in logged
    assert '"event": "request"' in captured.err
    for secret in (plaintext, plaintext[8:-8], stored_hash, settings.API_KEY_PEPPER):
        assert secret not in logged
