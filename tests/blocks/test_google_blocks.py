"""Gmail and Google Calendar blocks against the Gmail and Calendar stand-ins, on the wire."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from apps.blocks.base import Block, BlockExecutionError
from apps.blocks.library.gmail import TEST_CREDENTIALS, GmailAddLabelBlock, GmailReadBlock, GmailSendBlock
from apps.blocks.library.gmail_threads import GmailForwardBlock, GmailReplyBlock
from apps.blocks.library.google_calendar import GoogleCalendarReadEventsBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.blocks.testing import random_context
from tests.fakes.gmail import PREFIX, FakeGmail, fake_gmail, gmail_message
from tests.fakes.google_api import google_error_body
from tests.fakes.google_calendar import SAMPLE_EVENT, FakeCalendar, fake_google_calendar

CREDENTIALS = TEST_CREDENTIALS.meta()


@pytest.fixture
def gmail(settings: Any) -> Iterator[FakeGmail]:
    with fake_gmail() as started:
        started.apply(settings)
        yield started


@pytest.fixture
def calendar(settings: Any) -> Iterator[FakeCalendar]:
    with fake_google_calendar() as started:
        started.apply(settings)
        yield started


async def outputs(block: Block, credentials: Any = TEST_CREDENTIALS, **input_data: Any) -> list[tuple[str, Any]]:
    data = {"credentials": CREDENTIALS, **input_data}
    return [item async for item in block.execute(data, **random_context(), credentials=credentials)]


def raw_body(gmail: FakeGmail, index: int = -1) -> str:
    part = gmail.sent[index].get_body(("plain", "html"))
    assert part is not None
    return str(part.get_content())


async def test_reading_searches_with_the_query_and_turns_html_bodies_into_text(gmail: FakeGmail) -> None:
    gmail.messages["h1"] = gmail_message(
        "h1",
        thread_id="h1",
        subject="Offer",
        sender="shop@example.com",
        to="me@example.com",
        body="",
        html="<html><style>p{}</style><p>Half <b>price</b> today</p><a href='https://shop.example.com'>Shop</a></html>",
        labels=["INBOX", "UNREAD"],
    )
    gmail.messages["h1"]["payload"]["parts"].pop(0)

    result = dict(await outputs(GmailReadBlock(), query="is:unread in:inbox", max_results=1))

    assert [email["id"] for email in result["emails"]] == ["h1"]
    assert result["email"]["body"] == "Half price today\nShop (https://shop.example.com)"
    assert gmail.requests_to(f"{PREFIX}/messages")[0].query == {"q": "is:unread in:inbox", "maxResults": "1"}


async def test_reading_lists_attachments_and_skips_labelled_messages(gmail: FakeGmail) -> None:
    await outputs(GmailAddLabelBlock(), message_id="1", label_name="agent-processed")

    result = dict(await outputs(GmailReadBlock(), query="-label:agent-processed in:inbox"))

    assert [email["id"] for email in result["emails"]] == ["12345", "m1"]
    attachment = result["emails"][1]["attachments"][0]
    assert attachment["filename"] == "numbers.csv" and attachment["size"] == 22
    assert result["emails"][1]["from_"] == "alice@example.com"


async def test_reading_with_no_match_yields_an_empty_list(gmail: FakeGmail) -> None:
    assert await outputs(GmailReadBlock(), query="label:nothing-here") == [("emails", [])]


async def test_sending_writes_an_unwrapped_plain_text_message_to_every_recipient(gmail: FakeGmail) -> None:
    body = "A long line " * 20
    result = await outputs(
        GmailSendBlock(), to=["ann@example.com", ""], cc=["bob@example.com"], subject="Hi", body=body
    )

    assert result == [("result", {"id": "m2", "status": "sent"})]
    sent = gmail.sent[0]
    assert (sent["To"], sent["Cc"], sent["Subject"]) == ("ann@example.com", "bob@example.com", "Hi")
    assert raw_body(gmail) == body
    assert sent.get_body(("plain",)) is not None


async def test_sending_html_is_detected_and_a_data_uri_is_attached(gmail: FakeGmail) -> None:
    attachment = "data:text/plain;base64," + base64.b64encode(b"hello file").decode()

    await outputs(GmailSendBlock(), to=["ann@example.com"], subject="Hi", body="<p>Hello</p>", attachments=[attachment])

    sent = gmail.sent[0]
    assert sent.get_body(("html",)) is not None
    files = [part.get_content() for part in sent.iter_attachments()]
    assert files == [b"hello file"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"to": []}, "At least one recipient, subject, and body are required for sending an email"),
        ({"subject": "Hi\r\nBcc: spy@example.com"}, "The email's Subject must be on one line"),
        (
            {"attachments": ["/etc/passwd"]},
            "Attachment #1 must be a file URI from /api/files/upload or a base64 data URI",
        ),
    ],
)
async def test_sending_refuses_what_cannot_be_sent_safely(gmail: FakeGmail, changes: Any, message: str) -> None:
    with pytest.raises(BlockExecutionError, match=message.replace("(", r"\(")):
        await outputs(GmailSendBlock(), **{"to": ["ann@example.com"], "subject": "Hi", "body": "x", **changes})
    assert gmail.sent == []


async def test_a_reply_goes_to_the_sender_in_the_thread_with_threading_headers(gmail: FakeGmail) -> None:
    result = dict(await outputs(GmailReplyBlock(), threadId="t1", parentMessageId="m1", body="Thanks"))

    sent = gmail.sent[0]
    assert sent["To"] == "alice@example.com"
    assert sent["Subject"] == "Re: Quarterly numbers"
    assert sent["In-Reply-To"] == sent["References"] == "<m1@mail.example.com>"
    assert gmail.requests_to(f"{PREFIX}/messages/send")[0].json()["threadId"] == "t1"
    assert result["threadId"] == "t1" and gmail.messages[result["messageId"]]["threadId"] == "t1"
    parent_read = gmail.requests_to(f"{PREFIX}/messages/m1")[0].query_lists
    assert parent_read["format"] == ["metadata"] and "Reply-To" in parent_read["metadataHeaders"]


async def test_reply_all_answers_everyone_once(gmail: FakeGmail) -> None:
    gmail.messages["p"] = gmail_message(
        "p", thread_id="p", subject="Re: Plan", sender="a@example.com", to="me@example.com, b@example.com",
        cc="a@example.com, c@example.com", body="?",
    )  # fmt: skip

    await outputs(GmailReplyBlock(), threadId="p", parentMessageId="p", body="Yes", replyAll=True)

    assert gmail.sent[0]["To"] == "a@example.com, me@example.com, b@example.com, c@example.com"
    assert gmail.sent[0]["Subject"] == "Re: Plan"


async def test_a_forward_carries_the_original_text_and_attachments(gmail: FakeGmail) -> None:
    result = dict(await outputs(GmailForwardBlock(), messageId="m1", to=["boss@example.com"], forwardMessage="FYI"))

    assert result["status"] == "forwarded"
    sent = gmail.sent[0]
    assert sent["Subject"] == "Fwd: Quarterly numbers"
    text = raw_body(gmail)
    assert text.startswith("FYI\n\n\n---------- Forwarded message ---------\nFrom: Alice <alice@example.com>")
    assert text.endswith("The numbers are attached.")
    assert [part.get_filename() for part in sent.iter_attachments()] == ["numbers.csv"]


async def test_adding_a_label_reuses_an_existing_one(gmail: FakeGmail) -> None:
    first = await outputs(GmailAddLabelBlock(), message_id="1", label_name="Clients")
    second = await outputs(GmailAddLabelBlock(), message_id="m1", label_name="Clients")

    assert first == second == [("result", {"status": "Label added successfully", "label_id": "Label_1"})]
    assert [r.method for r in gmail.requests_to(f"{PREFIX}/labels")].count("POST") == 1
    assert "Label_1" in gmail.messages["m1"]["labelIds"]


async def test_an_id_is_one_path_segment_and_a_missing_message_is_googles_not_found(gmail: FakeGmail) -> None:
    with pytest.raises(BlockExecutionError, match=r"^Google answered 404: Requested entity was not found\.$"):
        await outputs(GmailAddLabelBlock(), message_id="../labels", label_name="x")
    assert [label["name"] for label in gmail.labels if label["type"] == "user"] == ["x"]


async def test_a_token_google_refuses_fails_with_its_message_and_without_the_token(gmail: FakeGmail) -> None:
    stale = TEST_CREDENTIALS.model_copy(update={"access_token": TEST_CREDENTIALS.access_token.__class__("revoked")})

    with pytest.raises(BlockExecutionError, match="Google answered 401: Request had invalid authentication") as raised:
        await outputs(GmailReadBlock(), credentials=stale)
    assert gmail.requests[0].headers["Authorization"] == "Bearer revoked"
    assert "revoked" not in str(raised.value)


async def test_a_rate_limit_is_retryable_and_names_the_wait(gmail: FakeGmail) -> None:
    rate_limited = google_error_body(429, "User-rate limit exceeded.")
    gmail.reply_next(f"{PREFIX}/messages", 429, rate_limited, {"Retry-After": "7"})

    with pytest.raises(
        ProviderUnavailableError, match=r"Google answered 429: User-rate limit exceeded\. \(retry after 7s\)"
    ):
        await outputs(GmailReadBlock())
    assert isinstance(ProviderUnavailableError("x"), GmailReadBlock.retry.retry_on)  # type: ignore[union-attr]
    assert len(dict(await outputs(GmailReadBlock()))["emails"]) == 1


async def test_calendar_events_of_the_window_come_formatted_with_the_next_page_token(calendar: FakeCalendar) -> None:
    calendar.calendars["primary"] += [
        {**SAMPLE_EVENT, "id": "e2", "summary": "Retro", "start": {"date": "2024-06-05"},
         "end": {"date": "2024-06-06"}, "conferenceData": None, "recurrence": None},
        {**SAMPLE_EVENT, "id": "late", "start": {"dateTime": "2024-07-01T10:00:00Z"},
         "end": {"dateTime": "2024-07-01T11:00:00Z"}},
    ]  # fmt: skip
    block = GoogleCalendarReadEventsBlock()

    first = await outputs(block, start_time="2024-06-03T09:00:00Z", time_range_days=7, max_events=1)
    second = await outputs(block, start_time="2024-06-03T09:00:00Z", time_range_days=7, max_events=1, page_token="1")

    assert first[0] == ("next_page_token", "1")
    assert [pin for pin, _ in second] == ["event", "events"]
    retro = second[0][1]
    assert (retro["start_time"], retro["end_time"], retro["is_all_day"]) == ("2024-06-05", "2024-06-06", True)
    assert (retro["has_video_call"], retro["is_recurring"]) == (False, False)
    query = calendar.requests[-1].query
    assert query["timeMax"] == "2024-06-10T09:00:00+00:00" and query["singleEvents"] == "true"


async def test_calendar_without_the_scope_answers_googles_permission_error(calendar: FakeCalendar) -> None:
    calendar.scopes_of = lambda token: {"https://www.googleapis.com/auth/gmail.readonly"}

    with pytest.raises(BlockExecutionError, match="Google answered 403: Request had insufficient authentication"):
        await outputs(GoogleCalendarReadEventsBlock())
