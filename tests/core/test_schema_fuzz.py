"""schemathesis against our own OpenAPI document and a live server, with every check it has.

The caller owns data (graphs, a finished run, an API key, a preset, a schedule, credentials), and
the document handed to schemathesis names those ids as its path parameters' examples, so the
examples phase reaches real objects rather than only 404s. Every route is covered; no request may
get a 5xx, an undocumented status or content type, or a body off its documented schema.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from apps.accounts.services import tokens_issue
from apps.api_keys.models import APIKeyPermission
from tests.conftest import client_for, funded_user
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, graph, link, node
from tests.runs import create_graph, execute, wait_for_run

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Rules no schema can state (a cron expression that parses, a timezone that exists, a password
# not too common, a graph whose links fit its blocks, enough credits) make a schema-valid request
# a 4xx: the positive-data check accepts those, each documented on its operation.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "402", "403", "404", "409", "410", "413", "422", "429"]
"""


def _owned_data(user: Any) -> dict[str, str]:
    """Objects of every kind the caller owns, by the name of the path parameter naming each."""
    client = client_for(user)
    source, sink = node(AGENT_INPUT, {"name": "text"}), node(AGENT_OUTPUT, {"name": "echo"})
    echo = create_graph(client, graph([source, sink], [link(source, "result", sink, "value")], name="Echo"))
    run = execute(client, echo, {"text": "hello"})
    wait_for_run(run["id"])
    every_permission = [str(permission) for permission in APIKeyPermission.values]
    key, caller_key = (
        client.post("/api/api-keys", {"name": name, "permissions": every_permission}, format="json").json()
        for name in ("examples", "caller")  # the examples revoke theirs; the caller's must stay valid
    )
    preset_body = {"graph_id": echo["id"], "graph_version": 1, "inputs": {"text": "x"}, "credentials": {}, "name": "P"}
    preset = client.post("/api/library/presets", {**preset_body, "description": ""}, format="json").json()
    schedule_body = {"name": "S", "cron": "0 9 * * 1", "inputs": {"text": "x"}}
    schedule = client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body, format="json").json()
    credentials = client.post(
        "/api/integrations/openai/credentials", {"type": "api_key", "api_key": "sk-fuzz", "title": "t"}, format="json"
    ).json()
    share = client.post(f"/api/graphs/{echo['id']}/executions/{run['id']}/share").json()
    agents = client.get("/api/library/agents").json()["agents"]
    return {
        "api_key": caller_key["plain_text_key"],
        "graph_id": echo["id"],
        "version": "1",
        "run_id": run["id"],
        "key_id": key["api_key"]["id"],
        "preset_id": preset["id"],
        "schedule_id": schedule["id"],
        "cred_id": credentials["id"],
        "provider": "openai",
        "share_token": share["share_token"],
        "library_agent_id": agents[0]["id"],
        "block_id": STORE_VALUE,
    }


def _with_examples(document: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in ids:
                    parameter["example"] = ids[parameter["name"]]
    return document


@pytest.mark.usefixtures("celery_worker_process")
def test_fuzzed_requests_meet_every_check(live_server, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/m")
    # Every OAuth provider configured (at an address nothing listens on), so signing in is
    # reachable logic rather than a 501, and exchanging a made-up code a 4xx.
    settings.OAUTH_PROVIDERS = {
        name: {**config, "client_id": "fuzz", "client_secret": "fuzz", "base_url": "http://127.0.0.1:9"}
        for name, config in settings.OAUTH_PROVIDERS.items()
    }
    user = funded_user(is_staff=True)  # staff: the admin routes too
    document = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=30).json()
    owned = _owned_data(user)
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(_with_examples(document, owned)))
    config_path = tmp_path / "schemathesis.toml"
    config_path.write_text(CONFIG)
    token = tokens_issue(user=user)["access"]
    schemathesis = Path(sys.executable).with_name("st")

    result = subprocess.run(
        [
            str(schemathesis),
            "--config-file",
            str(config_path),
            "run",
            str(schema_path),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--header",  # the external API's routes take an API key (and ignore the token)
            f"X-API-Key: {owned['api_key']}",
            # Bounded for CI: about a minute. The coverage phase (every boundary of every field)
            # alone takes minutes; run it by hand with `--phases coverage` when the schema changes.
            "--max-examples",
            "10",
            "--phases",
            "examples,fuzzing,stateful",
            "--workers",
            "1",  # Python 3.11's parser is not thread-safe: parallel workers crash hypothesis now and then
            "--seed",
            "1",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--report-dir",
            str(tmp_path),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # schemathesis keeps a cache in its working directory
    )

    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
