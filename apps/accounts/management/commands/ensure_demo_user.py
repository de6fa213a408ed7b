from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.services import user_create


class Command(BaseCommand):
    help = "Create the demo account (DEMO_EMAIL / DEMO_PASSWORD) if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        email = settings.DEMO_EMAIL
        if not settings.DEMO_PASSWORD:
            raise CommandError("Set DEMO_PASSWORD to create the demo account.")
        if User.objects.filter(email__iexact=email).exists():
            self.stdout.write(f"Demo account {email} already exists.")
            return
        user_create(email=email, password=None, name="Demo", is_staff=True, is_superuser=True)
        # The demo password may be one that validators would refuse; it is set, not chosen.
        user = User.objects.get(email__iexact=email)
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        self.stdout.write(f"Created demo account {email}.")
