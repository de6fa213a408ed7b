"""Every write to the ledger and the balance goes through `ledger_post`.

It locks the user's balance row (`SELECT ... FOR UPDATE`), so writes for one user
are serialized: an idempotency key already used is seen and returned instead of
charged again, and a charge is checked against the balance it will change. The
database constraints (unique key per user, balance >= 0) hold even if a write
ever bypassed the lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.core.exceptions import NotFoundError
from apps.credits.exceptions import BalanceLimitError, InsufficientBalanceError, NegativeBalanceError
from apps.credits.models import CreditTransaction, CreditTransactionType, UserBalance

# PostgreSQL `integer`, the type of upstream's balance columns.
MAX_BALANCE = 2**31 - 1


@dataclass(frozen=True)
class Entry:
    """One transaction to write: a signed amount under an idempotency key."""

    amount: int
    type: CreditTransactionType
    transaction_key: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Posting:
    """The transaction stored under an entry's key, and whether this call wrote it."""

    transaction: CreditTransaction
    created: bool

    @property
    def balance_before(self) -> int:
        return self.transaction.running_balance - self.transaction.amount


def _lock_balance(user_id: uuid.UUID | str) -> UserBalance:
    balance = UserBalance.objects.select_for_update().filter(user_id=user_id).first()
    if balance is None:
        # First transaction of this user: two of them may race to create the row.
        UserBalance.objects.bulk_create([UserBalance(user_id=user_id)], ignore_conflicts=True)
        balance = UserBalance.objects.select_for_update().get(user_id=user_id)
    return balance


@transaction.atomic
def ledger_post(*, user_id: uuid.UUID | str, entries: Sequence[Entry]) -> list[Posting]:
    """Writes the entries whose keys are new, all or none; returns one posting per entry, in order.

    Raises `InsufficientBalanceError` (writing nothing) when the new entries would take
    the balance below zero.
    """
    keys = [entry.transaction_key for entry in entries]
    if len(set(keys)) != len(keys):
        raise ValueError(f"transaction keys repeat within one posting: {keys}")
    balance = _lock_balance(user_id)
    existing = {
        tx.transaction_key: tx for tx in CreditTransaction.objects.filter(user_id=user_id, transaction_key__in=keys)
    }
    fresh = [entry for entry in entries if entry.transaction_key not in existing]
    running = balance.balance
    created: dict[str, CreditTransaction] = {}
    for entry in fresh:
        running += entry.amount
        if running < 0:
            raise InsufficientBalanceError(
                balance=balance.balance, cost=-sum(entry.amount for entry in fresh if entry.amount < 0)
            )
        if running > MAX_BALANCE:
            raise BalanceLimitError(limit=MAX_BALANCE)
        created[entry.transaction_key] = CreditTransaction(
            user_id=user_id,
            transaction_key=entry.transaction_key,
            amount=entry.amount,
            type=entry.type,
            running_balance=running,
            metadata=entry.metadata,
        )
    if created:
        CreditTransaction.objects.bulk_create(created.values())
        balance.balance = running
        balance.save(update_fields=["balance", "updated_at"])
    return [
        Posting(existing[key], created=False) if key in existing else Posting(created[key], created=True)
        for key in keys
    ]


def _post_one(
    *,
    user_id: uuid.UUID | str,
    amount: int,
    type: CreditTransactionType,
    transaction_key: str | None,
    metadata: dict[str, Any] | None,
) -> Posting:
    entry = Entry(
        amount=amount, type=type, transaction_key=transaction_key or str(uuid.uuid4()), metadata=metadata or {}
    )
    return ledger_post(user_id=user_id, entries=[entry])[0]


def _require_positive(amount: int) -> None:
    if amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")


def credits_spend(
    *,
    user_id: uuid.UUID | str,
    cost: int,
    transaction_key: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Posting:
    """A USAGE transaction of `-cost`. Raises `InsufficientBalanceError` if the balance is short."""
    _require_positive(cost)
    return _post_one(
        user_id=user_id,
        amount=-cost,
        type=CreditTransactionType.USAGE,
        transaction_key=transaction_key,
        metadata=metadata,
    )


def credits_grant(
    *,
    user_id: uuid.UUID | str,
    amount: int,
    transaction_key: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Posting:
    """Free credits (GRANT): new-user credits, rewards, staff grants."""
    _require_positive(amount)
    return _post_one(
        user_id=user_id,
        amount=amount,
        type=CreditTransactionType.GRANT,
        transaction_key=transaction_key,
        metadata=metadata,
    )


def credits_top_up(
    *,
    user_id: uuid.UUID | str,
    amount: int,
    transaction_key: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Posting:
    """Paid credits (TOP_UP), keyed by the payment's id so a repeated fulfilment adds nothing."""
    _require_positive(amount)
    return _post_one(
        user_id=user_id,
        amount=amount,
        type=CreditTransactionType.TOP_UP,
        transaction_key=transaction_key,
        metadata=metadata,
    )


def new_user_grant_key(user_id: uuid.UUID | str) -> str:
    return f"NEW_USER_GRANT-{user_id}"


def credits_grant_new_user(*, user_id: uuid.UUID | str) -> Posting | None:
    """`NEW_USER_CREDITS` for a new user, once whatever happens (the key is the user's)."""
    if settings.NEW_USER_CREDITS <= 0:
        return None
    return credits_grant(
        user_id=user_id,
        amount=settings.NEW_USER_CREDITS,
        transaction_key=new_user_grant_key(user_id),
        metadata={"reason": "New user credits"},
    )


def credits_admin_add(
    *,
    admin_id: uuid.UUID | str,
    user_id: uuid.UUID | str,
    amount: int,
    comments: str,
    transaction_key: str | None = None,
) -> Posting:
    """A staff grant (GRANT, as upstream); a negative amount is a correction that may not overdraw."""
    if not User.objects.filter(pk=user_id).exists():
        raise NotFoundError(f"User #{user_id} not found.")
    try:
        return _post_one(
            user_id=user_id,
            amount=amount,
            type=CreditTransactionType.GRANT,
            transaction_key=transaction_key,
            metadata={"admin_id": str(admin_id), "reason": comments},
        )
    except InsufficientBalanceError as error:
        raise NegativeBalanceError(balance=error.balance, amount=amount) from error
