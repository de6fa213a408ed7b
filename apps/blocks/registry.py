"""Every block class in `apps/blocks/library/`, instantiated once, by id."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from apps.blocks import library
from apps.blocks.base import Block


@cache
def _registry() -> dict[str, Block]:
    blocks: dict[str, Block] = {}
    for module_info in pkgutil.iter_modules(library.__path__):
        module = importlib.import_module(f"{library.__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Block) or cls.__module__ != module.__name__ or "id" not in cls.__dict__:
                continue
            if cls.id in blocks:
                raise RuntimeError(f"Block id {cls.id} is used by {cls.__name__} and {type(blocks[cls.id]).__name__}")
            blocks[cls.id] = cls()
    return blocks


def get_block(block_id: str) -> Block | None:
    block = _registry().get(block_id)
    return None if block is None or block.disabled else block


def all_blocks() -> list[Block]:
    return [block for block in _registry().values() if not block.disabled]
