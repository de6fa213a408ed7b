"""Google Calendar's REST API (www.googleapis.com/calendar/v3): `calendars/{id}/events` over in-memory events.

Events are stored as the API returns them (`summary`, `start`/`end` with `dateTime`
or `date`, `attendees`, `conferenceData`, `htmlLink`, `recurrence`). The list
honours `timeMin`/`timeMax` (an event is in the window when it overlaps it; both
must be RFC 3339 with an offset, else 400), `q` (a substring of summary,
description or location), `maxResults` and `pageToken` (answering `nextPageToken`);
`orderBy=startTime` needs `singleEvents=true`, as Google requires.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify, request

from tests.fakes.google_api import GoogleAPIState, ScopesOf, google_error, guard
from tests.fakes.server import serve

READ_SCOPES = {
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.readonly",
}


@dataclass
class FakeCalendar:
    base_url: str
    api: GoogleAPIState
    calendars: dict[str, list[dict[str, Any]]]


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
    app = Flask("fake-google-calendar")
    guard(app, calendar.api, lambda: READ_SCOPES)

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
    scopes_of: ScopesOf, events: Iterable[dict[str, Any]] = (), calendar_id: str = "primary"
) -> Iterator[FakeCalendar]:
    calendar = FakeCalendar(base_url="", api=GoogleAPIState(scopes_of=scopes_of), calendars={calendar_id: list(events)})
    with serve(_app(calendar)) as base_url:
        calendar.base_url = base_url
        yield calendar
