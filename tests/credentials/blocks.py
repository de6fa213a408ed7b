"""Blocks that take credentials, for tests: registered only while a test uses them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from apps.blocks.base import Block, BlockOutput
from apps.blocks.registry import _registry
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName


class OpenAIEcho(Block):
    id = "0c7d3e2a-5b1f-4e8a-9d6c-1a2b3c4d5e01"

    class Input(BlockSchemaInput):
        text: str = SchemaField(default="")
        credentials: CredentialsMetaInput[Literal[ProviderName.OPENAI], Literal["api_key"]] = CredentialsField()

    class Output(BlockSchemaOutput):
        key_tail: str = SchemaField()

    costs = ()

    async def run(self, input_data: Any, **context: Any) -> BlockOutput:
        yield "key_tail", context["credentials"].api_key.get_secret_value()[-4:]


class LeakyOpenAIBlock(OpenAIEcho):
    """A careless block that quotes its key in an error."""

    id = "0c7d3e2a-5b1f-4e8a-9d6c-1a2b3c4d5e04"

    async def run(self, input_data: Any, **context: Any) -> BlockOutput:
        raise ValueError(f"The provider rejected key {context['credentials'].api_key.get_secret_value()}")
        yield  # an async generator, as every block


class GitHubRepoReader(Block):
    id = "0c7d3e2a-5b1f-4e8a-9d6c-1a2b3c4d5e02"

    class Input(BlockSchemaInput):
        repo: str = SchemaField(default="")
        credentials: CredentialsMetaInput[Literal[ProviderName.GITHUB], Literal["oauth2"]] = CredentialsField(
            required_scopes={"repo"}
        )

    class Output(BlockSchemaOutput):
        ok: bool = SchemaField()

    async def run(self, input_data: Any, **context: Any) -> BlockOutput:
        yield "ok", True


class GitHubProfileReader(GitHubRepoReader):
    id = "0c7d3e2a-5b1f-4e8a-9d6c-1a2b3c4d5e03"

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput[Literal[ProviderName.GITHUB], Literal["oauth2"]] = CredentialsField(
            required_scopes={"read:user"}
        )


@contextmanager
def registered(*block_classes: type[Block]) -> Iterator[None]:
    """The blocks, in the registry for the duration (a block already there by that id stays as it is)."""
    registry = _registry()
    added = [cls for cls in block_classes if cls.id not in registry]
    for cls in added:
        registry[cls.id] = cls()
    try:
        yield
    finally:
        for cls in added:
            registry.pop(cls.id, None)
