"""Sharing a run: a token that lets anyone read its outcome, and nothing else, without signing in."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from apps.core.exceptions import NotFoundError
from apps.executions.models import GraphExecution


class SharedRunNotFoundError(NotFoundError):
    def default_message(self) -> str:
        return "Shared execution not found"


def share_url(token: uuid.UUID) -> str:
    return f"{settings.FRONTEND_BASE_URL.rstrip('/')}/share/{token}"


def execution_share(*, run: GraphExecution) -> uuid.UUID:
    """Shares the run under a new token; sharing again replaces the token, so older links stop working."""
    token = uuid.uuid4()
    GraphExecution.objects.filter(pk=run.pk).update(is_shared=True, share_token=token, shared_at=timezone.now())
    return token


def execution_unshare(*, run: GraphExecution) -> None:
    GraphExecution.objects.filter(pk=run.pk).update(is_shared=False, share_token=None, shared_at=None)


def shared_run_get(*, token: str) -> GraphExecution:
    """The shared, not deleted run with this token; any other token, well-formed or not, is not found."""
    try:
        parsed = uuid.UUID(token)
    except ValueError:
        raise SharedRunNotFoundError() from None
    run = (
        GraphExecution.objects.select_related("graph")
        .filter(share_token=parsed, is_shared=True, is_deleted=False)
        .first()
    )
    if run is None:
        raise SharedRunNotFoundError()
    return run
