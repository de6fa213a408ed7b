"""Celery tasks sent by beat: thin adapters. Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="apps.schedules.tasks.fire_schedule", acks_late=True, reject_on_worker_lost=True)
def fire_schedule(schedule_id: str) -> None:
    from apps.schedules.services import schedule_fire

    schedule_fire(schedule_id=schedule_id)


@shared_task(name="apps.schedules.tasks.report_late_runs", acks_late=True)
def report_late_runs() -> None:
    from apps.schedules.late_runs import late_runs_report

    late_runs_report()
