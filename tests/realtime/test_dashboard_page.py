"""/dashboard/ as served: a page and its static files, with a strict content security policy."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_dashboard_page_loads_its_own_script_and_style_only(client: Client) -> None:
    response = client.get("/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<script src="/static/realtime/dashboard.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/realtime/dashboard.css">' in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["dashboard.js", "dashboard.css"])
def test_the_dashboard_static_files_are_served_by_the_app(client: Client, name: str) -> None:
    response = client.get(f"/static/realtime/{name}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)  # type: ignore[attr-defined]
