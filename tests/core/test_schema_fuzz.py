"""schemathesis against our own OpenAPI schema and a live server: no client input yields a 5xx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apps.accounts.services import tokens_issue
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_fuzzed_requests_never_get_a_server_error(live_server, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/m")
    token = tokens_issue(user=UserFactory(is_staff=True))["access"]  # staff: the admin routes too
    schemathesis = Path(sys.executable).with_name("st")

    result = subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{live_server.url}/api/schema/?format=json",
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "25",
            "--phases",
            "examples,fuzzing",
            "--workers",
            "1",
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

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
