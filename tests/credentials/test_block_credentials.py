"""How blocks declare credentials fields, and how the catalog shows them (upstream's JSON-schema keys)."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from rest_framework.test import APIClient

from apps.blocks.schema import BlockSchemaInput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput, schema_credentials_info
from apps.credentials.providers import ProviderName

pytestmark = pytest.mark.django_db

AUTHENTICATED_WEB_REQUEST = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"
OpenAIKey = CredentialsMetaInput[Literal[ProviderName.OPENAI], Literal["api_key"]]


def test_the_catalog_shows_a_credentials_field_as_upstream_does(auth_client: APIClient) -> None:
    blocks = {block["id"]: block for block in auth_client.get("/api/blocks").json()}

    schema = blocks[AUTHENTICATED_WEB_REQUEST]["inputSchema"]

    assert blocks[AUTHENTICATED_WEB_REQUEST]["name"] == "SendAuthenticatedWebRequestBlock"
    assert "credentials" in schema["required"]
    assert schema["properties"]["credentials"] == {
        "credentials_provider": ["http"],
        "credentials_types": ["host_scoped"],
        "description": "HTTP host-scoped credentials for automatic header injection",
        "discriminator": "url",
        "properties": {
            "id": {"title": "Id", "type": "string"},
            "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Title"},
            "provider": {"const": "http", "title": "Provider", "type": "string"},
            "type": {"const": "host_scoped", "title": "Type", "type": "string"},
        },
        "required": ["id", "provider", "type"],
        "title": "CredentialsMetaInput[Literal[<ProviderName.HTTP: 'http'>], Literal['host_scoped']]",
        "type": "object",
    }


def test_scopes_and_several_types_appear_in_the_field_schema() -> None:
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput[Literal[ProviderName.GITHUB], Literal["api_key", "oauth2"]] = (
            CredentialsField(required_scopes=["repo"])
        )

    info = schema_credentials_info(Input)["credentials"]
    field = Input.jsonschema()["properties"]["credentials"]

    assert (info.providers, info.types, info.scopes) == (("github",), ("api_key", "oauth2"), frozenset({"repo"}))
    assert field["credentials_scopes"] == ["repo"]
    assert field["properties"]["type"] == {"enum": ["api_key", "oauth2"], "title": "Type", "type": "string"}


def test_a_credentials_field_must_be_named_credentials_or_end_so() -> None:
    with pytest.raises(TypeError, match=r"'api_key' on .* has invalid name"):

        class Input(BlockSchemaInput):
            api_key: OpenAIKey = CredentialsField()


def test_a_field_named_like_credentials_must_be_a_credentials_reference() -> None:
    with pytest.raises(TypeError, match=r"'openai_credentials' on .* is not of type CredentialsMetaInput"):

        class Input(BlockSchemaInput):
            openai_credentials: str = SchemaField(default="")


def test_a_field_for_several_providers_needs_a_discriminator() -> None:
    with pytest.raises(TypeError, match="Multi-provider CredentialsField 'credentials' requires discriminator!"):

        class Input(BlockSchemaInput):
            credentials: CredentialsMetaInput[
                Literal[ProviderName.OPENAI, ProviderName.ANTHROPIC], Literal["api_key"]
            ] = CredentialsField()


def test_a_credentials_field_must_name_its_providers_and_types() -> None:
    with pytest.raises(TypeError, match="must name its providers and types"):

        class Input(BlockSchemaInput):
            credentials: CredentialsMetaInput = CredentialsField()  # type: ignore[type-arg]


def test_a_reference_is_validated_against_the_field(settings: Any) -> None:
    reference = OpenAIKey.model_validate({"id": "c1", "provider": "openai", "type": "api_key", "api_key": "dropped"})

    assert reference.model_dump() == {"id": "c1", "title": None, "provider": ProviderName.OPENAI, "type": "api_key"}
    with pytest.raises(ValueError, match="provider"):
        OpenAIKey.model_validate({"id": "c1", "provider": "anthropic", "type": "api_key"})
