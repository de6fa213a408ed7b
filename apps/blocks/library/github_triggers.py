"""GitHub's trigger blocks: a repository webhook, registered with the user's GitHub credentials."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from apps.blocks.base import Block, BlockCategory, BlockOutput, BlockType
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.blocks.triggers import WebhookConfig
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

GithubCredentialsInput = CredentialsMetaInput[Literal[ProviderName.GITHUB], Literal["api_key", "oauth2"]]

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="github",
    api_key="mock-github-api-key",  # type: ignore[arg-type]
    title="Mock GitHub API key",
)
EXAMPLE_PULL_REQUEST_PAYLOAD: dict[str, Any] = {
    "action": "synchronize",
    "number": 8358,
    "pull_request": {"number": 8358, "title": "Add a trigger", "state": "open", "user": {"login": "octocat"}},
    "repository": {"full_name": "Significant-Gravitas/AutoGPT"},
    "sender": {"login": "octocat", "id": 1},
}


class GitHubTriggerInput(BlockSchemaInput):
    credentials: GithubCredentialsInput = CredentialsField(
        required_scopes={"repo"},
        description=(
            "The GitHub integration can be used with OAuth, or any API key with sufficient permissions for the "
            "blocks it is used on."
        ),
    )
    repo: str = SchemaField(
        description=(
            "Repository to subscribe to.\n\n**Note:** Make sure your GitHub credentials have permissions to create "
            "webhooks on this repo."
        ),
        placeholder="{owner}/{repo}",
    )
    payload: dict[str, Any] = SchemaField(hidden=True, default_factory=dict)


class GitHubTriggerOutput(BlockSchemaOutput):
    payload: dict[str, Any] = SchemaField(
        description=(
            "The complete webhook payload that was received from GitHub. Includes information about the affected "
            "resource (e.g. pull request), the event, and the user who triggered the event."
        )
    )
    triggered_by_user: dict[str, Any] = SchemaField(
        description="Object representing the GitHub user who triggered the event"
    )


class PullRequestEvents(BaseModel):
    """https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request"""

    opened: bool = False
    edited: bool = False
    closed: bool = False
    reopened: bool = False
    synchronize: bool = False
    assigned: bool = False
    unassigned: bool = False
    labeled: bool = False
    unlabeled: bool = False
    converted_to_draft: bool = False
    locked: bool = False
    unlocked: bool = False
    enqueued: bool = False
    dequeued: bool = False
    milestoned: bool = False
    demilestoned: bool = False
    ready_for_review: bool = False
    review_requested: bool = False
    review_request_removed: bool = False
    auto_merge_enabled: bool = False
    auto_merge_disabled: bool = False


class GithubPullRequestTriggerBlock(Block):
    id = "6c60ec01-8128-419e-988f-96a063ee2fea"
    description = "This block triggers on pull request events and outputs the event type and payload."
    categories = frozenset({BlockCategory.DEVELOPER_TOOLS, BlockCategory.INPUT})
    block_type = BlockType.WEBHOOK
    webhook_config = WebhookConfig(
        provider=ProviderName.GITHUB.value,
        webhook_type="repo",
        resource_format="{repo}",
        event_filter_input="events",
        event_format="pull_request.{event}",
    )

    class Input(GitHubTriggerInput):
        events: PullRequestEvents = SchemaField(title="Events", description="The events to subscribe to")

    class Output(GitHubTriggerOutput):
        event: str = SchemaField(description="The PR event that triggered the webhook (e.g. 'opened')")
        number: int = SchemaField(description="The number of the affected pull request")
        pull_request: dict[str, Any] = SchemaField(description="Object representing the affected pull request")

    test_input = {
        "repo": "Significant-Gravitas/AutoGPT",
        "events": {"opened": True, "synchronize": True},
        "credentials": TEST_CREDENTIALS.meta(),
        "payload": EXAMPLE_PULL_REQUEST_PAYLOAD,
    }
    test_credentials = TEST_CREDENTIALS
    test_output = [
        ("payload", EXAMPLE_PULL_REQUEST_PAYLOAD),
        ("triggered_by_user", EXAMPLE_PULL_REQUEST_PAYLOAD["sender"]),
        ("event", EXAMPLE_PULL_REQUEST_PAYLOAD["action"]),
        ("number", EXAMPLE_PULL_REQUEST_PAYLOAD["number"]),
        ("pull_request", EXAMPLE_PULL_REQUEST_PAYLOAD["pull_request"]),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        payload = input_data.payload
        yield "payload", payload
        yield "triggered_by_user", payload["sender"]
        yield "event", payload["action"]
        yield "number", payload["number"]
        yield "pull_request", payload["pull_request"]
