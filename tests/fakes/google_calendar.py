"""Google Calendar's REST API (www.googleapis.com/calendar/v3): `calendars/{id}/events` over in-memory events.

Events are stored as the API returns them (`summary`, `start`/`end` with `dateTime`
or `date`, `attendees`, `conferenceData`, `htmlLink`, `recurrence`). The list
honours `timeMin`/`timeMax` (an event is in the window when it overlaps it; both
must be RFC 3339 with an offset, else 400), `q` (a substring of summary,
description or location), `maxResults` and `pageToken` (answering `nextPageToken`);
`orderBy=startTime` needs `singleEvents=true`, as Google requires. The calendar starts as
`seed` (by default upstream's sample event) and `reset()` restores it.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

from tests.fakes.google_api import FakeGoogleAPI, ScopesOf, google_app, google_error, scopes_of_test_token
from tests.fakes.server import serve

READ_SCOPES = {
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.readonly",
}


SAMPLE_EVENT = {
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


@dataclass
class FakeCalendar(FakeGoogleAPI):
    seed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calendars: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def reset(self) -> None:
        super().reset()
        self.calendars = copy.deepcopy(self.seed)


def _moment(value: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _bounds(event: dict[str, Any]) -> tuple[datetime.datetime, datetime.datetime]:
    def at(edge: dict[str, Any]) -> datetime.datetime:
        if "date" in edge:
            return datetime.datetime.fromisoformat(edge["date"]).replace(tzinfo=datetime.UTC)
        return datetime.datetime.fromisoformat(edge["dateTime"].replace("Z", "+00:00"))

    return at(event["start"]), at(event["end"])


def _app(calendar: FakeCalendar) -> Flask:
    app = google_app("fake-google-calendar", calendar, lambda: READ_SCOPES)

    @app.get("/calendar/v3/calendars/<calendar_id>/events")
    def list_events(calendar_id: str):
        if calendar_id not in calendar.calendars:
            return google_error(404, "Not Found")
        args = request.args
        low, high = _moment(args.get("timeMin", "")), _moment(args.get("timeMax", ""))
        if ("timeMin" in args and low is None) or ("timeMax" in args and high is None):
            return google_error(400, "Bad Request")
        if args.get("orderBy") == "startTime" and args.get("singleEvents") != "true":
            return google_error(400, "The requested ordering is not available for the particular query.")
        term = args.get("q", "").lower()
        found = []
        for event in sorted(calendar.calendars[calendar_id], key=lambda e: _bounds(e)[0]):
            start, end = _bounds(event)
            if (low and end <= low) or (high and start >= high):
                continue
            text = " ".join(str(event.get(key, "")) for key in ("summary", "description", "location")).lower()
            if term and term not in text:
                continue
            found.append(event)
        size = max(1, min(int(args.get("maxResults", 250)), 2500))
        start_at = int(args.get("pageToken") or 0)
        body: dict[str, Any] = {
            "kind": "calendar#events",
            "summary": calendar_id,
            "items": found[start_at : start_at + size],
        }
        if start_at + size < len(found):
            body["nextPageToken"] = str(start_at + size)
        return jsonify(body)

    return app


@contextmanager
def fake_google_calendar(
    scopes_of: ScopesOf = scopes_of_test_token,
    events: Iterable[dict[str, Any]] | None = None,
    calendar_id: str = "primary",
) -> Iterator[FakeCalendar]:
    seeded = [SAMPLE_EVENT] if events is None else list(events)
    calendar = FakeCalendar(scopes_of=scopes_of, seed={calendar_id: seeded})
    calendar.reset()
    with serve(_app(calendar)) as base_url:
        calendar.base_url = base_url
        calendar.settings_urls = {"GOOGLE_CALENDAR_API_BASE_URL": base_url}
        yield calendar
