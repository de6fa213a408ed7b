"""Google Calendar: the user's upcoming events (upstream's `GoogleCalendarReadEventsBlock`)."""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import BaseModel

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.google_api import CALENDAR_READONLY, calendar_url, google_request, segment
from apps.blocks.library.gmail import (
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    GoogleCredentialsField,
    GoogleCredentialsInput,
)
from apps.blocks.provider_http import PROVIDER_RETRY
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.types import OAuth2Credentials

READABLE_TIME = "%Y-%m-%d %H:%M"
SAMPLE_EVENT = {
    "id": "event1id",
    "title": "Team Meeting",
    "start_time": "2024-06-04 10:00",
    "end_time": "2024-06-04 11:00",
    "is_all_day": False,
    "location": "Conference Room A",
    "description": "Weekly team sync",
    "organizer": "manager@example.com",
    "attendees": ["colleague1@example.com", "colleague2@example.com"],
    "has_video_call": True,
    "video_link": "https://meet.google.com/abc-defg-hij",
    "calendar_link": "https://calendar.google.com/calendar/event?eid=event1id",
    "is_recurring": True,
}


class CalendarEvent(BaseModel):
    id: str
    title: str
    start_time: str
    end_time: str
    is_all_day: bool
    location: str | None
    description: str | None
    organizer: str | None
    attendees: list[str]
    has_video_call: bool
    video_link: str | None
    calendar_link: str
    is_recurring: bool


def _readable(moment: str) -> str:
    return datetime.datetime.fromisoformat(moment.replace("Z", "+00:00")).strftime(READABLE_TIME)


def _video_link(event: dict[str, Any]) -> str | None:
    conference = event.get("conferenceData") or {}
    if url := conference.get("conferenceUrl"):
        return str(url)
    for entry in conference.get("entryPoints") or []:
        if entry.get("entryPointType") == "video":
            return str(entry.get("uri") or "") or None
    return None


def calendar_event(event: dict[str, Any]) -> CalendarEvent:
    """An API event resource in upstream's friendlier shape (times as `YYYY-MM-DD HH:MM`, dates for all-day)."""
    start, end = event.get("start") or {}, event.get("end") or {}
    all_day = "date" in start
    video_link = _video_link(event)
    return CalendarEvent(
        id=event.get("id", ""),
        title=event.get("summary", "Untitled Event"),
        start_time=start.get("date", "") if all_day else _readable(start.get("dateTime", "")),
        end_time=end.get("date", "") if all_day else _readable(end.get("dateTime", "")),
        is_all_day=all_day,
        location=event.get("location"),
        description=event.get("description"),
        organizer=(event.get("organizer") or {}).get("email"),
        attendees=[attendee["email"] for attendee in event.get("attendees") or [] if attendee.get("email")],
        has_video_call=video_link is not None,
        video_link=video_link,
        calendar_link=event.get("htmlLink", ""),
        is_recurring=bool(event.get("recurrence")),
    )


class GoogleCalendarReadEventsBlock(Block):
    id = "80bc3ed1-e9a4-449e-8163-a8fc86f74f6a"
    description = "Retrieves upcoming events from a Google Calendar with filtering options"
    categories = frozenset({BlockCategory.PRODUCTIVITY, BlockCategory.DATA})
    retry = PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(CALENDAR_READONLY)
        calendar_id: str = SchemaField(
            description="Calendar ID (use 'primary' for your main calendar)", default="primary"
        )
        max_events: int = SchemaField(description="Maximum number of events to retrieve", default=10)
        start_time: datetime.datetime = SchemaField(
            description="Retrieve events starting from this time",
            default_factory=lambda: datetime.datetime.now(tz=datetime.UTC),
        )
        time_range_days: int = SchemaField(description="Number of days to look ahead for events", default=30)
        search_term: str | None = SchemaField(description="Optional search term to filter events by", default=None)
        page_token: str | None = SchemaField(
            description=(
                "Page token from previous request to get the next batch of events. You can use this if you have "
                "lots of events you want to process in a loop"
            ),
            default=None,
        )
        include_declined_events: bool = SchemaField(description="Include events you've declined", default=False)

    class Output(BlockSchemaOutput):
        events: list[CalendarEvent] = SchemaField(
            description="List of calendar events in the requested time range", default_factory=list
        )
        event: CalendarEvent = SchemaField(description="One of the calendar events in the requested time range")
        next_page_token: str | None = SchemaField(
            description="Token for retrieving the next page of events if more exist", default=None
        )
        error: str = SchemaField(description="Error message if the request failed")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "calendar_id": "primary",
        "max_events": 5,
        "start_time": "2024-06-03T09:00:00+00:00",
        "time_range_days": 7,
        "search_term": None,
        "include_declined_events": False,
        "page_token": None,
    }
    test_credentials = TEST_CREDENTIALS
    test_output = [("event", SAMPLE_EVENT), ("events", [SAMPLE_EVENT])]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, **context: Any
    ) -> BlockOutput:
        start = input_data.start_time
        if start.tzinfo is None:
            start = start.replace(tzinfo=datetime.UTC)
        params: dict[str, Any] = {
            "timeMin": start.isoformat(),
            "timeMax": (start + datetime.timedelta(days=input_data.time_range_days)).isoformat(),
            "maxResults": input_data.max_events,
            "singleEvents": "true",
            "orderBy": "startTime",
            "showDeleted": "false",
            "showHiddenInvitations": "true" if input_data.include_declined_events else "false",
        }
        if input_data.page_token:
            params["pageToken"] = input_data.page_token
        if input_data.search_term:
            params["q"] = input_data.search_term
        url = calendar_url(f"calendars/{segment(input_data.calendar_id)}/events")
        listing = await google_request("GET", url, credentials=credentials, params=params)
        events = [calendar_event(item).model_dump() for item in listing.get("items", [])]
        if next_page_token := listing.get("nextPageToken"):
            yield "next_page_token", next_page_token
        for event in events:
            yield "event", event
        yield "events", events
