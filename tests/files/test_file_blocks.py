"""Blocks taking files: the run owner's file URIs, data URIs and URLs; another user's file reads as missing."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from apps.accounts.models import User
from apps.blocks.base import Block, BlockExecutionError
from apps.blocks.library.files import FileReadBlock, FileStoreBlock
from apps.blocks.library.gmail import TEST_CREDENTIALS, GmailSendBlock
from apps.blocks.library.http import SendWebRequestBlock
from apps.files.models import UserFile
from apps.files.services import file_store
from apps.files.uris import file_uri
from tests.blocks.local_http import LocalServer, local_http_server
from tests.blocks.outputs import outputs_of
from tests.factories import UserFactory
from tests.fakes.gmail import FakeGmail, fake_gmail
from tests.files.conftest import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings: Any) -> Iterator[LocalServer]:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True
    with local_http_server() as local:
        yield local


def run_block(block_class: type[Block], user: User, **input_data: Any) -> list[tuple[str, Any]]:
    # From sync code, so the async ORM shares the test's transaction.
    return async_to_sync(outputs_of)(block_class, input_data, user_id=str(user.id))


def stored(user: User, content: bytes, name: str = "notes.txt") -> str:
    kept = file_store(user=user, content=io.BytesIO(content), name=name, expires_in_hours=1)
    return file_uri(file_id=kept.id, name=kept.name)


def test_file_store_keeps_a_data_uri_among_the_users_files_and_answers_its_uri(user: User, files_dir: Path) -> None:
    data = "data:application/octet-stream;base64," + base64.b64encode(PNG).decode()

    [(pin, uri)] = run_block(FileStoreBlock, user, file_in=data)

    kept = UserFile.objects.get()
    assert (pin, uri) == ("file_out", file_uri(file_id=kept.id, name=kept.name))
    assert (kept.user_id, kept.content_type, kept.size) == (user.id, "image/png", len(PNG))
    assert (files_dir / kept.storage_name).read_bytes() == PNG


def test_file_store_can_answer_the_owners_file_as_a_data_uri(user: User, files_dir: Path) -> None:
    uri = stored(user, b"hello")

    assert run_block(FileStoreBlock, user, file_in=uri, base_64=True) == [
        ("file_out", "data:text/plain;base64," + base64.b64encode(b"hello").decode())
    ]


def test_file_store_fetches_a_url_through_the_guarded_client(user: User, files_dir: Path, server: LocalServer) -> None:
    [(_, uri)] = run_block(FileStoreBlock, user, file_in=server.url("/ok"))

    kept = UserFile.objects.get()
    assert uri.startswith(f"agpt-file://{kept.id}/")
    assert (files_dir / kept.storage_name).read_bytes() == b'{"ok": true}'
    assert server.requests[0]["path"] == "/ok"


def test_file_store_refuses_internal_urls(user: User, settings: Any) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(BlockExecutionError, match=r"127\.0\.0\.1"):
        run_block(FileStoreBlock, user, file_in="http://127.0.0.1:9/secret")
    assert not UserFile.objects.exists()


def test_file_read_reads_the_owners_uploaded_file_line_by_line(user: User, files_dir: Path) -> None:
    uri = stored(user, b"one\ntwo\nthree\n", "lines.txt")

    assert run_block(FileReadBlock, user, file_input=uri, delimiter="\n", row_limit=2, size_limit=3) == [
        ("content", "one"),
        ("content", "\ntw"),
        ("content", "o"),
    ]


def test_another_users_file_uri_is_refused_with_a_clear_message(user: User, files_dir: Path) -> None:
    uri = stored(UserFactory(), b"someone else's secret")

    with pytest.raises(BlockExecutionError) as raised:
        run_block(FileReadBlock, user, file_input=uri)

    assert str(raised.value) == f"File {uri} is not one of this run's owner's files, or it has expired; upload it again"
    assert "secret" not in str(raised.value)


def test_an_expired_file_uri_is_refused_like_a_missing_one(user: User, files_dir: Path) -> None:
    uri = stored(user, b"old")
    UserFile.objects.update(expires_at=timezone.now())

    with pytest.raises(BlockExecutionError, match="or it has expired"):
        run_block(FileReadBlock, user, file_input=uri)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("/etc/passwd", "Unsupported file reference '/etc/passwd'"),
        ("agpt-file://not-a-uuid/x", "is not one of this run's owner's files"),
        ("data:text/plain;base64,%%%", "its data is not valid base64"),
    ],
)
def test_file_references_that_are_not_files_are_refused(user: User, reference: str, message: str) -> None:
    with pytest.raises(BlockExecutionError, match=message):
        run_block(FileReadBlock, user, file_input=reference)


def test_a_web_request_sends_the_owners_files_as_multipart_form_data(
    user: User, files_dir: Path, server: LocalServer
) -> None:
    uri = stored(user, b"a,b\n1,2\n", "rows.csv")

    run_block(
        SendWebRequestBlock,
        user,
        url=server.url("/echo"),
        method="POST",
        json_format=False,
        body={"note": "hi"},
        files_name="upload",
        files=[uri],
    )

    received = server.requests[0]
    assert received["content_type"].startswith("multipart/form-data; boundary=")
    assert 'name="note"\r\n\r\nhi' in received["body"]
    assert 'name="upload"; filename="rows.csv"' in received["body"]
    assert "Content-Type: text/csv" in received["body"]
    assert "a,b\n1,2\n" in received["body"]


def test_a_web_request_refuses_another_users_file_before_sending_anything(
    user: User, files_dir: Path, server: LocalServer
) -> None:
    uri = stored(UserFactory(), b"private")

    with pytest.raises(BlockExecutionError, match="is not one of this run's owner's files"):
        run_block(SendWebRequestBlock, user, url=server.url("/echo"), json_format=False, files=[uri])
    assert server.requests == []


def test_gmail_attaches_the_owners_file_under_its_name(user: User, files_dir: Path, settings: Any) -> None:
    uri = stored(user, b"quarterly numbers", "report.txt")
    with fake_gmail() as gmail:
        gmail.apply(settings)
        send(user, gmail, uri)

    [attachment] = list(gmail.sent[0].iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("report.txt", b"quarterly numbers")


def send(user: User, gmail: FakeGmail, attachment: str) -> None:
    data = {
        "credentials": TEST_CREDENTIALS.meta(),
        "to": ["ann@example.com"],
        "subject": "Hi",
        "body": "See attached",
        "attachments": [attachment],
    }
    async_to_sync(outputs_of)(GmailSendBlock, data, user_id=str(user.id), credentials=TEST_CREDENTIALS)
