"""Airtable: create (or find) a base, and create records, as upstream's `blocks/airtable/`.

Airtable's Web API (`AIRTABLE_BASE_URL`), with a personal access token or an OAuth2 token,
both as a bearer token. Listing bases pages with `offset`; every page is read, so a base
with the same name is found wherever it is in the list (upstream reads the first page only).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from pydantic import SecretStr

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials, OAuth2Credentials

SERVICE = "Airtable"

AirtableCredentialsInput = CredentialsMetaInput[Literal[ProviderName.AIRTABLE], Literal["api_key", "oauth2"]]
AirtableCredentials = APIKeyCredentials | OAuth2Credentials

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="airtable",
    api_key=SecretStr("mock-airtable-api-key"),
    title="Mock Airtable API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()

DEFAULT_TABLES = [
    {
        "description": "Default table",
        "name": "Default table",
        "fields": [
            {
                "name": "ID",
                "type": "number",
                "description": "Auto-incrementing ID field",
                "options": {"precision": 0},
            }
        ],
    }
]


def credentials_field() -> Any:
    return CredentialsField(description="Airtable API credentials")


async def call(
    method: str,
    path: str,
    credentials: AirtableCredentials,
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    answer = await provider_http.request_json(
        SERVICE,
        method,
        provider_http.provider_url("airtable", path),
        headers={"Authorization": credentials.auth_header()},
        params=params,
        json_data=body,
    )
    if not isinstance(answer, dict):
        raise provider_http.ProviderError(f"{SERVICE} answered with something that is not an object")
    return answer


async def find_base(credentials: AirtableCredentials, name: str) -> str | None:
    offset: str | None = None
    while True:
        page = await call("GET", "/v0/meta/bases", credentials, params={"offset": offset} if offset else None)
        for base in page.get("bases") or []:
            if base.get("name") == name:
                return str(base["id"])
        offset = page.get("offset")
        if not offset:
            return None


class AirtableCreateBaseBlock(Block):
    id = "f59b88a8-54ce-4676-a508-fd614b4e8dce"
    description = "Create or find a base in Airtable"
    categories = frozenset({BlockCategory.DATA})
    costs = (BlockCost(cost_amount=1),)
    # Tried again with find_existing only: a second attempt finds the base the first one made.
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: AirtableCredentialsInput = credentials_field()
        workspace_id: str = SchemaField(description="The workspace ID where the base will be created")
        name: str = SchemaField(description="The name of the new base")
        find_existing: bool = SchemaField(
            description="If true, return existing base with same name instead of creating duplicate", default=True
        )
        tables: list[dict[str, Any]] = SchemaField(
            description=(
                "At least one table and field must be specified. Array of table objects to create in the base. "
                "Each table should have 'name' and 'fields' properties"
            ),
            default=DEFAULT_TABLES,
        )

    class Output(BlockSchemaOutput):
        base_id: str = SchemaField(description="The ID of the created or found base")
        tables: list[dict[str, Any]] = SchemaField(description="Array of table objects")
        table: dict[str, Any] = SchemaField(description="A single table object")
        was_created: bool = SchemaField(
            description="True if a new base was created, False if existing was found", default=True
        )

    # Upstream declares no self-test; this one creates a base in the stand-in's sample workspace.
    test_input = {"credentials": TEST_CREDENTIALS_INPUT, "workspace_id": "wspSample0000001", "name": "Support log"}
    test_output = [
        ("base_id", lambda base_id: base_id.startswith("app")),
        ("was_created", True),
        ("tables", lambda tables: [table["name"] for table in tables] == ["Default table"]),
        ("table", lambda table: table["fields"][0]["name"] == "ID"),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: AirtableCredentials, **context: Any
    ) -> BlockOutput:
        existing = await find_base(credentials, input_data.name) if input_data.find_existing else None
        if existing is not None:
            tables = await call("GET", f"/v0/meta/bases/{quote(existing, safe='')}/tables", credentials)
            found = list(tables.get("tables") or [])
            yield "base_id", existing
            yield "was_created", False
            yield "tables", found
            for table in found:
                yield "table", table
            return
        request = {"name": input_data.name, "workspaceId": input_data.workspace_id, "tables": input_data.tables}
        try:
            created = await call("POST", "/v0/meta/bases", credentials, body=request)
        except provider_http.ProviderUnavailableError as error:
            if input_data.find_existing:
                raise
            # Without find_existing a second attempt could make a second base.
            raise provider_http.ProviderError(str(error)) from error
        made = list(created.get("tables") or [])
        yield "base_id", created.get("id")
        yield "was_created", True
        yield "tables", made
        for table in made:
            yield "table", table


class AirtableCreateRecordsBlock(Block):
    id = "42527e98-47b6-44ce-ac0e-86b4883721d3"
    description = "Create records in an Airtable table"
    categories = frozenset({BlockCategory.DATA})
    costs = (BlockCost(cost_amount=1),)

    class Input(BlockSchemaInput):
        credentials: AirtableCredentialsInput = credentials_field()
        base_id: str = SchemaField(description="The Airtable base ID")
        table_id_or_name: str = SchemaField(description="Table ID or name")
        records: list[dict[str, Any]] = SchemaField(
            description="Array of records to create (each with 'fields' object)"
        )
        typecast: bool = SchemaField(
            description="Automatically convert string values to appropriate types", default=False
        )
        return_fields_by_field_id: bool | None = SchemaField(description="Return fields by field ID", default=None)

    class Output(BlockSchemaOutput):
        records: list[dict[str, Any]] = SchemaField(description="Array of created record objects")
        details: dict[str, Any] = SchemaField(description="Details of the created records")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "base_id": "appSample0000001",
        "table_id_or_name": "Default table",
        "records": [{"ID": 1}],
    }
    test_output = [
        (
            "records",
            lambda records: (
                len(records) == 1 and records[0]["fields"] == {"ID": 1} and records[0]["id"].startswith("rec")
            ),
        )
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: AirtableCredentials, **context: Any
    ) -> BlockOutput:
        # As upstream: each input item is one record's fields.
        body: dict[str, Any] = {"records": [{"fields": fields} for fields in input_data.records]}
        if input_data.typecast:
            body["typecast"] = True
        if input_data.return_fields_by_field_id is not None:
            body["returnFieldsByFieldId"] = input_data.return_fields_by_field_id
        path = f"/v0/{quote(input_data.base_id, safe='')}/{quote(input_data.table_id_or_name, safe='')}"
        try:
            created = await call("POST", path, credentials, body=body)
        except provider_http.ProviderUnavailableError as error:
            # Not retried: records Airtable made before a 504 would be created twice.
            raise provider_http.ProviderError(str(error)) from error
        yield "records", list(created.get("records") or [])
        if created.get("details"):
            yield "details", created["details"]
