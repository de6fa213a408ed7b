"""The credit ledger and the balance it adds up to.

Credits are integers; 1 credit = 1 US cent, as upstream. Rows are written only by
`apps.credits.services`, under a lock on the user's balance row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class CreditTransactionType(models.TextChoices):
    TOP_UP = "TOP_UP"
    USAGE = "USAGE"
    GRANT = "GRANT"
    REFUND = "REFUND"


class CreditTransaction(models.Model):
    """One signed change of a user's balance. `transaction_key` is the idempotency key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_transactions")
    transaction_key = models.CharField(max_length=255)
    amount = models.IntegerField()
    type = models.CharField(max_length=16, choices=CreditTransactionType.choices)
    # The balance right after this transaction: a snapshot, as upstream's runningBalance.
    running_balance = models.IntegerField()
    metadata = models.JSONField(default=dict, blank=True)
    # Inactive rows (upstream: un-paid checkouts) do not count towards the balance.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "transaction_key"], name="credits_tx_key_unique_per_user"),
            models.CheckConstraint(
                condition=models.Q(running_balance__gte=0), name="credits_tx_running_balance_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="credits_tx_user_created")]

    def __str__(self) -> str:
        return f"{self.type} {self.amount:+d} ({self.transaction_key})"


class UserBalance(models.Model):
    """The sum of a user's active ledger amounts, kept as one row to lock and update."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="credit_balance"
    )
    balance = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="credits_balance_not_negative")]

    def __str__(self) -> str:
        return f"{self.balance} credits"
