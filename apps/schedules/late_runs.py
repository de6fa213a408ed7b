"""Late runs: runs still QUEUED past a threshold (upstream's `report_late_executions`).

Beat logs them every few minutes; `/metrics` counts them when scraped, from the
database, so the figure is the same whichever web process answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from apps.executions.models import ExecutionStatus, GraphExecution

logger = structlog.get_logger(__name__)
LOGGED_IDS = 50


def late_runs() -> QuerySet[GraphExecution]:
    cutoff = timezone.now() - timedelta(seconds=settings.EXECUTION_LATE_THRESHOLD_SECONDS)
    return GraphExecution.objects.filter(status=ExecutionStatus.QUEUED, created_at__lt=cutoff)


def late_runs_report() -> int:
    runs = late_runs().order_by("created_at")
    count = runs.count()
    if count:
        logger.warning(
            "late_runs",
            count=count,
            threshold_seconds=settings.EXECUTION_LATE_THRESHOLD_SECONDS,
            run_ids=[str(pk) for pk in runs.values_list("pk", flat=True)[:LOGGED_IDS]],
        )
    return count


def _gauge() -> GaugeMetricFamily:
    return GaugeMetricFamily("agpt_late_runs", "Runs still QUEUED longer than EXECUTION_LATE_THRESHOLD_SECONDS")


class LateRunsCollector(Collector):
    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering asks for the names; without this it would query the database at start-up.
        yield _gauge()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            count = late_runs().count()
        except DatabaseError:
            return
        gauge = _gauge()
        gauge.add_metric([], count)
        yield gauge


_registered = False


def register_collector() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(LateRunsCollector())
        _registered = True
