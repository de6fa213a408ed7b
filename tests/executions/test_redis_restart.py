"""A Redis restart loses no run: web, worker and beat on a private Redis that is killed mid-run.

Everything in Redis is lost (it keeps nothing on disk): queued messages, unacked
ones, the event counters. The database still says what is queued and running, so
once Redis is back the sweep (run by beat) sends the work again and the run ends.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from apps.accounts.models import User
from apps.accounts.services import tokens_issue
from apps.executions.models import ExecutionStatus, GraphExecution, NodeExecution
from config.embedded import start_redis_server, stop_redis_server
from config.env import BASE_DIR, env
from tests.executions.test_engine_chaos import slow_chain
from tests.processes import free_port, http_ok, stop_group, wait_until
from tests.worker import database_url_for_workers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start(command: list[str], child_env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=child_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def test_a_run_survives_a_redis_restart(user: User, tmp_path: Path) -> None:
    redis_port, web_port = free_port(), free_port()
    redis = start_redis_server(port=redis_port, data_dir=tmp_path / "redis")
    child_env = {
        **env.ENVIRON,
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ENGINE_LEASE_SECONDS": "3",
        "ENGINE_REQUEUE_AFTER_SECONDS": "2",
        "ENGINE_SWEEP_INTERVAL_SECONDS": "2",
    }
    python = sys.executable
    processes = [
        start(
            [python, "-m", "daphne", "-p", str(web_port), "config.asgi:application"], child_env, tmp_path / "web.log"
        ),
        start(
            [python, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2"],
            child_env,
            tmp_path / "worker.log",
        ),
        start(
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "-l",
                "info",
                "-S",
                "django",
                "--schedule",
                str(tmp_path / "beat"),
            ],
            child_env,
            tmp_path / "beat.log",
        ),
    ]
    try:
        base = f"http://127.0.0.1:{web_port}"
        wait_until(lambda: http_ok(f"{base}/health"), timeout=60, what="the web process")
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens_issue(user=user)['access']}"})
        created = client.post("/api/graphs", json={"graph": slow_chain(30)}, timeout=30).json()
        run_id = client.post(f"/api/graphs/{created['id']}/execute/1", json={"inputs": {}}, timeout=30).json()["id"]
        wait_until(
            lambda: NodeExecution.objects.filter(graph_execution_id=run_id, status="COMPLETED").count() >= 8,
            timeout=60,
            what="the run to get going",
        )

        stop_redis_server(redis)
        time.sleep(2)
        redis = start_redis_server(port=redis_port, data_dir=tmp_path / "redis")
        wait_until(
            lambda: GraphExecution.objects.get(pk=run_id).status != ExecutionStatus.RUNNING,
            timeout=120,
            what="the run to finish after Redis came back",
        )
    finally:
        for process in processes:
            stop_group(process)
        stop_redis_server(redis)

    run = GraphExecution.objects.get(pk=run_id)
    failed = list(
        NodeExecution.objects.filter(graph_execution_id=run_id, status="FAILED").values_list("stats", flat=True)
    )
    assert run.status == ExecutionStatus.COMPLETED, (run.error, failed)
    per_node = Counter(NodeExecution.objects.filter(graph_execution_id=run_id).values_list("node_id", flat=True))
    assert len(per_node) == 30
    assert set(per_node.values()) == {1}
    assert run.node_count == 30
