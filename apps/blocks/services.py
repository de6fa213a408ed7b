"""Running one block outside a graph (POST /api/blocks/{id}/execute)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any

from django.conf import settings

from apps.blocks.base import Block, BlockError, BlockExecutionError
from apps.blocks.models import StoredValue
from apps.core.exceptions import ApplicationError
from apps.core.jsonsafe import json_safe
from apps.credentials.runs import credentials_for_block


class BlockTimeoutError(ApplicationError):
    code = "BLOCK_TIMEOUT"


async def _collect(block: Block, input_data: dict[str, Any], context: dict[str, Any]) -> dict[str, list[Any]]:
    outputs: dict[str, list[Any]] = {}
    try:
        async for pin, value in block.execute(input_data, **context):
            outputs.setdefault(pin, []).append(json_safe(value))
    except BlockError:
        raise
    except Exception as error:
        # `execute` lets transient failures (its RetryPolicy's) through for the engine to retry;
        # inline there is no retry, so they are the caller's error like any other failure.
        raise BlockExecutionError(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__) from error
    return outputs


def block_execute_inline(*, block: Block, input_data: dict[str, Any], user_id: str) -> dict[str, list[Any]]:
    """`{pin: [values]}` of one execution, charged as a node execution, within the inline time limit.

    The credentials the input refers to are handed to the block as in a graph. Raises
    `BlockError` as is (invalid input before anything is charged), `CredentialsUnavailableError`,
    and `InsufficientBalanceError` (402) before running when the user cannot pay.
    """
    from apps.credits.charging import credits_charge_node_execution
    from apps.credits.selectors import credits_check_can_execute

    execution_id = str(uuid.uuid4())
    block.parse_input(input_data)
    credits_check_can_execute(user_id=user_id)
    credentials = credentials_for_block(user_id=user_id, block=block, input_data=input_data)
    credits_charge_node_execution(
        user_id=user_id,
        node_exec_id=execution_id,
        graph_exec_id="",
        graph_id="",
        node_id="",
        block=block,
        input_data=input_data,
    )
    context = {
        "user_id": user_id,
        "graph_id": "",
        "graph_version": 0,
        "graph_exec_id": "",
        "node_id": "",
        "node_exec_id": execution_id,
        **credentials.kwargs,
    }
    limit = settings.BLOCK_INLINE_TIME_LIMIT_SECONDS
    try:
        return _run_in_own_thread(asyncio.wait_for(_collect(block, input_data, context), timeout=limit), limit)
    except (TimeoutError, FutureTimeoutError) as error:
        raise BlockTimeoutError(f"Block {block.name} did not finish within {limit:g} seconds") from error
    except BlockError as error:
        # A block may quote its credentials in an error: the caller sees them masked, and the
        # original (with its message) is not chained on for a traceback to print.
        scrubbed = credentials.scrub(str(error))
        if scrubbed == str(error):
            raise
        raise BlockExecutionError(scrubbed) from None


def _run_in_own_thread(coroutine: Coroutine[Any, Any, dict[str, list[Any]]], limit: float) -> dict[str, list[Any]]:
    """Runs `coroutine` on an event loop of its own thread and waits at most `limit` (and a second) for it.

    The caller is a request's thread; the wait holds even if a block ever failed to
    yield to its loop, so the request answers in time either way.
    """
    result: Future[dict[str, list[Any]]] = Future()

    def run() -> None:
        try:
            result.set_result(asyncio.run(coroutine))
        except BaseException as error:  # noqa: BLE001 - handed to the waiting request as is
            result.set_exception(error)

    threading.Thread(target=run, name="inline-block", daemon=True).start()
    return result.result(timeout=limit + 1)


async def stored_value_set(*, user_id: str, key: str, data: Any, node_exec_id: str) -> Any:
    """Stores `data` for the user under `key` (replacing what was there); returns it."""
    await StoredValue.objects.aupdate_or_create(
        user_id=user_id, key=key, defaults={"data": data, "node_exec_id": node_exec_id}
    )
    return data
