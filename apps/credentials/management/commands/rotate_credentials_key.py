from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.credentials.services import credentials_reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored credential under the first key of CREDENTIALS_ENCRYPTION_KEYS. "
        "Put the new key first, run this, then drop the old keys."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rewritten = credentials_reencrypt_all()
        self.stdout.write(f"Re-encrypted {rewritten} secret(s) under the newest key.")
