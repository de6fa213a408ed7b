from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.credits.exceptions import InsufficientBalanceError, NegativeBalanceError
from apps.credits.models import CreditTransaction, CreditTransactionType, UserBalance
from apps.credits.selectors import credits_get_ledger_balance
from apps.credits.services import (
    credits_admin_add,
    credits_grant,
    credits_grant_new_user,
    credits_spend,
    credits_top_up,
    new_user_grant_key,
)
from tests.credits.conftest import assert_ledger_consistent, ledger_sum
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_spend_records_a_negative_usage_with_the_balance_after_it(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)

    posting = credits_spend(user_id=user.pk, cost=250, transaction_key="k1", metadata={"reason": "test"})

    tx = posting.transaction
    assert posting.created
    assert (tx.type, tx.amount, tx.running_balance, tx.transaction_key) == (
        CreditTransactionType.USAGE,
        -250,
        750,
        "k1",
    )
    assert tx.metadata == {"reason": "test"}
    assert credits_get_ledger_balance(user_id=user.pk) == 750
    assert_ledger_consistent(user)


def test_grant_and_top_up_add_to_the_balance(user: User) -> None:
    credits_grant(user_id=user.pk, amount=100)
    credits_top_up(user_id=user.pk, amount=500, transaction_key="pi_123")

    assert credits_get_ledger_balance(user_id=user.pk) == 600
    assert list(CreditTransaction.objects.order_by("created_at").values_list("type", "running_balance")) == [
        ("GRANT", 100),
        ("TOP_UP", 600),
    ]


def test_spending_more_than_the_balance_fails_with_upstreams_message_and_writes_nothing(user: User) -> None:
    credits_grant(user_id=user.pk, amount=50)

    with pytest.raises(InsufficientBalanceError) as caught:
        credits_spend(user_id=user.pk, cost=100)

    assert str(caught.value) == "Insufficient balance of $0.5, where this will cost $1.0"
    assert caught.value.status_code == 402
    assert caught.value.code == "INSUFFICIENT_BALANCE"
    assert caught.value.shortfall == 50
    assert credits_get_ledger_balance(user_id=user.pk) == 50
    assert CreditTransaction.objects.count() == 1


def test_insufficient_balance_message_formats_dollars_as_upstream(user: User) -> None:
    with pytest.raises(InsufficientBalanceError) as caught:
        credits_spend(user_id=user.pk, cost=1234)

    assert str(caught.value) == "Insufficient balance of $0.0, where this will cost $12.34"


def test_a_reused_key_returns_the_first_transaction_without_charging_again(user: User) -> None:
    credits_grant(user_id=user.pk, amount=100)
    first = credits_spend(user_id=user.pk, cost=30, transaction_key="node_exec:1")

    again = credits_spend(user_id=user.pk, cost=30, transaction_key="node_exec:1")

    assert not again.created
    assert again.transaction.pk == first.transaction.pk
    assert credits_get_ledger_balance(user_id=user.pk) == 70
    assert CreditTransaction.objects.filter(transaction_key="node_exec:1").count() == 1


def test_a_reused_key_is_returned_even_when_the_balance_could_no_longer_pay(user: User) -> None:
    credits_grant(user_id=user.pk, amount=30)
    credits_spend(user_id=user.pk, cost=30, transaction_key="node_exec:1")

    again = credits_spend(user_id=user.pk, cost=30, transaction_key="node_exec:1")

    assert not again.created
    assert credits_get_ledger_balance(user_id=user.pk) == 0


def test_keys_are_unique_per_user_not_globally(user: User) -> None:
    other = UserFactory()
    credits_grant(user_id=user.pk, amount=10, transaction_key="same")
    credits_grant(user_id=other.pk, amount=20, transaction_key="same")

    assert credits_get_ledger_balance(user_id=user.pk) == 10
    assert credits_get_ledger_balance(user_id=other.pk) == 20


def test_the_database_refuses_a_negative_balance(user: User) -> None:
    credits_grant(user_id=user.pk, amount=10)

    with pytest.raises(IntegrityError), transaction.atomic():
        UserBalance.objects.filter(user=user).update(balance=-1)


def test_the_database_refuses_a_duplicate_key_for_one_user(user: User) -> None:
    credits_grant(user_id=user.pk, amount=10, transaction_key="once")

    with pytest.raises(IntegrityError), transaction.atomic():
        CreditTransaction.objects.create(
            user=user, transaction_key="once", amount=1, type=CreditTransactionType.GRANT, running_balance=11
        )


def test_admin_add_records_a_grant_with_the_admin_and_reason(user: User, staff_user: User) -> None:
    posting = credits_admin_add(admin_id=staff_user.pk, user_id=user.pk, amount=250, comments="support ticket 7")

    assert posting.transaction.type == CreditTransactionType.GRANT
    assert posting.transaction.metadata == {"admin_id": str(staff_user.pk), "reason": "support ticket 7"}
    assert credits_get_ledger_balance(user_id=user.pk) == 250


def test_admin_add_accepts_a_negative_correction_down_to_zero(user: User, staff_user: User) -> None:
    credits_grant(user_id=user.pk, amount=100)

    posting = credits_admin_add(admin_id=staff_user.pk, user_id=user.pk, amount=-100, comments="clawback")

    assert posting.transaction.amount == -100
    assert credits_get_ledger_balance(user_id=user.pk) == 0


def test_admin_add_refuses_a_correction_below_zero(user: User, staff_user: User) -> None:
    credits_grant(user_id=user.pk, amount=100)

    with pytest.raises(NegativeBalanceError) as caught:
        credits_admin_add(admin_id=staff_user.pk, user_id=user.pk, amount=-101, comments="too much")

    assert caught.value.status_code == 400
    assert credits_get_ledger_balance(user_id=user.pk) == 100


@override_settings(NEW_USER_CREDITS=1000)
def test_a_new_user_is_granted_new_user_credits_once() -> None:
    user = user_create(email="new@example.com", password="a long enough pass")

    credits_grant_new_user(user_id=user.pk)

    grant = CreditTransaction.objects.get(user=user)
    assert (grant.type, grant.amount, grant.transaction_key) == ("GRANT", 1000, new_user_grant_key(user.pk))
    assert credits_get_ledger_balance(user_id=user.pk) == 1000


@override_settings(NEW_USER_CREDITS=0)
def test_no_grant_is_written_when_new_user_credits_is_zero() -> None:
    user = user_create(email="new@example.com", password="a long enough pass")

    assert not CreditTransaction.objects.filter(user=user).exists()
    assert credits_get_ledger_balance(user_id=user.pk) == 0


operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(min_value=1, max_value=400), st.none()),
        # Few keys, so that keys get re-used.
        st.tuples(st.just("spend"), st.integers(min_value=1, max_value=400), st.integers(min_value=0, max_value=5)),
    ),
    max_size=30,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_random_spends_and_grants_keep_the_balance_non_negative_and_equal_to_the_ledger(
    operations: list[tuple[str, int, int | None]],
) -> None:
    user = UserFactory()
    expected, used_keys = 0, set()
    for operation, amount, key in operations:
        if operation == "grant":
            credits_grant(user_id=user.pk, amount=amount)
            expected += amount
        elif key in used_keys:
            assert not credits_spend(user_id=user.pk, cost=amount, transaction_key=f"k{key}").created
        elif amount > expected:
            with pytest.raises(InsufficientBalanceError):
                credits_spend(user_id=user.pk, cost=amount, transaction_key=f"k{key}")
        else:
            credits_spend(user_id=user.pk, cost=amount, transaction_key=f"k{key}")
            expected -= amount
            used_keys.add(key)
        balance = credits_get_ledger_balance(user_id=user.pk)
        assert balance == expected == ledger_sum(user.pk)
        assert balance >= 0
