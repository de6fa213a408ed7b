"""Credit errors, rendered by the one exception handler."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError

EXECUTE_WITHOUT_CREDITS_MESSAGE = "Insufficient balance to execute the agent. Please top up your account."


def _dollars(credits: int) -> str:
    # Upstream formats with plain float division: 50 credits -> "$0.5", 1000 -> "$10.0".
    return f"${credits / 100}"


class InsufficientBalanceError(ApplicationError):
    """A charge larger than the balance. Nothing was written."""

    status_code = 402
    code = "INSUFFICIENT_BALANCE"
    hint = "Top up your credits and retry."

    def __init__(self, *, balance: int, cost: int, message: str | None = None) -> None:
        self.balance = balance
        self.cost = cost
        super().__init__(
            message or f"Insufficient balance of {_dollars(balance)}, where this will cost {_dollars(cost)}"
        )

    @property
    def shortfall(self) -> int:
        return self.cost - self.balance


class NegativeBalanceError(ApplicationError):
    """A correction that would take the balance below zero."""

    code = "NEGATIVE_BALANCE"

    def __init__(self, *, balance: int, amount: int) -> None:
        super().__init__(f"A change of {amount} credits would take the balance of {balance} credits below zero.")


class BalanceLimitError(ApplicationError):
    code = "BALANCE_LIMIT"

    def __init__(self, *, limit: int) -> None:
        super().__init__(f"A balance cannot exceed {limit} credits.")
