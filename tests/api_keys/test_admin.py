from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.accounts.models import User
from apps.api_keys.models import APIKey, APIKeyStatus
from tests.api_keys.conftest import MakeKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/api_keys/apikey/"


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_key_list_shows_owner_status_head_and_tail_but_never_the_hash(
    admin_client: Client, user: User, make_key: MakeKey
) -> None:
    api_key, plaintext = make_key(name="deploy bot")

    response = admin_client.get(CHANGELIST)

    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("deploy bot", user.email, "ACTIVE", api_key.head, api_key.tail):
        assert shown in page
    assert api_key.hash not in page
    assert plaintext not in page


def test_the_list_filters_by_status(admin_client: Client, make_key: MakeKey) -> None:
    make_key(name="kept")
    revoked, _ = make_key(name="gone")
    admin_client.post(CHANGELIST, {"action": "revoke", "_selected_action": [str(revoked.pk)]})

    page = admin_client.get(CHANGELIST, {"status__exact": "REVOKED"}).content.decode()

    assert "gone" in page
    assert "kept" not in page


def test_a_key_page_shows_no_hash_and_offers_no_editing(admin_client: Client, make_key: MakeKey) -> None:
    api_key, _ = make_key()

    response = admin_client.get(f"{CHANGELIST}{api_key.pk}/change/")
    edit = admin_client.post(f"{CHANGELIST}{api_key.pk}/change/", {"name": "renamed", "hash": "0" * 64})

    assert response.status_code == 200
    assert api_key.hash not in response.content.decode()
    assert 'name="hash"' not in response.content.decode()
    assert edit.status_code == 403
    api_key.refresh_from_db()
    assert api_key.name == "key"


def test_keys_cannot_be_added_or_deleted_in_the_admin(admin_client: Client, make_key: MakeKey) -> None:
    api_key, _ = make_key()

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{api_key.pk}/delete/").status_code == 403
    assert APIKey.objects.filter(pk=api_key.pk).exists()


def test_the_revoke_action_revokes_through_the_service(admin_client: Client, make_key: MakeKey) -> None:
    first, _ = make_key()
    second, _ = make_key()
    untouched, _ = make_key()

    response = admin_client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [str(first.pk), str(second.pk)]}, follow=True
    )

    assert response.status_code == 200
    assert "Revoked 2 API key(s)." in response.content.decode()
    statuses = dict(APIKey.objects.values_list("pk", "status"))
    assert statuses == {first.pk: APIKeyStatus.REVOKED, second.pk: APIKeyStatus.REVOKED, untouched.pk: "ACTIVE"}
    assert APIKey.objects.get(pk=first.pk).revoked_at is not None


def test_staff_without_the_change_permission_cannot_revoke(make_key: MakeKey) -> None:
    api_key, _ = make_key()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apikey"))
    client = Client()
    client.force_login(viewer)

    page = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [str(api_key.pk)]})

    assert page.status_code == 200
    assert "Revoke selected" not in page.content.decode()
    api_key.refresh_from_db()
    assert api_key.status == APIKeyStatus.ACTIVE
