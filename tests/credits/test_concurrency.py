"""Upstream's credit concurrency cases, with real threads each on its own PostgreSQL connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from apps.accounts.models import User
from apps.core.redis import get_redis
from apps.credits.charging import credits_charge_node_execution, execution_counter_key
from apps.credits.exceptions import InsufficientBalanceError
from apps.credits.models import CreditTransaction, CreditTransactionType, UserBalance
from apps.credits.selectors import credits_get_ledger_balance
from apps.credits.services import credits_grant, credits_spend
from tests.credits.conftest import PricedBlock, assert_ledger_consistent, node_charge_kwargs
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Runs `call(i)` in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call(index)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def failures(results: list[Any]) -> list[BaseException]:
    return [result for result in results if isinstance(result, BaseException)]


@pytest.fixture
def funded_user() -> User:
    user = UserFactory()
    credits_grant(user_id=user.pk, amount=1000)
    return user


def test_ten_concurrent_spends_of_a_tenth_of_the_balance_all_succeed_and_leave_zero(funded_user: User) -> None:
    results = run_concurrently(10, lambda i: credits_spend(user_id=funded_user.pk, cost=100))

    assert failures(results) == []
    assert credits_get_ledger_balance(user_id=funded_user.pk) == 0
    assert sorted(r.transaction.running_balance for r in results) == list(range(0, 1000, 100))
    assert_ledger_consistent(funded_user)


def test_with_half_the_balance_exactly_five_of_ten_concurrent_spends_succeed() -> None:
    user = UserFactory()
    credits_grant(user_id=user.pk, amount=500)

    results = run_concurrently(10, lambda i: credits_spend(user_id=user.pk, cost=100))

    errors = failures(results)
    assert len(errors) == 5
    assert all(isinstance(error, InsufficientBalanceError) for error in errors)
    assert all(str(error) == "Insufficient balance of $0.0, where this will cost $1.0" for error in errors)
    assert credits_get_ledger_balance(user_id=user.pk) == 0
    assert CreditTransaction.objects.filter(user=user, type=CreditTransactionType.USAGE).count() == 5
    assert_ledger_consistent(user)


def test_two_concurrent_spends_of_the_exact_balance_let_exactly_one_through(funded_user: User) -> None:
    results = run_concurrently(2, lambda i: credits_spend(user_id=funded_user.pk, cost=1000))

    assert len(failures(results)) == 1
    assert isinstance(failures(results)[0], InsufficientBalanceError)
    assert credits_get_ledger_balance(user_id=funded_user.pk) == 0
    assert_ledger_consistent(funded_user)


def test_one_key_used_concurrently_five_times_is_charged_once(funded_user: User) -> None:
    results = run_concurrently(
        5, lambda i: credits_spend(user_id=funded_user.pk, cost=100, transaction_key="REWARD-step-1")
    )

    assert failures(results) == []
    assert [result.created for result in results].count(True) == 1
    assert len({result.transaction.pk for result in results}) == 1
    assert credits_get_ledger_balance(user_id=funded_user.pk) == 900
    assert CreditTransaction.objects.filter(user=funded_user, transaction_key="REWARD-step-1").count() == 1


def test_concurrent_grants_and_spends_add_up(funded_user: User) -> None:
    def operation(index: int) -> Any:
        if index == 0:
            return credits_spend(user_id=funded_user.pk, cost=500)
        return credits_grant(user_id=funded_user.pk, amount=600)

    results = run_concurrently(2, operation)

    assert failures(results) == []
    assert credits_get_ledger_balance(user_id=funded_user.pk) == 1100
    assert_ledger_consistent(funded_user)


def test_a_users_first_transactions_racing_create_one_balance_row() -> None:
    user = UserFactory()

    results = run_concurrently(8, lambda i: credits_grant(user_id=user.pk, amount=10 + i))

    assert failures(results) == []
    assert UserBalance.objects.filter(user=user).count() == 1
    assert credits_get_ledger_balance(user_id=user.pk) == sum(10 + i for i in range(8))
    assert_ledger_consistent(user)


def test_one_node_execution_charged_concurrently_is_charged_and_counted_once(funded_user: User) -> None:
    kwargs = node_charge_kwargs(funded_user, PricedBlock(), input_data={"credentials": {"provider": "platform"}})

    results = run_concurrently(5, lambda i: credits_charge_node_execution(**kwargs))

    assert results == [3] * 5
    assert credits_get_ledger_balance(user_id=funded_user.pk) == 997
    assert int(get_redis().get(execution_counter_key(funded_user.pk))) == 1
