"""Reads: balances, the 402 pre-check, and the ledger in upstream's `UserTransaction` shape."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Replace

from apps.accounts.models import User
from apps.core.api.pagination import paginate
from apps.credits.exceptions import EXECUTE_WITHOUT_CREDITS_MESSAGE, InsufficientBalanceError
from apps.credits.models import CreditTransaction, CreditTransactionType, UserBalance

# Upstream's "unset" times in UserTransaction.
TIME_MIN = datetime.min.replace(tzinfo=UTC)
TIME_MAX = datetime.max.replace(tzinfo=UTC)
# What upstream's DisabledUserCredit reports as everyone's balance when billing is off.
DISABLED_CREDIT_BALANCE = 100


def credits_get_ledger_balance(*, user_id: uuid.UUID | str) -> int:
    """The stored balance (the sum of the user's active ledger amounts), billing on or off."""
    balance = UserBalance.objects.filter(user_id=user_id).values_list("balance", flat=True).first()
    return balance or 0


def credits_get_balance(*, user_id: uuid.UUID | str) -> int:
    """The balance users see (`GET /api/credits`): 100 for everyone while billing is off, as upstream."""
    if not settings.ENABLE_CREDIT:
        return DISABLED_CREDIT_BALANCE
    return credits_get_ledger_balance(user_id=user_id)


def credits_check_can_execute(*, user_id: uuid.UUID | str) -> None:
    """The pre-check before a run starts: 402 when the balance is 0 (never with billing off)."""
    if not settings.ENABLE_CREDIT:
        return
    balance = credits_get_ledger_balance(user_id=user_id)
    if balance <= 0:
        raise InsufficientBalanceError(balance=balance, cost=1, message=EXECUTE_WITHOUT_CREDITS_MESSAGE)


@dataclass
class UserTransaction:
    """Upstream's `UserTransaction`, defaults included (their min/max times mean "unset")."""

    transaction_key: str = ""
    transaction_time: datetime = TIME_MIN
    transaction_type: str = CreditTransactionType.USAGE
    amount: int = 0
    running_balance: int = 0
    current_balance: int = 0
    description: str | None = None
    usage_graph_id: str | None = None
    usage_execution_id: str | None = None
    usage_node_count: int = 0
    usage_start_time: datetime = TIME_MAX
    user_id: str = ""
    user_email: str | None = None
    reason: str | None = None
    admin_email: str | None = None
    extra_data: str | None = None
    _node_exec_ids: set[str] = field(default_factory=set, repr=False)


@dataclass(frozen=True)
class TransactionHistory:
    transactions: list[UserTransaction]
    next_transaction_time: datetime | None


def _add_to_group(group: UserTransaction, tx: CreditTransaction) -> None:
    metadata = tx.metadata or {}
    if tx.type == CreditTransactionType.USAGE and metadata.get("graph_exec_id"):
        graph_id = metadata.get("graph_id")
        group.description = f"Graph #{graph_id[:8] if graph_id else 'UNKNOWN'} Execution"
        # A node's block cost and execution cost are two rows of one node execution.
        group._node_exec_ids.add(metadata.get("node_exec_id") or tx.transaction_key)
        group.usage_node_count = len(group._node_exec_ids)
        group.usage_start_time = min(group.usage_start_time, tx.created_at)
        group.usage_execution_id = metadata["graph_exec_id"]
        group.usage_graph_id = graph_id
    else:
        group.description = f"{tx.type} Transaction"
        group.transaction_key = tx.transaction_key
        group.reason = metadata.get("reason")
    group.amount += tx.amount
    group.transaction_type = tx.type
    if tx.created_at > group.transaction_time:
        group.transaction_time = tx.created_at
        group.running_balance = tx.running_balance


def credits_transaction_history(
    *,
    user_id: uuid.UUID | str,
    limit: int = 100,
    before: datetime | None = None,
    transaction_type: str | None = None,
) -> TransactionHistory:
    """The user's latest `limit` transactions before `before`, USAGE grouped per graph execution.

    As upstream, `next_transaction_time` is the oldest row's time when the page is full:
    pass it as `before` for the next page.
    """
    if not settings.ENABLE_CREDIT:
        return TransactionHistory(transactions=[], next_transaction_time=None)
    rows = CreditTransaction.objects.filter(user_id=user_id, is_active=True)
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    if transaction_type:
        rows = rows.filter(type=transaction_type)
    transactions = list(rows.order_by("-created_at")[:limit])

    current_balance = credits_get_ledger_balance(user_id=user_id)
    groups: dict[str, UserTransaction] = {}
    for tx in transactions:
        graph_exec_id = (tx.metadata or {}).get("graph_exec_id")
        group_key = graph_exec_id if tx.type == CreditTransactionType.USAGE and graph_exec_id else tx.transaction_key
        if group_key not in groups:
            groups[group_key] = UserTransaction(user_id=str(user_id), current_balance=current_balance)
        _add_to_group(groups[group_key], tx)
    return TransactionHistory(
        transactions=list(groups.values()),
        next_transaction_time=transactions[-1].created_at if len(transactions) == limit else None,
    )


def _admin_history_rows(*, search: str | None, transaction_type: str | None) -> QuerySet[CreditTransaction]:
    rows = CreditTransaction.objects.select_related("user", "user__credit_balance").order_by("-created_at")
    if transaction_type:
        rows = rows.filter(type=transaction_type)
    if search:
        matches = Q(user__email__icontains=search) | Q(user__name__icontains=search)
        if hex_digits := search.replace("-", ""):
            # Ids match with or without their dashes, whatever text the database casts a UUID to.
            user_id_hex = Replace(Cast("user_id", CharField()), Value("-"), Value(""))
            rows = rows.annotate(user_id_hex=user_id_hex)
            matches |= Q(user_id_hex__icontains=hex_digits)
        rows = rows.filter(matches)
    return rows


def _admin_row(tx: CreditTransaction, admin_emails: dict[str, str]) -> UserTransaction:
    metadata: dict[str, Any] = tx.metadata or {}
    admin_id = metadata.get("admin_id")
    balance = getattr(tx.user, "credit_balance", None)
    return UserTransaction(
        transaction_key=tx.transaction_key,
        transaction_time=tx.created_at,
        transaction_type=tx.type,
        amount=tx.amount,
        running_balance=tx.running_balance,
        current_balance=balance.balance if balance is not None else 0,
        user_id=str(tx.user_id),
        user_email=tx.user.email,
        reason=metadata.get("reason", "No reason provided") if metadata else "",
        admin_email=(admin_emails.get(admin_id) or f"Unknown Admin: {admin_id}") if admin_id else "",
        extra_data=json.dumps(metadata, sort_keys=True),
    )


def credits_admin_history(
    *, search: str | None, transaction_type: str | None, page: int, page_size: int
) -> dict[str, Any]:
    """Every user's transactions, newest first, one row each: `{history, pagination}`."""
    result = paginate(
        _admin_history_rows(search=search, transaction_type=transaction_type),
        page=page,
        page_size=page_size,
        key="history",
        render=lambda tx: tx,
    )
    rows: list[CreditTransaction] = result["history"]
    admin_ids = {str(tx.metadata["admin_id"]) for tx in rows if (tx.metadata or {}).get("admin_id")}
    admin_emails = {
        str(pk): email for pk, email in User.objects.filter(pk__in=_uuids(admin_ids)).values_list("pk", "email")
    }
    result["history"] = [_admin_row(tx, admin_emails) for tx in rows]
    return result


def _uuids(values: set[str]) -> list[uuid.UUID]:
    parsed = []
    for value in values:
        try:
            parsed.append(uuid.UUID(value))
        except ValueError:
            continue
    return parsed
