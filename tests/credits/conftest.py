from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from django.db.models import Sum

from apps.accounts.models import User
from apps.blocks.base import Block, BlockCost, BlockOutput
from apps.core.events import user_channel
from apps.core.redis import get_redis
from apps.credits.models import CreditTransaction
from apps.credits.selectors import credits_get_ledger_balance


class FreeBlock(Block):
    id = "6f0c5d1e-0000-4000-8000-00000000f1ee"

    async def run(self, input_data: Any, **context: Any) -> BlockOutput:
        yield "output", None


class PricedBlock(Block):
    """3 credits with the platform's key, 0 with the user's own, 7 for the big model."""

    id = "6f0c5d1e-0000-4000-8000-0000000000c5"
    costs: ClassVar[tuple[BlockCost, ...]] = (
        BlockCost(cost_amount=7, cost_filter={"model": "big", "credentials": {"provider": "platform"}}),
        BlockCost(cost_amount=3, cost_filter={"credentials": {"provider": "platform"}}),
    )

    async def run(self, input_data: Any, **context: Any) -> BlockOutput:
        yield "output", None


def ledger_sum(user_id: uuid.UUID | str) -> int:
    return (
        CreditTransaction.objects.filter(user_id=user_id, is_active=True).aggregate(total=Sum("amount"))["total"] or 0
    )


def assert_ledger_consistent(user: User) -> None:
    balance = credits_get_ledger_balance(user_id=user.pk)
    assert balance >= 0
    assert balance == ledger_sum(user.pk)


def node_charge_kwargs(user: User, block: Block, **overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "user_id": user.pk,
        "node_exec_id": str(uuid.uuid4()),
        "graph_exec_id": str(uuid.uuid4()),
        "graph_id": str(uuid.uuid4()),
        "node_id": str(uuid.uuid4()),
        "block": block,
        "input_data": {},
    }
    return {**kwargs, **overrides}


@pytest.fixture
def notifications(user: User) -> Iterator[Callable[..., list[dict[str, Any]]]]:
    """Subscribes to the user's channel on the real Redis; call it to read what was published."""
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(user_channel(user.pk))

    def read(*, wait: float = 1.0) -> list[dict[str, Any]]:
        received = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.05)
            if message is not None:
                received.append(json.loads(message["data"]))
                deadline = time.monotonic() + 0.1
        return received

    yield read
    pubsub.close()
