"""Gmail replies and forwards: messages written in answer to another one (upstream's ids, pins and texts)."""

from __future__ import annotations

from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any

from apps.blocks.base import BlockOutput
from apps.blocks.gmail_messages import (
    ContentType,
    Email,
    addresses,
    attachments_of,
    decode_base64url,
    file_attachment,
    headers_of,
    media_attachment,
    mime_message,
)
from apps.blocks.google_api import GMAIL_READONLY, GMAIL_SEND
from apps.blocks.library.gmail import (
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    GmailBlock,
    GoogleCredentialsField,
    GoogleCredentialsInput,
    content_type_field,
)
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.types import OAuth2Credentials

REPLY_CONTEXT_HEADERS = ["Subject", "References", "Message-ID", "From", "To", "Cc", "Reply-To"]


def reply_recipients(headers: dict[str, str], *, reply_all: bool) -> list[str]:
    """Who a reply goes to when the node names nobody: the sender (or Reply-To), or everyone on reply-all."""
    if reply_all:
        everyone = [parseaddr(headers.get("from", ""))[1], *addresses(headers.get("to", ""))]
        everyone += addresses(headers.get("cc", ""))
        return list(dict.fromkeys(address for address in everyone if address))
    sender = parseaddr(headers.get("reply-to") or headers.get("from", ""))[1]
    return [sender] if sender else []


def prefixed_subject(subject: str, prefix: str) -> str:
    """`Re: x` / `Fwd: x`, without doubling a prefix already there."""
    if subject.lower().startswith(prefix.lower()):
        return subject
    return f"{prefix} {subject}" if subject else prefix


class GmailReplyBlock(GmailBlock):
    id = "12bf5a24-9b90-4f40-9090-4e86e6995e60"
    description = (
        "Reply to Gmail threads with automatic HTML detection and proper text formatting. Plain text replies "
        "maintain natural paragraph flow without 78-character line wrapping. HTML content is automatically "
        "detected and sent with correct MIME type."
    )

    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(GMAIL_SEND, GMAIL_READONLY)
        threadId: str = SchemaField(description="Thread ID to reply in")
        parentMessageId: str = SchemaField(description="ID of the message being replied to")
        to: list[str] = SchemaField(description="To recipients", default_factory=list)
        cc: list[str] = SchemaField(description="CC recipients", default_factory=list)
        bcc: list[str] = SchemaField(description="BCC recipients", default_factory=list)
        replyAll: bool = SchemaField(description="Reply to all original recipients", default=False)
        subject: str = SchemaField(description="Email subject", default="")
        body: str = SchemaField(description="Email body (plain text or HTML)")
        content_type: ContentType | None = content_type_field()
        attachments: list[str] = SchemaField(description="Files to attach", default_factory=list, advanced=True)

    class Output(BlockSchemaOutput):
        messageId: str = SchemaField(description="Sent message ID")
        threadId: str = SchemaField(description="Thread ID")
        message: dict[str, Any] = SchemaField(description="Raw Gmail message object")
        email: Email = SchemaField(description="Parsed email object with decoded body and attachments")

    test_input = {
        "threadId": "t1",
        "parentMessageId": "m1",
        "body": "Thanks",
        "replyAll": False,
        "credentials": TEST_CREDENTIALS_INPUT,
    }
    test_credentials = TEST_CREDENTIALS
    test_output = [
        ("messageId", "m2"),
        ("threadId", "t1"),
        ("message", {"id": "m2", "threadId": "t1", "labelIds": ["SENT"]}),
        (
            "email",
            {
                "threadId": "t1",
                "labelIds": ["SENT"],
                "id": "m2",
                "subject": "",
                "snippet": "",
                "from_": "",
                "to": [],
                "cc": [],
                "bcc": [],
                "date": "",
                "body": "Thanks",
                "sizeEstimate": 0,
                "attachments": [],
            },
        ),
    ]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, user_id: str, **context: Any
    ) -> BlockOutput:
        parent = await self.message(
            credentials, input_data.parentMessageId, format="metadata", metadataHeaders=REPLY_CONTEXT_HEADERS
        )
        headers = headers_of(parent)
        to = input_data.to
        if not (input_data.to or input_data.cc or input_data.bcc):
            to = reply_recipients(headers, reply_all=input_data.replyAll)
        references = headers.get("references", "").split()
        threading: dict[str, str] = {}
        if message_id := headers.get("message-id"):
            threading["In-Reply-To"] = message_id
            references.append(message_id)
        if references:
            threading["References"] = " ".join(references)
        raw = mime_message(
            to=to,
            cc=input_data.cc,
            bcc=input_data.bcc,
            subject=input_data.subject or prefixed_subject(headers.get("subject", "").strip(), "Re:"),
            body=input_data.body,
            content_type=input_data.content_type,
            attachments=[
                await media_attachment(value, index, user_id=user_id)
                for index, value in enumerate(input_data.attachments)
            ],
            extra_headers=threading,
        )
        sent = await self.send(credentials, raw, thread_id=input_data.threadId)
        thread_id = sent.get("threadId", input_data.threadId)
        yield "messageId", sent["id"]
        yield "threadId", thread_id
        yield "message", sent
        # What upstream reports of the reply: the send answer has no headers, so no sender or date.
        email = Email(
            threadId=thread_id,
            labelIds=sent.get("labelIds", []),
            id=sent["id"],
            subject=input_data.subject or "",
            snippet=sent.get("snippet", ""),
            from_="",
            to=input_data.to,
            cc=input_data.cc,
            bcc=input_data.bcc,
            date="",
            body=input_data.body,
            sizeEstimate=sent.get("sizeEstimate", 0),
            attachments=[],
        )
        yield "email", email.model_dump()


class GmailForwardBlock(GmailBlock):
    id = "64d2301c-b3f5-4174-8ac0-111ca1e1a7c0"
    description = (
        "Forward Gmail messages to other recipients with automatic HTML detection and proper formatting. "
        "Preserves original message threading and attachments."
    )

    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(GMAIL_SEND, GMAIL_READONLY)
        messageId: str = SchemaField(description="ID of the message to forward")
        to: list[str] = SchemaField(description="Recipients to forward the message to")
        cc: list[str] = SchemaField(description="CC recipients", default_factory=list)
        bcc: list[str] = SchemaField(description="BCC recipients", default_factory=list)
        subject: str = SchemaField(
            description="Optional custom subject (defaults to 'Fwd: [original subject]')", default=""
        )
        forwardMessage: str = SchemaField(
            description="Optional message to include before the forwarded content", default=""
        )
        includeAttachments: bool = SchemaField(
            description="Include attachments from the original message", default=True
        )
        content_type: ContentType | None = content_type_field()
        additionalAttachments: list[str] = SchemaField(
            description="Additional files to attach", default_factory=list, advanced=True
        )

    class Output(BlockSchemaOutput):
        messageId: str = SchemaField(description="Forwarded message ID")
        threadId: str = SchemaField(description="Thread ID")
        status: str = SchemaField(description="Forward status")

    test_input = {
        "messageId": "m1",
        "to": ["recipient@example.com"],
        "forwardMessage": "FYI - forwarding this to you.",
        "credentials": TEST_CREDENTIALS_INPUT,
    }
    test_credentials = TEST_CREDENTIALS
    # A forward starts a thread of its own, whose id Gmail takes from its first message.
    test_output = [("messageId", "m2"), ("threadId", "m2"), ("status", "forwarded")]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, user_id: str, **context: Any
    ) -> BlockOutput:
        if not input_data.to:
            raise ValueError("At least one recipient is required for forwarding")
        original = await self.message(credentials, input_data.messageId, format="full")
        headers = headers_of(original)
        original_subject = headers.get("subject", "No Subject")
        forward_header = (
            "\n---------- Forwarded message ---------\n"
            f"From: {headers.get('from', 'Unknown')}\n"
            f"Date: {headers.get('date', 'Unknown')}\n"
            f"Subject: {original_subject}\n"
            f"To: {headers.get('to', 'Unknown')}\n"
        )
        original_body = await self.body(credentials, original)
        body = f"{forward_header}\n\n{original_body}"
        if input_data.forwardMessage:
            body = f"{input_data.forwardMessage}\n\n{body}"
        attachments: list[MIMEBase] = []
        if input_data.includeAttachments:
            for attachment in attachments_of(original):
                data = await self.attachment_data(credentials, input_data.messageId, attachment.attachment_id)
                attachments.append(file_attachment(attachment.filename, decode_base64url(data) or b""))
        attachments += [
            await media_attachment(value, index, user_id=user_id)
            for index, value in enumerate(input_data.additionalAttachments)
        ]
        raw = mime_message(
            to=input_data.to,
            cc=input_data.cc,
            bcc=input_data.bcc,
            subject=input_data.subject or prefixed_subject(original_subject, "Fwd:"),
            body=body,
            content_type=input_data.content_type,
            attachments=attachments,
        )
        sent = await self.send(credentials, raw)
        yield "messageId", sent["id"]
        yield "threadId", sent.get("threadId", "")
        yield "status", "forwarded"
