"""Encryption of the secret part of credentials: `MultiFernet` over `CREDENTIALS_ENCRYPTION_KEYS`.

The first key encrypts; every key decrypts, so a new key can be put first while
rows written under the old ones still read. `manage.py rotate_credentials_key`
then re-encrypts every row under the first key, after which the old keys can go.
A token no key opens is an error, never silently returned as is.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from apps.credentials.exceptions import CredentialsDecryptionError


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.CREDENTIALS_ENCRYPTION_KEYS))


def encrypt_json(value: Any) -> str:
    return fernet().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(token: str) -> Any:
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise CredentialsDecryptionError() from error


def reencrypt(token: str) -> str:
    """The same plaintext under the newest key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise CredentialsDecryptionError() from error
