from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.credentials.models import Credential
from apps.credentials.services import credential_store
from apps.credentials.types import HostScopedCredentials
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/credentials/credential/"


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def stored(user: User) -> Credential:
    credentials = HostScopedCredentials(
        id="x",
        provider="http",
        host="api.example.com",
        title="Partner API",
        headers={"X-Key": "admin-never-sees"},  # type: ignore[dict-item]
    )
    return credential_store(user=user, credentials=credentials)


def test_staff_see_credentials_but_never_their_secret(admin_client: Client, user: User) -> None:
    row = stored(user)

    listing = admin_client.get(CHANGELIST).content.decode()
    detail = admin_client.get(f"{CHANGELIST}{row.pk}/change/").content.decode()

    for shown in ("Partner API", user.email, "host_scoped"):
        assert shown in listing
    assert "api.example.com" in detail
    for page in (listing, detail):
        assert "admin-never-sees" not in page
        assert row.encrypted_secret not in page


def test_staff_delete_credentials_through_the_service(admin_client: Client, user: User) -> None:
    row = stored(user)

    response = admin_client.post(CHANGELIST, {"action": "delete_and_revoke", "_selected_action": [str(row.pk)]})

    assert response.status_code == 302
    assert not Credential.objects.exists()
    assert "delete_selected" not in admin_client.get(CHANGELIST).content.decode()
