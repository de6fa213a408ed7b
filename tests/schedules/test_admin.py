from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.schedules.models import Schedule
from tests.factories import UserFactory
from tests.schedules.conftest import schedule_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_see_schedules_and_pause_and_resume_them(
    admin: Client, auth_client: APIClient, echo: dict[str, Any]
) -> None:
    created = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(name="Hourly"), format="json")
    schedule = Schedule.objects.get(pk=created.json()["id"])

    listing = admin.get("/admin/schedules/schedule/")
    detail = admin.get(f"/admin/schedules/schedule/{schedule.pk}/change/")
    paused = admin.post(
        "/admin/schedules/schedule/", {"action": "pause", "_selected_action": [str(schedule.pk)]}, follow=True
    )
    schedule.periodic_task.refresh_from_db()
    was_enabled = schedule.periodic_task.enabled
    admin.post("/admin/schedules/schedule/", {"action": "resume", "_selected_action": [str(schedule.pk)]})
    schedule.periodic_task.refresh_from_db()

    assert listing.status_code == 200 and "Hourly" in listing.content.decode()
    assert detail.status_code == 200
    assert "Paused 1 schedule(s)." in paused.content.decode()
    assert was_enabled is False
    assert schedule.periodic_task.enabled is True


def test_staff_cannot_edit_a_schedule_in_the_admin(admin: Client, auth_client: APIClient, echo: dict[str, Any]) -> None:
    created = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(name="Hourly"), format="json")
    schedule = Schedule.objects.get(pk=created.json()["id"])

    response = admin.post(f"/admin/schedules/schedule/{schedule.pk}/change/", {"name": "Renamed", "cron": "0 0 * * *"})

    schedule.refresh_from_db()
    assert response.status_code == 403
    assert (schedule.name, schedule.cron) == ("Hourly", "* * * * *")
