"""Gmail: read, send, reply, forward and label messages of the user's own account (OAuth2).

Ids, pins, defaults and texts are upstream's (`backend/blocks/google/gmail.py`); the calls
are Gmail's documented REST API (`apps/blocks/google_api.py`). The self-tests run against
the Gmail stand-in of the test suite, seeded with upstream's sample messages.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, SecretStr

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.gmail_messages import NO_BODY, ContentType, Email, body_of, email_of, media_attachment, mime_message
from apps.blocks.google_api import (
    CREDENTIALS_DESCRIPTION,
    GMAIL_METADATA,
    GMAIL_MODIFY,
    GMAIL_READONLY,
    GMAIL_SEND,
    gmail_url,
    google_request,
    segment,
)
from apps.blocks.provider_http import PROVIDER_RETRY
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import OAuth2Credentials

GoogleCredentialsInput = CredentialsMetaInput[Literal[ProviderName.GOOGLE], Literal["oauth2"]]

TEST_CREDENTIALS = OAuth2Credentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="google",
    access_token=SecretStr("mock-google-access-token"),
    refresh_token=SecretStr("mock-google-refresh-token"),
    access_token_expires_at=1234567890,
    scopes=[GMAIL_READONLY, GMAIL_SEND],
    title="Mock Google OAuth2 Credentials",
    username="mock-google-username",
    refresh_token_expires_at=1234567890,
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()
# Upstream's sample email; unread (it answers `is:unread`), so Gmail lists the UNREAD label too.
SAMPLE_EMAIL = {
    "threadId": "t1",
    "labelIds": ["INBOX", "UNREAD"],
    "id": "1",
    "subject": "Test Email",
    "snippet": "This is a test email",
    "from_": "test@example.com",
    "to": ["recipient@example.com"],
    "cc": [],
    "bcc": [],
    "date": "2024-01-01",
    "body": "This is a test email",
    "sizeEstimate": 100,
    "attachments": [],
}


def GoogleCredentialsField(*scopes: str) -> Any:
    return CredentialsField(required_scopes=scopes, description=CREDENTIALS_DESCRIPTION)


class GmailSendResult(BaseModel):
    id: str
    status: str


class GmailLabelResult(BaseModel):
    label_id: str
    status: str


def content_type_field() -> Any:
    return SchemaField(
        description="Content type: 'auto' (default - detects HTML), 'plain', or 'html'", default=None, advanced=True
    )


class GmailBlock(Block):
    """What every Gmail block shares: reading messages and their bodies, and sending."""

    categories = frozenset({BlockCategory.COMMUNICATION})
    retry = PROVIDER_RETRY

    async def message(self, credentials: OAuth2Credentials, message_id: str, **params: Any) -> dict[str, Any]:
        url = gmail_url(f"messages/{segment(message_id)}")
        return dict(await google_request("GET", url, credentials=credentials, params=params))

    async def attachment_data(self, credentials: OAuth2Credentials, message_id: str, attachment_id: str) -> str:
        url = gmail_url(f"messages/{segment(message_id)}/attachments/{segment(attachment_id)}")
        return str((await google_request("GET", url, credentials=credentials)).get("data", ""))

    async def body(self, credentials: OAuth2Credentials, message: dict[str, Any]) -> str:
        async def fetch(attachment_id: str) -> str | None:
            return await self.attachment_data(credentials, message["id"], attachment_id) or None

        return await body_of(message.get("payload", {}), fetch) or NO_BODY

    async def send(self, credentials: OAuth2Credentials, raw: str, thread_id: str | None = None) -> dict[str, Any]:
        body = {"raw": raw} if thread_id is None else {"threadId": thread_id, "raw": raw}
        return dict(await google_request("POST", gmail_url("messages/send"), credentials=credentials, json_body=body))


class GmailReadBlock(GmailBlock):
    id = "25310c70-b89b-43ba-b25c-4dfa7e2a481c"
    description = (
        "A block that retrieves and reads emails from a Gmail account based on search criteria, returning "
        "detailed message information including subject, sender, body, and attachments."
    )

    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(GMAIL_READONLY)
        query: str = SchemaField(description="Search query for reading emails", default="is:unread")
        max_results: int = SchemaField(description="Maximum number of emails to retrieve", default=10)

    class Output(BlockSchemaOutput):
        email: Email = SchemaField(description="Email data")
        emails: list[Email] = SchemaField(description="List of email data")
        error: str = SchemaField(description="Error message if any")

    test_input = {"query": "is:unread", "max_results": 5, "credentials": TEST_CREDENTIALS_INPUT}
    test_credentials = TEST_CREDENTIALS
    test_output = [("email", SAMPLE_EMAIL), ("emails", [SAMPLE_EMAIL])]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, **context: Any
    ) -> BlockOutput:
        # With only the metadata scope Gmail refuses searches and full bodies, as upstream allows for.
        metadata_only = GMAIL_METADATA in {scope.lower() for scope in credentials.scopes}
        params: dict[str, Any] = {"maxResults": input_data.max_results or 10}
        if input_data.query and not metadata_only:
            params["q"] = input_data.query
        listing = await google_request("GET", gmail_url("messages"), credentials=credentials, params=params)
        emails = []
        for reference in listing.get("messages", []):
            message = await self.message(credentials, reference["id"], format="metadata" if metadata_only else "full")
            emails.append(email_of(message, await self.body(credentials, message)).model_dump())
        for email in emails:
            yield "email", email
        yield "emails", emails


class GmailSendBlock(GmailBlock):
    id = "6c27abc2-e51d-499e-a85f-5a0041ba94f0"
    description = (
        "Send emails via Gmail with automatic HTML detection and proper text formatting. Plain text emails are "
        "sent without 78-character line wrapping, preserving natural paragraph flow. HTML emails are "
        "automatically detected and sent with correct MIME type."
    )

    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(GMAIL_SEND)
        to: list[str] = SchemaField(description="Recipient email addresses")
        subject: str = SchemaField(description="Email subject")
        body: str = SchemaField(description="Email body (plain text or HTML)")
        cc: list[str] = SchemaField(description="CC recipients", default_factory=list)
        bcc: list[str] = SchemaField(description="BCC recipients", default_factory=list)
        content_type: ContentType | None = content_type_field()
        attachments: list[str] = SchemaField(description="Files to attach", default_factory=list, advanced=True)

    class Output(BlockSchemaOutput):
        result: GmailSendResult = SchemaField(description="Send confirmation")
        error: str = SchemaField(description="Error message if any")

    test_input = {
        "to": ["recipient@example.com"],
        "subject": "Test Email",
        "body": "This is a test email sent from GmailSendBlock.",
        "credentials": TEST_CREDENTIALS_INPUT,
    }
    test_credentials = TEST_CREDENTIALS
    test_output = [("result", {"id": "m2", "status": "sent"})]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, user_id: str, **context: Any
    ) -> BlockOutput:
        to = [address for address in input_data.to if address.strip()]
        if not to or not input_data.subject or not input_data.body:
            raise ValueError("At least one recipient, subject, and body are required for sending an email")
        raw = mime_message(
            to=to,
            cc=input_data.cc,
            bcc=input_data.bcc,
            subject=input_data.subject,
            body=input_data.body,
            content_type=input_data.content_type,
            attachments=[
                await media_attachment(value, index, user_id=user_id)
                for index, value in enumerate(input_data.attachments)
            ],
        )
        sent = await self.send(credentials, raw)
        yield "result", {"id": sent["id"], "status": "sent"}


class GmailAddLabelBlock(GmailBlock):
    id = "f884b2fb-04f4-4265-9658-14f433926ac9"
    description = (
        "A block that adds a label to a specific email message in Gmail, creating the label if it doesn't exist."
    )

    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(GMAIL_MODIFY)
        message_id: str = SchemaField(description="Message ID to add label to")
        label_name: str = SchemaField(description="Label name to add")

    class Output(BlockSchemaOutput):
        result: GmailLabelResult = SchemaField(description="Label addition result")
        error: str = SchemaField(description="Error message if any")

    test_input = {"message_id": "12345", "label_name": "Important", "credentials": TEST_CREDENTIALS_INPUT}
    test_credentials = TEST_CREDENTIALS
    test_output = [("result", {"status": "Label added successfully", "label_id": "Label_1"})]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, **context: Any
    ) -> BlockOutput:
        label_id = await self.label_id(credentials, input_data.label_name)
        url = gmail_url(f"messages/{segment(input_data.message_id)}/modify")
        modified = await google_request("POST", url, credentials=credentials, json_body={"addLabelIds": [label_id]})
        if not modified.get("labelIds"):
            yield "result", {"status": "Label already applied or not found", "label_id": label_id}
        else:
            yield "result", {"status": "Label added successfully", "label_id": label_id}

    async def label_id(self, credentials: OAuth2Credentials, name: str) -> str:
        """The id of the user's label with this name, created if there is none."""
        labels = await google_request("GET", gmail_url("labels"), credentials=credentials)
        for label in labels.get("labels", []):
            if label.get("name") == name:
                return str(label["id"])
        created = await google_request("POST", gmail_url("labels"), credentials=credentials, json_body={"name": name})
        return str(created["id"])
