"""Blocks that hold their worker thread, for the watchdog's tests: not in the catalog, registered by
the tests (`register`) and by the worker they start (`holding_worker_app`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from apps.blocks.base import Block, BlockOutput
from apps.blocks.registry import _registry
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


class _HoldingInput(BlockSchemaInput):
    how: str = SchemaField(
        description="`sleep`: a blocking call (C code); `spin`: a Python loop that never awaits; "
        "`deaf`: awaits for ever, catching its cancellation."
    )


class _HoldingOutput(BlockSchemaOutput):
    output: str = SchemaField(description="Never produced.")


class _Holding(Block):
    Input = _HoldingInput
    Output = _HoldingOutput

    async def run(self, input_data: Any, **context: Any) -> BlockOutput:
        if input_data.how == "sleep":
            time.sleep(3600)
        elif input_data.how == "deaf":
            while True:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.sleep(3600)
        else:
            while True:
                sum(range(100))
        yield "output", "never"


class HoldingBlock(_Holding):
    """Holds its thread past its 2-second time limit."""

    id = "9a7d4c35-0a8e-4d36-9e64-2b1f3c5d7e01"
    time_limit = 2.0


class LongHoldingBlock(_Holding):
    """Holds its thread with a time limit no test waits for: only a stop ends it."""

    id = "9a7d4c35-0a8e-4d36-9e64-2b1f3c5d7e02"
    time_limit = 600.0


def register() -> None:
    for block in (HoldingBlock(), LongHoldingBlock()):
        _registry()[block.id] = block
