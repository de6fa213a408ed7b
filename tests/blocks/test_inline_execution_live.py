"""POST /api/blocks/{id}/execute against a real daphne: a block call never holds the web process."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from apps.accounts.models import User
from tests.realtime.conftest import access_token
from tests.web import Web

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

MATCH_TEXT_PATTERN = "3060088f-6ed9-4928-9ba7-9c92823a7ccd"
FILL_TEXT_TEMPLATE = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
ENDLESS_TEMPLATE = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"


def _execute_in_background(web: Web, user: User, block_id: str, body: dict[str, Any]) -> tuple[threading.Thread, list]:
    answers: list[httpx.Response] = []

    def call() -> None:
        headers = {"Authorization": f"Bearer {access_token(user)}"}
        answers.append(httpx.post(f"{web.http}/api/blocks/{block_id}/execute", json=body, headers=headers, timeout=60))

    thread = threading.Thread(target=call)
    thread.start()
    return thread, answers


def test_health_answers_within_a_second_while_a_template_runs_until_its_limit(
    web_process: Web,
    user: User,
    user_has_credits: None,
) -> None:
    thread, answers = _execute_in_background(
        web_process, user, FILL_TEXT_TEMPLATE, {"values": {}, "format": ENDLESS_TEMPLATE}
    )

    checks = 0
    while thread.is_alive():
        # A timeout here (httpx.ReadTimeout) fails the test: the web process was held.
        assert httpx.get(f"{web_process.http}/health", timeout=1.0).status_code == 200
        checks += 1
        thread.join(0.2)

    assert checks >= 3
    assert answers[0].status_code == 400
    assert answers[0].json()["message"] == "Evaluating the pattern took longer than 3 seconds"


def test_a_backtracking_pattern_is_answered_at_once_by_the_web_process(
    web_process: Web,
    user: User,
    user_has_credits: None,
) -> None:
    body = {"text": "a" * 50_000 + "!", "match": "(a+)+$", "data": "x"}
    thread, answers = _execute_in_background(web_process, user, MATCH_TEXT_PATTERN, body)

    thread.join(30)

    assert answers[0].status_code == 200
    assert answers[0].json() == {"negative": ["x"]}
    assert httpx.get(f"{web_process.http}/health", timeout=1.0).status_code == 200
