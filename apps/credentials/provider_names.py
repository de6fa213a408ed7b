"""Every provider name this server knows: upstream's list, and those its blocks, OAuth and platform credentials use."""

from __future__ import annotations

from functools import cache

from apps.blocks.registry import all_blocks
from apps.credentials.fields import schema_credentials_info
from apps.credentials.oauth import HANDLERS
from apps.credentials.platform import PLATFORM_CREDENTIALS
from apps.credentials.providers import ProviderName


@cache
def all_provider_names() -> list[str]:
    names = (
        {member.value for member in ProviderName} | set(HANDLERS) | {entry.provider for entry in PLATFORM_CREDENTIALS}
    )
    for block in all_blocks():
        for info in schema_credentials_info(block.Input).values():
            names.update(info.providers)
    return sorted(names)
