"""Airtable bases and records against a local server speaking Airtable's Web API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.airtable import AirtableCreateBaseBlock, AirtableCreateRecordsBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.types import APIKeyCredentials, OAuth2Credentials
from tests.blocks.outputs import outputs_of
from tests.fakes import airtable
from tests.fakes.airtable import FakeAirtable, fake_airtable

KEY = APIKeyCredentials(
    id="c0ffee00-0000-4000-8000-000000000005", provider="airtable", api_key=SecretStr(airtable.API_KEY)
)
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="airtable", api_key=SecretStr("pat-wrong"))
TABLES = [
    {"name": "Tickets", "fields": [{"name": "Subject", "type": "singleLineText"}, {"name": "Sender", "type": "email"}]}
]


@pytest.fixture
def fake(settings) -> Iterator[FakeAirtable]:
    with fake_airtable() as started:
        started.apply(settings)
        yield started


async def create_base(credentials, **fields) -> dict:
    inputs = {"workspace_id": "wspSample0000001", "name": "Support", "tables": TABLES, **fields}
    return dict(
        await outputs_of(
            AirtableCreateBaseBlock, {**inputs, "credentials": credentials.meta()}, credentials=credentials
        )
    )


async def test_a_new_base_is_created_with_its_tables_when_none_has_the_name(fake: FakeAirtable) -> None:
    outputs = await create_base(KEY)

    assert outputs["was_created"] is True
    assert outputs["base_id"] in fake.bases
    assert [field["name"] for field in outputs["table"]["fields"]] == ["Subject", "Sender"]
    created = fake.requests_to("/v0/meta/bases")[-1]
    assert created.method == "POST"
    assert created.json() == {"name": "Support", "workspaceId": "wspSample0000001", "tables": TABLES}
    assert created.headers["Authorization"] == f"Bearer {airtable.API_KEY}"


async def test_a_base_with_the_same_name_is_found_on_a_later_page_and_not_created_again(fake: FakeAirtable) -> None:
    fake.page_size = 1
    first = await create_base(KEY)

    again = await create_base(KEY)

    assert again == {**first, "was_created": False}
    assert [r.query for r in fake.requests_to("/v0/meta/bases") if r.method == "GET"][-2:] == [{}, {"offset": "1"}]
    assert len(fake.bases) == 2


async def test_find_existing_off_always_creates(fake: FakeAirtable) -> None:
    await create_base(KEY)

    outputs = await create_base(KEY, find_existing=False)

    assert outputs["was_created"] is True
    assert len(fake.bases) == 3


async def test_records_are_sent_as_fields_with_airtables_options(fake: FakeAirtable) -> None:
    outputs = dict(
        await outputs_of(
            AirtableCreateRecordsBlock,
            {
                "base_id": "appSample0000001",
                "table_id_or_name": "Default table",
                "records": [{"ID": 1}, {"ID": 2}],
                "typecast": True,
                "return_fields_by_field_id": True,
                "credentials": KEY.meta(),
            },
            credentials=KEY,
        )
    )

    assert [record["fields"] for record in outputs["records"]] == [{"fldSample0000001": 1}, {"fldSample0000001": 2}]
    (sent,) = fake.requests_to("/v0/appSample0000001/Default table")
    assert sent.json() == {
        "records": [{"fields": {"ID": 1}}, {"fields": {"ID": 2}}],
        "typecast": True,
        "returnFieldsByFieldId": True,
    }
    assert sent.raw_path == "/v0/appSample0000001/Default%20table"


async def test_an_oauth_token_is_sent_as_a_bearer_token_too(fake: FakeAirtable) -> None:
    token = OAuth2Credentials(id=KEY.id, provider="airtable", access_token=SecretStr("oauth-token"), scopes=[])
    airtable.TOKENS.add("oauth-token")
    try:
        outputs = await create_base(token)
    finally:
        airtable.TOKENS.discard("oauth-token")

    assert outputs["was_created"] is True


async def test_a_field_the_table_lacks_fails_with_airtables_message(fake: FakeAirtable) -> None:
    with pytest.raises(BlockExecutionError, match='Airtable answered 422: Unknown field name: "Colour"'):
        await outputs_of(
            AirtableCreateRecordsBlock,
            {
                "base_id": "appSample0000001",
                "table_id_or_name": "Default table",
                "records": [{"Colour": "red"}],
                "credentials": KEY.meta(),
            },
            credentials=KEY,
        )


async def test_a_wrong_token_fails_with_airtables_message(fake: FakeAirtable) -> None:
    with pytest.raises(BlockExecutionError, match="Airtable answered 401: Authentication required"):
        await create_base(WRONG_KEY)


async def test_a_rate_limited_base_lookup_is_retried_later(fake: FakeAirtable) -> None:
    fake.reply_next("/v0/meta/bases", 429, airtable.RATE_LIMITED, {"Retry-After": "30"})

    with pytest.raises(
        ProviderUnavailableError, match=r"Airtable answered 429: .*RATE_LIMIT_REACHED.*\(retry after 30s\)"
    ):
        await create_base(KEY)


async def test_records_are_never_created_twice_by_a_retry_after_a_gateway_timeout(fake: FakeAirtable) -> None:
    fake.reply_next("/v0/appSample0000001/Default table", 504, "Gateway Timeout")

    with pytest.raises(BlockExecutionError, match="Airtable answered 504"):
        await outputs_of(
            AirtableCreateRecordsBlock,
            {
                "base_id": "appSample0000001",
                "table_id_or_name": "Default table",
                "records": [{"ID": 1}],
                "credentials": KEY.meta(),
            },
            credentials=KEY,
        )
    assert AirtableCreateRecordsBlock.retry is None
