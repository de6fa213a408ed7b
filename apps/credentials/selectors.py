"""Reads on credentials. Someone else's credentials are indistinguishable from missing ones."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.blocks.registry import all_blocks
from apps.credentials.codec import to_runtime
from apps.credentials.exceptions import CredentialsNotFoundError
from apps.credentials.fields import is_credentials_field_name, schema_credentials_info
from apps.credentials.models import Credential
from apps.credentials.platform import platform_credential, platform_credentials
from apps.credentials.types import AnyCredentials
from apps.graphs.models import Graph, Node
from apps.library.models import AgentPreset
from apps.schedules.models import Schedule


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def credentials_list(*, user: User, provider: str | None = None) -> list[Credential | AnyCredentials]:
    """The user's own credentials (oldest first), then the platform's; for lists, nothing decrypted."""
    rows: QuerySet[Credential] = Credential.objects.filter(user=user).order_by("created_at", "id")
    platform = platform_credentials()
    if provider is not None:
        rows = rows.filter(provider=provider)
        platform = [item for item in platform if item.provider == provider]
    return [*rows, *platform]


def credential_get_for_user(*, user: User, credentials_id: str, provider: str | None = None) -> Credential:
    pk = _uuid(credentials_id)
    row = Credential.objects.filter(pk=pk, user=user).first() if pk is not None else None
    if row is None or (provider is not None and row.provider != provider):
        raise CredentialsNotFoundError()
    return row


def credentials_get(*, user: User, credentials_id: str, provider: str) -> AnyCredentials:
    """The user's (or the platform's) credentials with this id and provider, secrets included."""
    platform = platform_credential(credentials_id)
    if platform is not None:
        if platform.provider != provider:
            raise CredentialsNotFoundError()
        return platform
    return to_runtime(credential_get_for_user(user=user, credentials_id=credentials_id, provider=provider))


def credentials_kinds(*, user_id: Any, credentials_ids: set[str]) -> dict[str, tuple[str, str]]:
    """`{id: (provider, type)}` of those of the ids that name the user's or the platform's credentials."""
    found: dict[str, tuple[str, str]] = {}
    for credentials_id in credentials_ids:
        if (platform := platform_credential(credentials_id)) is not None:
            found[credentials_id] = (platform.provider, platform.type)
    pks = [pk for credentials_id in credentials_ids if (pk := _uuid(credentials_id)) is not None]
    if pks:
        for pk, provider, kind in Credential.objects.filter(user_id=user_id, pk__in=pks).values_list(
            "pk", "provider", "type"
        ):
            found[str(pk)] = (provider, kind)
    return found


def _credentials_block_ids() -> list[str]:
    return [block.id for block in all_blocks() if schema_credentials_info(block.Input)]


def credential_usages(*, user: User, credentials_id: str) -> list[str]:
    """Names of the user's agents with a node that keeps a reference to these credentials."""
    graph_pks = set()
    nodes = Node.objects.filter(graph__user=user, block_id__in=_credentials_block_ids()).values_list(
        "graph_id", "input_default"
    )
    for graph_pk, input_default in nodes.iterator(chunk_size=1000):
        for name, value in (input_default or {}).items():
            if is_credentials_field_name(name) and isinstance(value, dict) and value.get("id") == credentials_id:
                graph_pks.add(graph_pk)
    public_ids = set(Graph.objects.filter(pk__in=graph_pks).values_list("graph_id", flat=True))
    active = Graph.objects.filter(graph_id__in=public_ids, is_active=True).order_by("name", "graph_id")
    return [graph.name or str(graph.graph_id) for graph in active]


def _references(credentials_inputs: Any, credentials_id: str) -> bool:
    values = credentials_inputs.values() if isinstance(credentials_inputs, dict) else ()
    return any(isinstance(value, dict) and value.get("id") == credentials_id for value in values)


def credential_schedule_usages(*, user: User, credentials_id: str) -> list[str]:
    """Names of the user's schedules that pass these credentials to their runs."""
    schedules = Schedule.objects.filter(user=user).values_list("name", "credentials_inputs")
    return sorted(name for name, inputs in schedules.iterator(chunk_size=1000) if _references(inputs, credentials_id))


def credential_preset_usages(*, user: User, credentials_id: str) -> list[str]:
    """Names of the user's presets (not deleted) that pass these credentials to their runs."""
    presets = AgentPreset.objects.filter(user=user, is_deleted=False).values_list("name", "credentials_inputs")
    return sorted(name for name, inputs in presets.iterator(chunk_size=1000) if _references(inputs, credentials_id))
