from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.schedules.models import Schedule
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.schedules.conftest import schedule_body
from tests.upstream_shapes import assert_upstream_shape

pytestmark = pytest.mark.django_db


def test_creating_a_schedule_answers_upstreams_job_info_and_writes_its_beat_entry(
    auth_client: APIClient, user: User, echo: dict[str, Any]
) -> None:
    response = auth_client.post(
        f"/api/graphs/{echo['id']}/schedules",
        schedule_body(cron="0 9 * * 1-5", timezone="Europe/Paris"),
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert_upstream_shape(body, "GraphExecutionJobInfo")
    assert body["graph_id"] == echo["id"]
    assert body["graph_version"] == echo["version"]
    assert body["user_id"] == str(user.pk)
    assert body["input_data"] == {"text": "hello"}
    assert body["timezone"] == "Europe/Paris"
    next_run = datetime.fromisoformat(body["next_run_time"])
    assert next_run.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert next_run.astimezone(UTC) > datetime.now(UTC)
    schedule = Schedule.objects.get(pk=body["id"])
    task = schedule.periodic_task
    assert task.task == "apps.schedules.tasks.fire_schedule"
    assert task.args == f'["{schedule.id}"]'
    assert task.crontab is not None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "9", "1-5")
    assert str(task.crontab.timezone) == "Europe/Paris"


def test_the_time_zone_falls_back_to_the_users_then_to_utc(
    auth_client: APIClient, user: User, echo: dict[str, Any]
) -> None:
    first = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json").json()
    User.objects.filter(pk=user.pk).update(timezone="Asia/Tokyo")
    second = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json").json()

    assert first["timezone"] == "UTC"
    assert second["timezone"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cron": "every minute"}, "cron"),
        ({"cron": "* * * * 8"}, "cron"),
        ({"timezone": "Nowhere/Atlantis"}, "timezone"),
        ({"name": ""}, "name"),
        ({"inputs": "text"}, "inputs"),
    ],
)
def test_bad_schedule_input_is_a_422_naming_the_field(
    auth_client: APIClient, echo: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    response = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(**overrides), format="json")

    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body", field]]
    assert not Schedule.objects.exists()
    assert not PeriodicTask.objects.filter(task="apps.schedules.tasks.fire_schedule").exists()


def test_inputs_are_checked_when_a_tick_fires_not_when_scheduling(auth_client: APIClient, echo: dict[str, Any]) -> None:
    response = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(inputs={}), format="json")

    assert response.status_code == 200
    assert Schedule.objects.count() == 1


def test_someone_elses_graph_cannot_be_scheduled(echo: dict[str, Any]) -> None:
    stranger = client_for(UserFactory())

    response = stranger.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json")

    assert response.status_code == 404
    assert response.json()["message"] == f"Graph #{echo['id']} not found."


def test_schedules_are_listed_per_graph_and_per_user_without_anyone_elses(
    auth_client: APIClient, echo: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for index in range(3):
        auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(name=f"s{index}"), format="json")
    other = client_for(UserFactory())

    with django_assert_max_num_queries(4):
        mine = auth_client.get("/api/schedules").json()
    per_graph = auth_client.get(f"/api/graphs/{echo['id']}/schedules").json()

    assert [item["name"] for item in mine] == ["s0", "s1", "s2"]
    assert per_graph == mine
    assert other.get("/api/schedules").json() == []
    assert other.get(f"/api/graphs/{echo['id']}/schedules").json() == []
    for item in mine:
        assert_upstream_shape(item, "GraphExecutionJobInfo")


def test_deleting_a_schedule_removes_its_beat_entry(auth_client: APIClient, echo: dict[str, Any]) -> None:
    created = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json").json()

    response = auth_client.delete(f"/api/schedules/{created['id']}")

    assert response.status_code == 200
    assert response.json() == {"id": created["id"]}
    assert not Schedule.objects.exists()
    assert not PeriodicTask.objects.filter(name=f"agent-schedule:{created['id']}").exists()
    assert not CrontabSchedule.objects.filter(periodictask__isnull=True, minute="*", hour="*").exists()


def test_someone_elses_schedule_cannot_be_deleted(auth_client: APIClient, echo: dict[str, Any]) -> None:
    created = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json").json()

    response = client_for(UserFactory()).delete(f"/api/schedules/{created['id']}")
    unknown = auth_client.delete(f"/api/schedules/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["message"] == f"Schedule #{created['id']} not found"
    assert unknown.status_code == 404
    assert Schedule.objects.count() == 1


def test_deleting_a_graph_deletes_its_schedules_and_their_beat_entries(
    auth_client: APIClient, echo: dict[str, Any]
) -> None:
    auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json")

    assert auth_client.delete(f"/api/graphs/{echo['id']}").status_code == 200

    assert not Schedule.objects.exists()
    assert not PeriodicTask.objects.filter(task="apps.schedules.tasks.fire_schedule").exists()
