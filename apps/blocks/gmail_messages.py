"""Gmail messages: reading the API's message resources, and writing MIME for sending.

Shapes and texts are upstream's (`Email`, `Attachment`, "No Subject", "This email does
not contain a readable body."), so graphs that look inside emails keep working.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any, Literal

from pydantic import BaseModel, Field

from apps.files.media import media_file_read
from apps.files.uris import is_file_uri

ContentType = Literal["auto", "plain", "html"]
NO_BODY = "This email does not contain a readable body."
# Nesting of MIME parts followed when looking for a body, as upstream.
MAX_PART_DEPTH = 10
# Plain text is sent unwrapped: a 78-column hard wrap reads badly in every modern client.
NO_WRAP = SMTP.clone(max_line_length=0)
_DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:;[^,;]*)*;base64,(?P<data>.*)$", re.DOTALL)


class Attachment(BaseModel):
    filename: str
    content_type: str
    size: int
    attachment_id: str


class Email(BaseModel):
    threadId: str
    labelIds: list[str]
    id: str
    subject: str
    snippet: str
    from_: str
    to: list[str]
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)
    date: str
    body: str = ""
    sizeEstimate: int
    attachments: list[Attachment]


def headers_of(message: dict[str, Any]) -> dict[str, str]:
    """Lower-cased header names; the first of repeated headers wins, as it describes the message best."""
    headers: dict[str, str] = {}
    for header in message.get("payload", {}).get("headers", []):
        headers.setdefault(str(header.get("name", "")).lower(), str(header.get("value", "")))
    return headers


def addresses(value: str) -> list[str]:
    return [address.strip() for _, address in getaddresses([value]) if address.strip()]


def decode_base64url(data: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None


def _text(data: str) -> str | None:
    raw = decode_base64url(data)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.links and (href := self.links.pop()):
            self.parts.append(f" ({href})")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: no markup, scripts or styles; links keep their targets."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = re.sub(r"[ \t]+", " ", "".join(extractor.parts))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


FetchAttachment = Callable[[str], Awaitable[str | None]]


async def body_of(part: dict[str, Any], fetch_attachment: FetchAttachment, depth: int = 0) -> str | None:
    """The first readable body in a message's parts: plain text, else HTML as text, else a body stored apart."""
    if depth > MAX_PART_DEPTH:
        return None
    mime_type = part.get("mimeType", "")
    body = part.get("body") or {}
    if mime_type == "text/plain" and body.get("data"):
        return _text(body["data"])
    if mime_type == "text/html" and body.get("data"):
        html = _text(body["data"])
        return html_to_text(html) if html else None
    if body.get("attachmentId"):
        data = await fetch_attachment(body["attachmentId"])
        if data:
            return _text(data)
    for sub_part in part.get("parts") or []:
        if text := await body_of(sub_part, fetch_attachment, depth + 1):
            return text
    return None


def attachments_of(message: dict[str, Any]) -> list[Attachment]:
    return [
        Attachment(
            filename=part["filename"],
            content_type=part.get("mimeType", ""),
            size=int((part.get("body") or {}).get("size", 0)),
            attachment_id=(part.get("body") or {}).get("attachmentId", ""),
        )
        for part in message.get("payload", {}).get("parts") or []
        if part.get("filename")
    ]


def email_of(message: dict[str, Any], body: str) -> Email:
    headers = headers_of(message)
    return Email(
        threadId=message.get("threadId", ""),
        labelIds=message.get("labelIds", []),
        id=message["id"],
        subject=headers.get("subject", "No Subject"),
        snippet=message.get("snippet", ""),
        from_=parseaddr(headers.get("from", ""))[1],
        to=addresses(headers.get("to", "")),
        cc=addresses(headers.get("cc", "")),
        bcc=addresses(headers.get("bcc", "")),
        date=headers.get("date", ""),
        body=body,
        sizeEstimate=message.get("sizeEstimate", 0),
        attachments=attachments_of(message),
    )


def mime_text(body: str, content_type: ContentType | None) -> MIMEText:
    """HTML when asked, or (on auto) when the start of the body has tags; otherwise unwrapped plain text."""
    if content_type in (None, "auto"):
        head = body[:500]
        content_type = "html" if "<" in head and ">" in head else "plain"
    if content_type == "html":
        return MIMEText(body, _subtype="html", _charset="utf-8")
    return MIMEText(body, _subtype="plain", _charset="utf-8", policy=NO_WRAP)


def file_attachment(filename: str, content: bytes) -> MIMEBase:
    part = MIMEBase("application", "octet-stream")
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


async def media_attachment(value: str, index: int, *, user_id: str) -> MIMEBase:
    """An attachment given as one of the run owner's file URIs or a `data:` URI; URLs are not fetched for email."""
    if is_file_uri(value):
        media = await media_file_read(value, user_id=user_id)
        return file_attachment(media.name, media.content)
    match = _DATA_URI.match(value.strip())
    content = decode_base64url(match["data"].replace("+", "-").replace("/", "_")) if match else None
    if content is None:
        raise ValueError(
            f"Attachment #{index + 1} must be a file URI from /api/files/upload "
            "or a base64 data URI (data:<type>;base64,...)"
        )
    return file_attachment(f"attachment-{index + 1}", content)


def mime_message(
    *,
    to: list[str],
    cc: list[str],
    bcc: list[str],
    subject: str,
    body: str,
    content_type: ContentType | None,
    attachments: list[MIMEBase],
    extra_headers: dict[str, str] | None = None,
) -> str:
    """The message as Gmail's `raw` field: base64url of its RFC 2822 bytes."""
    headers = {"To": ", ".join(to), "Cc": ", ".join(cc), "Bcc": ", ".join(bcc), "Subject": subject}
    message = MIMEMultipart()
    for name, value in {**headers, **(extra_headers or {})}.items():
        if "\r" in value or "\n" in value:
            # A line break would let the value add headers of its own (another Bcc, say).
            raise ValueError(f"The email's {name} must be on one line")
        if value or name == "Subject":
            message[name] = value
    message.attach(mime_text(body, content_type))
    for part in attachments:
        message.attach(part)
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
