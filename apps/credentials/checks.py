"""Start-up checks: credentials must be readable, so broken keys are refused before any request."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    keys = settings.CREDENTIALS_ENCRYPTION_KEYS
    if not keys:
        return [
            Error("CREDENTIALS_ENCRYPTION_KEYS is empty: at least one Fernet key is needed.", id="credentials.E001")
        ]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.strip().encode())
        except ValueError:
            errors.append(
                Error(
                    f"CREDENTIALS_ENCRYPTION_KEYS: key #{position} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes, e.g. from Fernet.generate_key()).",
                    id="credentials.E001",
                )
            )
    return errors
