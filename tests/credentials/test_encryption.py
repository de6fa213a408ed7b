"""Secrets at rest: encrypted under the newest of CREDENTIALS_ENCRYPTION_KEYS, readable under any, rotatable."""

from __future__ import annotations

import io
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credentials.checks import check_encryption_keys
from apps.credentials.codec import to_runtime
from apps.credentials.crypto import decrypt_json, encrypt_json
from apps.credentials.exceptions import CredentialsDecryptionError, CredentialsUnavailableError
from apps.credentials.models import Credential, OAuthState
from apps.credentials.services import credential_store, credentials_acquire
from apps.credentials.types import APIKeyCredentials

pytestmark = pytest.mark.django_db

SECRET = "sk-rotate-me-123"


def new_key() -> str:
    return Fernet.generate_key().decode()


def store_key(user: User) -> Credential:
    return credential_store(
        user=user,
        credentials=APIKeyCredentials(id="ignored", provider="openai", api_key=SECRET),  # type: ignore[arg-type]
    )


def test_a_secret_is_stored_encrypted_under_the_first_key(user: User, settings: Any) -> None:
    first, second = new_key(), new_key()
    settings.CREDENTIALS_ENCRYPTION_KEYS = [first, second]

    row = store_key(user)

    assert SECRET not in row.encrypted_secret
    assert Fernet(first.encode()).decrypt(row.encrypted_secret.encode()) == b'{"api_key":"sk-rotate-me-123"}'


def test_rotating_re_encrypts_every_secret_so_the_old_key_can_be_dropped(user: User, settings: Any) -> None:
    old, new = new_key(), new_key()
    settings.CREDENTIALS_ENCRYPTION_KEYS = [old]
    row = store_key(user)
    state = OAuthState.objects.create(
        user=user,
        provider="google",
        token_hash="h",
        encrypted_code_verifier=encrypt_json("verifier"),
        expires_at="2099-01-01T00:00:00Z",
    )
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()

    call_command("rotate_credentials_key", stdout=out)
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new]

    assert out.getvalue().strip() == "Re-encrypted 2 secret(s) under the newest key."
    assert to_runtime(Credential.objects.get(pk=row.pk)).api_key.get_secret_value() == SECRET  # type: ignore[union-attr]
    assert decrypt_json(OAuthState.objects.get(pk=state.pk).encrypted_code_verifier) == "verifier"


def test_dropping_a_key_before_rotating_leaves_the_secrets_unreadable_with_a_clear_error(
    auth_client: APIClient, user: User, settings: Any
) -> None:
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new_key()]
    row = store_key(user)
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(CredentialsDecryptionError):
        to_runtime(row)
    # A node using them fails with the reason instead of being retried for ever.
    with pytest.raises(CredentialsUnavailableError, match="cannot be decrypted with the configured"):
        credentials_acquire(user_id=user.pk, credentials_id=str(row.pk))
    response = auth_client.get(f"/api/integrations/openai/credentials/{row.pk}")
    assert response.status_code == 500
    assert response.json()["code"] == "CREDENTIALS_UNREADABLE"
    assert "CREDENTIALS_ENCRYPTION_KEYS" in response.json()["hint"]
    # The list needs no secret, and unreadable credentials can still be deleted.
    assert auth_client.get("/api/integrations/credentials").status_code == 200
    assert auth_client.delete(f"/api/integrations/openai/credentials/{row.pk}").json() == {
        "deleted": True,
        "revoked": None,
    }


@pytest.mark.parametrize(("keys", "problem"), [([], "is empty"), (["not-a-key"], "key #1 is not a Fernet key")])
def test_start_up_refuses_unusable_encryption_keys(settings: Any, keys: list[str], problem: str) -> None:
    settings.CREDENTIALS_ENCRYPTION_KEYS = keys

    errors = check_encryption_keys()

    assert [error.id for error in errors] == ["credentials.E001"]
    assert problem in errors[0].msg


def test_configured_keys_pass_the_start_up_check(settings: Any) -> None:
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new_key(), new_key()]

    assert check_encryption_keys() == []
