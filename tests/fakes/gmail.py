"""Gmail's REST API (gmail.googleapis.com/gmail/v1/users/me/...) over an in-memory mailbox.

Messages are stored as Gmail returns them (`id`, `threadId`, `labelIds`, `snippet`,
`sizeEstimate`, `payload` with headers, parts and base64url bodies). Served:
`messages` (list, with `q`, `maxResults` and `pageToken` paging), `messages/{id}`
(`format=full|metadata|minimal`, `metadataHeaders`), `messages/{id}/attachments/{id}`,
`messages/send` (a `raw` RFC 2822 message; a new thread's id is its first message's,
as Gmail's), `messages/{id}/modify`, `labels` (list and create). Searches understand
`is:unread`, `is:read`, `in:<label>`, `label:<name>` and their `-` negations; other
terms are recorded but do not filter. Errors are Google's body (`tests/fakes/google_api.py`).
The mailbox starts as `seed` (by default `sample_mailbox()`, upstream's sample data) and
`reset()` restores it.
"""

from __future__ import annotations

import base64
import copy
import email
import email.policy
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

from tests.fakes.google_api import FakeGoogleAPI, ScopesOf, google_app, google_error, scopes_of_test_token
from tests.fakes.server import serve

FULL = "https://mail.google.com/"
READONLY = "https://www.googleapis.com/auth/gmail.readonly"
MODIFY = "https://www.googleapis.com/auth/gmail.modify"
SEND = "https://www.googleapis.com/auth/gmail.send"
LABELS = "https://www.googleapis.com/auth/gmail.labels"
METADATA = "https://www.googleapis.com/auth/gmail.metadata"
SCOPES = {
    "list_messages": {FULL, READONLY, MODIFY, METADATA},
    "get_message": {FULL, READONLY, MODIFY, METADATA},
    "get_attachment": {FULL, READONLY, MODIFY},
    "send_message": {FULL, MODIFY, SEND, "https://www.googleapis.com/auth/gmail.compose"},
    "modify_message": {FULL, MODIFY},
    "list_labels": {FULL, READONLY, MODIFY, LABELS, METADATA},
    "create_label": {FULL, MODIFY, LABELS},
}
SYSTEM_LABELS = ["INBOX", "SENT", "UNREAD", "STARRED", "IMPORTANT", "TRASH", "SPAM", "DRAFT"]
NOT_FOUND = "Requested entity was not found."
PREFIX = "/gmail/v1/users/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def gmail_message(
    id: str,
    *,
    thread_id: str,
    subject: str,
    sender: str,
    to: str,
    body: str,
    date: str = "Mon, 1 Jan 2024 09:00:00 +0000",
    labels: Iterable[str] = ("INBOX",),
    cc: str = "",
    html: str | None = None,
    attachments: dict[str, bytes] | None = None,
    extra_headers: dict[str, str] | None = None,
    size_estimate: int | None = None,
) -> dict[str, Any]:
    """A message resource as `format=full` returns it; attachments are kept apart, as Gmail stores them."""
    headers = {"From": sender, "To": to, "Subject": subject, "Date": date, **(extra_headers or {})}
    if cc:
        headers["Cc"] = cc
    text_part = {"partId": "0", "mimeType": "text/plain", "filename": "", "body": {"data": b64url(body.encode())}}
    parts = [text_part]
    if html is not None:
        parts.append({"partId": "1", "mimeType": "text/html", "filename": "", "body": {"data": b64url(html.encode())}})
    stored: dict[str, bytes] = {}
    for index, (filename, content) in enumerate((attachments or {}).items(), start=len(parts)):
        attachment_id = f"att-{id}-{index}"
        stored[attachment_id] = content
        parts.append(
            {
                "partId": str(index),
                "mimeType": "application/octet-stream",
                "filename": filename,
                "body": {"attachmentId": attachment_id, "size": len(content)},
            }
        )
    simple = len(parts) == 1
    payload: dict[str, Any] = {
        "mimeType": "text/plain" if simple else "multipart/mixed",
        "filename": "",
        "headers": [{"name": name, "value": value} for name, value in headers.items()],
        "body": text_part["body"] if simple else {"size": 0},
    }
    if not simple:
        payload["parts"] = parts
    return {
        "id": id,
        "threadId": thread_id,
        "labelIds": list(labels),
        "snippet": body[:100],
        "sizeEstimate": size_estimate if size_estimate is not None else len(body) + 500,
        "payload": payload,
        "_attachments": stored,
    }


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


@dataclass
class FakeGmail(FakeGoogleAPI):
    seed: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: list[dict[str, Any]] = field(default_factory=list)
    sent: list[email.message.EmailMessage] = field(default_factory=list)
    message_numbers: Iterator[int] = field(default_factory=lambda: itertools.count(2))
    label_numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        """Back to the seeded mailbox and the system labels, nothing sent."""
        super().reset()
        self.messages = {message["id"]: copy.deepcopy(message) for message in self.seed}
        self.labels = [{"id": name, "name": name, "type": "system"} for name in SYSTEM_LABELS]
        self.sent = []
        self.message_numbers = itertools.count(2)
        self.label_numbers = itertools.count(1)

    def message(self, message_id: str) -> dict[str, Any]:
        return self.messages[message_id]


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if not key.startswith("_")}


def _shaped(message: dict[str, Any], form: str, wanted_headers: list[str]) -> dict[str, Any]:
    public = _public(message)
    if form == "minimal":
        public.pop("payload")
    elif form == "metadata":
        wanted = {name.lower() for name in wanted_headers}
        headers = [h for h in public["payload"]["headers"] if not wanted or h["name"].lower() in wanted]
        public["payload"] = {"mimeType": public["payload"]["mimeType"], "headers": headers}
    return public


def _matches(message: dict[str, Any], query: str, labels: list[dict[str, Any]]) -> bool:
    names = {label["name"].lower(): label["id"] for label in labels}
    for term in query.split():
        negate = term.startswith("-")
        key, _, value = term.lstrip("-").partition(":")
        if key == "is" and value in ("unread", "read"):
            hit = ("UNREAD" in message["labelIds"]) == (value == "unread")
        elif key in ("in", "label"):
            hit = names.get(value.lower(), value.upper()) in message["labelIds"]
        else:
            continue
        if hit == negate:
            return False
    return True


def _app(gmail: FakeGmail) -> Flask:
    app = google_app("fake-gmail", gmail, lambda: SCOPES.get(request.endpoint or "", set()))
    prefix = PREFIX

    @app.get(f"{prefix}/messages", endpoint="list_messages")
    def list_messages():
        query = request.args.get("q", "")
        found = [m for m in reversed(gmail.messages.values()) if _matches(m, query, gmail.labels)]
        size = max(1, min(int(request.args.get("maxResults", 100)), 500))
        start = int(request.args.get("pageToken") or 0)
        page = found[start : start + size]
        body: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if page:
            body["messages"] = [{"id": m["id"], "threadId": m["threadId"]} for m in page]
        if start + size < len(found):
            body["nextPageToken"] = str(start + size)
        return jsonify(body)

    @app.get(f"{prefix}/messages/<message_id>", endpoint="get_message")
    def get_message(message_id: str):
        if message_id not in gmail.messages:
            return google_error(404, NOT_FOUND)
        form = request.args.get("format", "full")
        return jsonify(_shaped(gmail.messages[message_id], form, request.args.getlist("metadataHeaders")))

    @app.get(f"{prefix}/messages/<message_id>/attachments/<attachment_id>", endpoint="get_attachment")
    def get_attachment(message_id: str, attachment_id: str):
        stored = gmail.messages.get(message_id, {}).get("_attachments", {})
        if attachment_id not in stored:
            return google_error(404, NOT_FOUND)
        return jsonify({"size": len(stored[attachment_id]), "data": b64url(stored[attachment_id])})

    @app.post(f"{prefix}/messages/send", endpoint="send_message")
    def send_message():
        body = request.get_json(silent=True) or {}
        try:
            raw = base64.urlsafe_b64decode(body["raw"] + "=" * (-len(body["raw"]) % 4))
        except (KeyError, TypeError, ValueError):
            return google_error(400, "Invalid value for ByteString")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        if not (parsed.get("To") or parsed.get("Cc") or parsed.get("Bcc")):
            return google_error(400, "Recipient address required")
        thread_id = body.get("threadId")
        if thread_id is not None and not any(m["threadId"] == thread_id for m in gmail.messages.values()):
            return google_error(404, NOT_FOUND)
        message_id = f"m{next(gmail.message_numbers)}"
        text = parsed.get_body(("plain", "html"))
        stored = gmail_message(
            message_id,
            thread_id=thread_id or message_id,
            subject=str(parsed.get("Subject", "")),
            sender="me@example.com",
            to=str(parsed.get("To", "")),
            body=text.get_content() if text is not None else "",
            labels=["SENT"],
        )
        gmail.messages[message_id] = stored
        gmail.sent.append(parsed)  # type: ignore[arg-type]
        return jsonify({"id": message_id, "threadId": stored["threadId"], "labelIds": ["SENT"]})

    @app.post(f"{prefix}/messages/<message_id>/modify", endpoint="modify_message")
    def modify_message(message_id: str):
        if message_id not in gmail.messages:
            return google_error(404, NOT_FOUND)
        body = request.get_json(silent=True) or {}
        known = {label["id"] for label in gmail.labels}
        for label_id in [*body.get("addLabelIds", []), *body.get("removeLabelIds", [])]:
            if label_id not in known:
                return google_error(400, f"Invalid label: {label_id}")
        message = gmail.messages[message_id]
        message["labelIds"] = [
            label
            for label in dict.fromkeys([*message["labelIds"], *body.get("addLabelIds", [])])
            if label not in body.get("removeLabelIds", [])
        ]
        return jsonify({"id": message_id, "threadId": message["threadId"], "labelIds": message["labelIds"]})

    @app.get(f"{prefix}/labels", endpoint="list_labels")
    def list_labels():
        return jsonify({"labels": gmail.labels})

    @app.post(f"{prefix}/labels", endpoint="create_label")
    def create_label():
        name = str((request.get_json(silent=True) or {}).get("name", "")).strip()
        if not name:
            return google_error(400, "Invalid label name")
        if any(label["type"] == "user" and label["name"].lower() == name.lower() for label in gmail.labels):
            return google_error(409, "Label name exists or conflicts")
        label = {
            "id": f"Label_{next(gmail.label_numbers)}",
            "name": name,
            "type": "user",
            "messageListVisibility": "show",
            "labelListVisibility": "labelShow",
        }
        gmail.labels.append(label)
        return jsonify(label)

    return app


@contextmanager
def fake_gmail(
    scopes_of: ScopesOf = scopes_of_test_token, messages: Iterable[dict[str, Any]] | None = None
) -> Iterator[FakeGmail]:
    """A Gmail API server for tokens `scopes_of` knows, holding `messages` (oldest first; by default upstream's)."""
    gmail = FakeGmail(scopes_of=scopes_of, seed=sample_mailbox() if messages is None else list(messages))
    gmail.reset()
    with serve(_app(gmail)) as base_url:
        gmail.base_url = base_url
        gmail.settings_urls = {"GMAIL_API_BASE_URL": base_url}
        yield gmail
