"""With the database or Redis unreachable, every route answers 503 (or what it needs neither for), never 500."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.models import User
from tests.processes import free_port
from tests.realtime.conftest import access_token
from tests.web import Web, daphne

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

PLACEHOLDERS = {"uuid": str(uuid.uuid4()), "version": "1", "int": "1", "str": "x", "path": "x"}
METHODS = ("get", "post", "put", "patch", "delete")


def _routes(patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "") -> Iterator[tuple[str, object]]:
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route, pattern.callback


def _calls() -> list[tuple[str, str]]:
    calls = []
    for route, callback in _routes():
        if route.startswith(("static/", "admin/")) or "(?P" in route or "^" in route:
            continue
        path = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda match: PLACEHOLDERS[match.group(1) or "str"], route)
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        methods = [method for method in METHODS if hasattr(view_class, method)] if view_class else ["get"]
        calls += [(method, path) for method in methods]
    calls += [("get", "/admin/"), ("post", "/admin/login/")]
    return calls


def _answers(web: Web, user: User) -> dict[tuple[str, str], httpx.Response]:
    headers = {"Authorization": f"Bearer {access_token(user)}", "X-API-Key": "agpt_" + secrets.token_urlsafe(32)}
    with httpx.Client(base_url=web.http, timeout=30, headers=headers) as client:
        return {(method, path): client.request(method, path, json={}) for method, path in _calls()}


def _unavailable(answers: dict[tuple[str, str], httpx.Response], dependency: str) -> set[str]:
    """The calls answered 503, after checking that nothing else was a server error and each 503 says why."""
    server_errors = {call: answer.status_code for call, answer in answers.items() if answer.status_code in (500, 502)}
    assert server_errors == {}
    assert all(answer.status_code < 500 or answer.status_code == 503 for answer in answers.values())
    unavailable = set()
    for (method, path), answer in answers.items():
        if answer.status_code == 503:
            unavailable.add(f"{method.upper()} {path}")
            if path != "/health":
                assert answer.json()["message"] == f"{dependency} is unreachable; retry shortly."
                assert answer.headers["Retry-After"] == "5"
    return unavailable


def test_every_route_answers_503_when_the_database_is_unreachable(tmp_path: Path, user: User) -> None:
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"
    with daphne(tmp_path / "daphne.log", ready=_answers_at_all, DATABASE_URL=unreachable) as web:
        answers = _answers(web, user)

    unavailable = _unavailable(answers, "The database")
    assert {"GET /api/graphs", "POST /api/graphs", "GET /api/credits", "GET /external-api/v1/me"} <= unavailable


def test_every_route_answers_without_a_server_error_when_redis_is_unreachable(tmp_path: Path, user: User) -> None:
    with daphne(tmp_path / "daphne.log", ready=_answers_at_all, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as web:
        answers = _answers(web, user)

    unavailable = _unavailable(answers, "Redis")
    assert "GET /health" in unavailable
    assert answers[("get", "/api/graphs")].status_code == 200


def _answers_at_all(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=2)
    except httpx.HTTPError:
        return False
    return True
