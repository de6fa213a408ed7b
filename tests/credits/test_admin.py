from __future__ import annotations

import pytest
from django.test import Client, override_settings

from apps.accounts.models import User
from apps.credits.models import CreditTransaction
from apps.credits.selectors import credits_get_ledger_balance
from apps.credits.services import credits_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
LEDGER = "/admin/credits/credittransaction/"


@pytest.fixture
def superuser() -> User:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser: User) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def test_the_user_page_shows_the_balance(admin_client: Client, user: User) -> None:
    credits_grant(user_id=user.pk, amount=4321)

    change_page = admin_client.get(f"{USERS}{user.pk}/change/")
    changelist = admin_client.get(USERS)

    assert change_page.status_code == 200
    assert "4321" in change_page.content.decode()
    assert changelist.status_code == 200
    assert "4321" in changelist.content.decode()


def test_the_grant_action_asks_for_an_amount_first(admin_client: Client, user: User) -> None:
    response = admin_client.post(USERS, {"action": "grant_credits", "_selected_action": [str(user.pk)]})

    assert response.status_code == 200
    assert 'name="amount"' in response.content.decode()
    assert not CreditTransaction.objects.exists()


def test_the_grant_action_grants_through_the_service_once_per_form(
    admin_client: Client, superuser: User, user: User
) -> None:
    other = UserFactory()
    form = {
        "action": "grant_credits",
        "_selected_action": [str(user.pk), str(other.pk)],
        "apply": "Grant credits",
        "amount": "250",
        "reason": "conference attendees",
        "grant_id": "3f1d7c9e-0000-4000-8000-000000000001",
    }

    response = admin_client.post(USERS, form)
    admin_client.post(USERS, form)

    assert response.status_code == 302
    assert credits_get_ledger_balance(user_id=user.pk) == 250
    assert credits_get_ledger_balance(user_id=other.pk) == 250
    grant = CreditTransaction.objects.get(user=user)
    assert grant.type == "GRANT"
    assert grant.transaction_key == "ADMIN-GRANT-3f1d7c9e-0000-4000-8000-000000000001"
    assert grant.metadata == {"admin_id": str(superuser.pk), "reason": "conference attendees"}


def test_the_grant_action_refuses_a_non_positive_amount(admin_client: Client, user: User) -> None:
    form = {
        "action": "grant_credits",
        "_selected_action": [str(user.pk)],
        "apply": "Grant credits",
        "amount": "0",
        "reason": "x",
        "grant_id": "3f1d7c9e-0000-4000-8000-000000000002",
    }

    response = admin_client.post(USERS, form)

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not CreditTransaction.objects.exists()


def test_the_ledger_is_read_only(admin_client: Client, user: User) -> None:
    tx = credits_grant(user_id=user.pk, amount=10).transaction

    assert admin_client.get(LEDGER).status_code == 200
    assert admin_client.get(f"{LEDGER}{tx.pk}/change/").status_code == 200
    assert admin_client.get(f"{LEDGER}add/").status_code == 403
    assert admin_client.post(f"{LEDGER}{tx.pk}/change/", {"amount": "1000"}).status_code == 403
    assert admin_client.post(f"{LEDGER}{tx.pk}/delete/", {"post": "yes"}).status_code == 403
    tx.refresh_from_db()
    assert tx.amount == 10


@override_settings(NEW_USER_CREDITS=700)
def test_a_user_added_in_the_admin_gets_new_user_credits(admin_client: Client) -> None:
    response = admin_client.post(
        f"{USERS}add/",
        {
            "email": "added@example.com",
            "name": "",
            "password1": "a long enough pass",
            "password2": "a long enough pass",
        },
    )

    assert response.status_code == 302
    assert credits_get_ledger_balance(user_id=User.objects.get(email="added@example.com").pk) == 700
