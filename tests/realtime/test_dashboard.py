"""/dashboard/ in a real browser (Debian's chromium, driven by Playwright) against daphne and a worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, COUNTDOWN_TIMER, STORE_VALUE, graph, link, node
from tests.runs import create_graph
from tests.web import Web

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no browser: {CHROMIUM} is missing (apt-get install -y chromium; CI has it)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "user_has_credits"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django takes
    # for async code; the test's own database calls are synchronous, as ever.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def sign_in(page: Any, web: Web, user: User) -> None:
    from playwright.sync_api import expect

    page.goto(f"{web.http}/dashboard/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your graphs")).to_be_visible()
    # Set once: a full page load would lose it.
    page.evaluate("window.loadedOnce = true")


def test_a_user_signs_in_starts_a_run_and_sees_every_node_complete_live(
    page: Any, web_process: Web, auth_client: APIClient, user: User
) -> None:
    from playwright.sync_api import expect

    source = node(AGENT_INPUT, {"name": "greeting"})
    middle = node(STORE_VALUE)
    result = node(AGENT_OUTPUT, {"name": "result"})
    create_graph(
        auth_client,
        graph(
            [source, middle, result],
            [link(source, "result", middle, "input"), link(middle, "output", result, "value")],
            name="Echo",
        ),
    )

    sign_in(page, web_process, user)
    page.get_by_role("link", name="Echo").click()
    page.get_by_label("greeting (required)").fill("hello from the browser")
    page.get_by_role("button", name="Start run").click()

    nodes = page.locator("#nodes tbody tr")
    expect(nodes.and_(page.locator('[data-status="COMPLETED"]'))).to_have_count(3)
    expect(page.locator("#run-status")).to_have_text("COMPLETED")
    expect(nodes.last).to_contain_text("hello from the browser")
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    expect(page.locator("#connection")).to_have_text("live")


def test_a_user_stops_a_long_run_and_sees_it_terminated_even_after_the_socket_dropped(
    page: Any, web_process: Web, auth_client: APIClient, user: User
) -> None:
    from playwright.sync_api import expect

    start = node(STORE_VALUE, {"input": "go"})
    # Longer than the test worker's block time limit (6 s): only the stop can end it in time.
    timer = node(COUNTDOWN_TIMER, {"seconds": 30})
    create_graph(auth_client, graph([start, timer], [link(start, "output", timer, "input_message")], name="Slow"))

    sign_in(page, web_process, user)
    page.get_by_role("link", name="Slow").click()
    page.get_by_role("button", name="Start run").click()
    expect(page.locator('#nodes tbody tr[data-status="RUNNING"]')).to_have_count(1)
    expect(page.locator("#connection")).to_have_text("live")
    page.evaluate("live.socket.close()")  # as a network drop would
    expect(page.locator("#connection")).to_have_text("reconnecting…")
    expect(page.locator("#connection")).to_have_text("live")
    page.get_by_role("button", name="Stop run").click()

    expect(page.locator("#run-status")).to_have_text("TERMINATED")
    expect(page.locator('#nodes tbody tr[data-status="TERMINATED"]')).to_have_count(1)
    expect(page.get_by_role("button", name="Stop run")).to_be_disabled()
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"


def test_a_graphs_page_lists_its_schedules_and_only_its_own(
    page: Any, web_process: Web, auth_client: APIClient, user: User
) -> None:
    from playwright.sync_api import expect

    source = node(AGENT_INPUT, {"name": "text"})
    sink = node(AGENT_OUTPUT, {"name": "echo"})
    shape = ([source, sink], [link(source, "result", sink, "value")])
    scheduled = create_graph(auth_client, graph(*shape, name="Scheduled"))
    other = create_graph(auth_client, graph(*shape, name="Other"))
    for target, name, cron in ((scheduled, "Weekday mornings", "0 9 * * 1-5"), (other, "Not this one", "0 0 * * *")):
        response = auth_client.post(
            f"/api/graphs/{target['id']}/schedules",
            {"name": name, "cron": cron, "inputs": {"text": "hi"}, "timezone": "Europe/Paris"},
            format="json",
        )
        assert response.status_code == 200, response.json()

    sign_in(page, web_process, user)
    page.get_by_role("link", name="Scheduled").click()

    rows = page.locator("#schedules tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Weekday mornings")
    expect(rows.first).to_contain_text("0 9 * * 1-5")
    expect(rows.first).to_contain_text("Europe/Paris")
    page.get_by_role("link", name="← All graphs").click()
    page.get_by_role("link", name="Other").click()
    expect(page.locator("#schedules tbody tr")).to_have_count(1)
    expect(page.locator("#schedules")).to_contain_text("Not this one")
