"""POST /api/files/upload: stored per user, typed by its bytes, bounded, and expiring."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from apps.files.models import UserFile
from apps.files.services import files_delete_expired
from apps.files.tasks import delete_expired_files
from tests.files.conftest import PNG
from tests.upstream_shapes import assert_upstream_shape

pytestmark = pytest.mark.django_db


def upload(client: APIClient, name: str, content: bytes, content_type: str = "application/octet-stream", **query: Any):
    path = "/api/files/upload" + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")
    return client.post(path, {"file": SimpleUploadedFile(name, content, content_type=content_type)}, format="multipart")


def test_an_upload_is_stored_for_its_user_and_answered_in_upstreams_shape(
    auth_client: APIClient, user: Any, files_dir: Path
) -> None:
    response = upload(auth_client, "notes.txt", b"hello, files\n", "text/plain")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert_upstream_shape(body, "UploadFileResponse")
    stored = UserFile.objects.get()
    assert body == {
        "file_uri": f"agpt-file://{stored.id}/notes.txt",
        "file_name": "notes.txt",
        "size": 13,
        "content_type": "text/plain",
        "expires_in_hours": 24,
    }
    assert stored.user == user
    assert (files_dir / stored.storage_name).read_bytes() == b"hello, files\n"
    assert stored.storage_name == f"uploads/users/{user.id}/{stored.id}/notes.txt"
    assert timedelta(hours=23, minutes=59) < stored.expires_at - stored.created_at <= timedelta(hours=24)


def test_the_sniffed_type_wins_over_the_one_the_client_claims(auth_client: APIClient, files_dir: Path) -> None:
    png = upload(auth_client, "report.pdf", PNG, "application/pdf").json()
    text = upload(auth_client, "photo.png", b"just words", "image/png").json()
    csv = upload(auth_client, "rows.csv", b"a,b\n1,2\n", "application/x-msdownload").json()
    binary = upload(auth_client, "blob.txt", bytes(range(256)), "text/plain").json()

    assert [png["content_type"], text["content_type"], csv["content_type"], binary["content_type"]] == [
        "image/png",
        "text/plain",
        "text/csv",
        "application/octet-stream",
    ]
    assert UserFile.objects.get(name="report.pdf").content_type == "image/png"


def test_a_file_over_the_limit_is_a_413_naming_the_limit_and_nothing_is_stored(
    auth_client: APIClient, settings: Any, files_dir: Path
) -> None:
    settings.FILE_UPLOAD_MAX_BYTES = 1000

    response = upload(auth_client, "big.bin", b"x" * 1001)
    at_limit = upload(auth_client, "fits.bin", b"x" * 1000)

    assert response.status_code == 413, response.json()
    assert response.json()["code"] == "FILE_TOO_LARGE"
    assert "the limit is 1000 bytes" in response.json()["detail"]
    assert at_limit.status_code == 200
    assert list(UserFile.objects.values_list("name", flat=True)) == ["fits.bin"]


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(auth_client: APIClient, settings: Any) -> None:
    settings.REQUEST_BODY_MAX_BYTES_BY_PATH = {"/api/files/upload": 2048}

    response = upload(auth_client, "huge.bin", b"x" * 4096)

    assert response.status_code == 413
    assert not UserFile.objects.exists()


@pytest.mark.parametrize("hours", ["0", "49", "soon"])
def test_an_expiry_outside_one_to_48_hours_is_refused(auth_client: APIClient, files_dir: Path, hours: str) -> None:
    response = upload(auth_client, "a.txt", b"a", expiration_hours=hours)

    assert response.status_code in (400, 422), response.json()
    assert "expiration_hours" in str(response.json())
    assert not UserFile.objects.exists()


def test_an_upload_asks_for_its_own_expiry(auth_client: APIClient, files_dir: Path) -> None:
    body = upload(auth_client, "a.txt", b"a", expiration_hours=2, provider="gcs").json()

    stored = UserFile.objects.get()
    assert body["expires_in_hours"] == 2
    assert stored.expires_at - stored.created_at == timedelta(hours=2)


def test_a_request_without_a_file_says_what_to_send(auth_client: APIClient) -> None:
    response = auth_client.post("/api/files/upload", {"other": "x"}, format="multipart")

    assert response.status_code in (400, 422)
    assert "file" in str(response.json())


def test_an_upload_needs_a_signed_in_user(api_client: APIClient) -> None:
    assert upload(api_client, "a.txt", b"a").status_code == 401


def test_a_hostile_file_name_is_stored_under_a_safe_one(auth_client: APIClient, files_dir: Path) -> None:
    body = upload(auth_client, 'we:ird<>"|?*name.txt', b"a").json()

    stored = UserFile.objects.get()
    assert body["file_name"] == stored.name == "we_ird______name.txt"
    assert (files_dir / stored.storage_name).parent.parent.parent == files_dir / "uploads" / "users"


def test_expired_files_are_deleted_with_their_bytes_by_the_clean_up_task(
    auth_client: APIClient, files_dir: Path
) -> None:
    upload(auth_client, "old.txt", b"old")
    upload(auth_client, "new.txt", b"new")
    old = UserFile.objects.get(name="old.txt")
    UserFile.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25), expires_at=timezone.now() - timedelta(hours=1)
    )

    delete_expired_files.apply()

    assert list(UserFile.objects.values_list("name", flat=True)) == ["new.txt"]
    assert not (files_dir / old.storage_name).exists()
    assert (files_dir / UserFile.objects.get().storage_name).read_bytes() == b"new"
    assert files_delete_expired() == 0


def test_the_clean_up_runs_on_beat(settings: Any) -> None:
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "apps.files.tasks.delete_expired_files" in schedule
