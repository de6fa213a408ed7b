from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from config.embedded import embedded_redis

pytestmark = pytest.mark.django_db


def test_health_is_healthy_when_database_and_redis_answer(api_client: APIClient) -> None:
    response = api_client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}


def test_health_names_redis_when_it_stops(api_client: APIClient, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A private Redis, so stopping it disturbs nothing else.
    with embedded_redis(tmp_path) as url:
        settings.REDIS_URL = url
        assert api_client.get("/health").status_code == 200

    response = api_client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert "redis" in body["message"]
    assert set(body["detail"]) == {"redis"}
