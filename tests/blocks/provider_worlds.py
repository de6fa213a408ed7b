"""The stand-in providers a block's self-test runs against, seeded with upstream's sample data.

Blocks' `test_input`/`test_output` are upstream's; where upstream mocked the network
call, our blocks make it for real against the fake of their provider (`tests/fakes/`),
pointed at by the provider's base-URL setting. A provider adds its world to `WORLDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from apps.blocks.base import Block
from apps.credentials.fields import schema_credentials_info
from tests.fakes.gmail import FakeGmail, fake_gmail, gmail_message
from tests.fakes.google_calendar import FakeCalendar, fake_google_calendar

# The Google test credentials' token; the fakes grant it every scope the blocks ask for.
GOOGLE_TEST_TOKEN = "mock-google-access-token"
GOOGLE_SCOPES = {
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.send",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://www.googleapis.com/auth/calendar.readonly",
}


def google_test_token_scopes(token: str) -> set[str] | None:
    return GOOGLE_SCOPES if token == GOOGLE_TEST_TOKEN else None


def sample_mailbox() -> list[dict[str, Any]]:
    """Upstream's sample email ("1"), a message to reply to or forward ("m1"), one to label ("12345")."""
    return [
        gmail_message(
            "1",
            thread_id="t1",
            subject="Test Email",
            sender="test@example.com",
            to="recipient@example.com",
            body="This is a test email",
            date="2024-01-01",
            labels=["INBOX", "UNREAD"],
            size_estimate=100,
        ),
        gmail_message(
            "m1",
            thread_id="t1",
            subject="Quarterly numbers",
            sender="Alice <alice@example.com>",
            to="me@example.com",
            body="The numbers are attached.",
            attachments={"numbers.csv": b"quarter,revenue\nQ1,10\n"},
            extra_headers={"Message-ID": "<m1@mail.example.com>"},
        ),
        gmail_message(
            "12345", thread_id="12345", subject="Newsletter", sender="news@example.com", to="me@example.com", body="Hi"
        ),
    ]


SAMPLE_CALENDAR_EVENT = {
    "id": "event1id",
    "summary": "Team Meeting",
    "start": {"dateTime": "2024-06-04T10:00:00+00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2024-06-04T11:00:00+00:00", "timeZone": "UTC"},
    "location": "Conference Room A",
    "description": "Weekly team sync",
    "organizer": {"email": "manager@example.com"},
    "attendees": [{"email": "colleague1@example.com"}, {"email": "colleague2@example.com"}],
    "conferenceData": {"conferenceUrl": "https://meet.google.com/abc-defg-hij"},
    "htmlLink": "https://calendar.google.com/calendar/event?eid=event1id",
    "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"],
}


@contextmanager
def google_world(settings: Any) -> Iterator[tuple[FakeGmail, FakeCalendar]]:
    with (
        fake_gmail(google_test_token_scopes, sample_mailbox()) as gmail,
        fake_google_calendar(google_test_token_scopes, [SAMPLE_CALENDAR_EVENT]) as calendar,
    ):
        settings.GMAIL_API_BASE_URL = gmail.base_url
        settings.GOOGLE_CALENDAR_API_BASE_URL = calendar.base_url
        yield gmail, calendar


WORLDS: dict[str, Callable[[Any], AbstractContextManager[Any]]] = {"google": google_world}


@contextmanager
def provider_worlds(block: Block, settings: Any) -> Iterator[None]:
    """The worlds of every provider the block's credentials fields name."""
    providers = {provider for info in schema_credentials_info(block.Input).values() for provider in info.providers}
    with ExitStack() as stack:
        for provider in sorted(providers & WORLDS.keys()):
            stack.enter_context(WORLDS[provider](settings))
        yield
