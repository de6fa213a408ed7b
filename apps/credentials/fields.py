"""How a block declares that it needs credentials, as upstream's `CredentialsMetaInput`/`CredentialsField`.

A block's input field named `credentials` or `*_credentials`, typed with the
providers and credential types it accepts:

    credentials: CredentialsMetaInput[Literal[ProviderName.GITHUB], Literal["oauth2"]] = CredentialsField(
        required_scopes={"repo"}, description="GitHub account to act as"
    )

The field's value (in a node's input, a run's `credentials_inputs`) is only a
reference: `{id, provider, type, title}`. The engine looks the credentials up and
passes them to `run()` as a keyword argument named like the field.

A field accepting several providers must say which one a node needs through a
discriminator: another input of the block whose value picks the provider
(`discriminator="model"` with `discriminator_mapping={"gpt-4o": "openai", ...}`). A
discriminator without a mapping (`discriminator="url"` on host-scoped HTTP
credentials) only records the values, so a graph asks for one credential per host.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apps.credentials.providers import ProviderName, provider_value
from apps.credentials.types import CredentialsType

CP = TypeVar("CP", bound=ProviderName | str)
CT = TypeVar("CT", bound=CredentialsType)


REFERENCE_KEYS = ("id", "title", "provider", "type")


def is_credentials_field_name(name: str) -> bool:
    return name == "credentials" or name.endswith("_credentials")


def references_only(input_default: dict[str, Any]) -> dict[str, Any]:
    """A node's input with its credentials fields cut down to references: whatever else a client put there goes."""
    return {
        name: (
            {key: value[key] for key in REFERENCE_KEYS if key in value}
            if is_credentials_field_name(name) and isinstance(value, dict)
            else value
        )
        for name, value in input_default.items()
    }


def _add_schema_extra(schema: dict[str, Any], model: type) -> None:
    # Upstream's JSON-schema keys the builder reads: which providers and types fit this field.
    if issubclass(model, CredentialsMetaInput) and model.__pydantic_generic_metadata__["args"]:
        schema["credentials_provider"] = [provider_value(name) for name in model.allowed_providers()]
        schema["credentials_types"] = list(model.allowed_cred_types())


class CredentialsMetaInput(BaseModel, Generic[CP, CT]):
    """A reference to credentials: what graphs and runs hold instead of secrets."""

    id: str
    title: str | None = None
    provider: CP
    type: CT

    model_config = ConfigDict(json_schema_extra=_add_schema_extra)

    @classmethod
    def allowed_providers(cls) -> tuple[Any, ...]:
        return get_args(cls.model_fields["provider"].annotation)

    @classmethod
    def allowed_cred_types(cls) -> tuple[Any, ...]:
        return get_args(cls.model_fields["type"].annotation)


def CredentialsField(
    required_scopes: Iterable[str] = (),
    *,
    discriminator: str | None = None,
    discriminator_mapping: dict[str, Any] | None = None,
    discriminator_values: Iterable[Any] | None = None,
    title: str | None = None,
    description: str | None = None,
    **kwargs: Any,
) -> Any:
    """The pydantic field of a credentials input; its extras become the catalog's JSON-schema keys."""
    extra: dict[str, Any] = {
        key: value
        for key, value in {
            "credentials_scopes": list(required_scopes) or None,
            "discriminator": discriminator,
            "discriminator_mapping": (
                {key: provider_value(value) for key, value in discriminator_mapping.items()}
                if discriminator_mapping is not None
                else None
            ),
            "discriminator_values": list(discriminator_values) if discriminator_values is not None else None,
        }.items()
        if value is not None
    }
    return Field(title=title, description=description, json_schema_extra=extra, **kwargs)


@dataclass(frozen=True)
class CredentialsFieldInfo:
    """What a credentials field accepts, read from its JSON schema (upstream's `CredentialsFieldInfo`)."""

    providers: tuple[str, ...]
    types: tuple[str, ...]
    scopes: frozenset[str] | None = None
    discriminator: str | None = None
    discriminator_mapping: dict[str, str] | None = None
    discriminator_values: tuple[Any, ...] = field(default=())

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> CredentialsFieldInfo:
        scopes = schema.get("credentials_scopes")
        return cls(
            providers=tuple(schema["credentials_provider"]),
            types=tuple(schema["credentials_types"]),
            scopes=frozenset(scopes) if scopes else None,
            discriminator=schema.get("discriminator"),
            discriminator_mapping=schema.get("discriminator_mapping"),
            discriminator_values=tuple(schema.get("discriminator_values") or ()),
        )

    def discriminate(self, value: Any) -> CredentialsFieldInfo:
        """The field as one node needs it: the provider its discriminator value picks, the value recorded."""
        providers = self.providers
        mapped = self.discriminator_mapping.get(value) if self.discriminator_mapping and _hashable(value) else None
        if mapped is not None:
            # A value the block does not know keeps every provider: the node's input validation reports it.
            providers = (mapped,)
        values = self.discriminator_values
        if value not in values:
            values = (*values, value)
        return CredentialsFieldInfo(
            providers=providers,
            types=self.types,
            scopes=self.scopes,
            discriminator=self.discriminator,
            discriminator_mapping=self.discriminator_mapping,
            discriminator_values=values,
        )

    def meta_model(self) -> type[CredentialsMetaInput[Any, Any]]:
        """The reference model accepting exactly these providers and types."""
        literal: Any = Literal  # built from values known only at run time
        providers = tuple(_as_member(name) for name in self.providers)
        model: type[CredentialsMetaInput[Any, Any]] = CredentialsMetaInput[literal[providers], literal[self.types]]
        return model


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _as_member(name: str) -> ProviderName | str:
    try:
        return ProviderName(name)
    except ValueError:
        return name


@functools.cache
def credentials_fields(schema: type[BaseModel]) -> dict[str, type[CredentialsMetaInput[Any, Any]]]:
    """The fields of a block's input schema typed as credentials references (computed once per schema)."""
    found: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        annotation = info.annotation
        if inspect.isclass(annotation) and issubclass(get_origin(annotation) or annotation, CredentialsMetaInput):
            found[name] = annotation
    return found


def credentials_fields_info(schema: type[BaseModel], json_schema: dict[str, Any]) -> dict[str, CredentialsFieldInfo]:
    properties = json_schema.get("properties", {})
    return {name: CredentialsFieldInfo.from_schema(properties[name]) for name in credentials_fields(schema)}


@functools.cache
def schema_credentials_info(schema: Any) -> dict[str, CredentialsFieldInfo]:
    """`credentials_fields_info` of a block's input schema class (which has `jsonschema()`), computed once."""
    return credentials_fields_info(schema, schema.jsonschema())


def check_credentials_fields(schema: type[BaseModel]) -> None:
    """Upstream's rules for a block's input schema; raises TypeError when the block is defined wrongly."""
    typed = credentials_fields(schema)
    for name in schema.model_fields:
        if is_credentials_field_name(name) and name not in typed:
            raise TypeError(f"Credentials field '{name}' on {schema.__qualname__} is not of type CredentialsMetaInput")
        if name in typed and not is_credentials_field_name(name):
            raise TypeError(
                f"Credentials field '{name}' on {schema.__qualname__} has invalid name: "
                "must be 'credentials' or *_credentials"
            )
    for name, annotation in typed.items():
        if not annotation.__pydantic_generic_metadata__["args"]:
            raise TypeError(f"Credentials field '{name}' on {schema.__qualname__} must name its providers and types")
        extra = schema.model_fields[name].json_schema_extra
        discriminator = extra.get("discriminator") if isinstance(extra, dict) else None
        if len(annotation.allowed_providers()) > 1 and not discriminator:
            raise TypeError(f"Multi-provider CredentialsField '{name}' requires discriminator!")


def validation_summary(error: ValidationError) -> str:
    """`field: message; ...` of a reference that does not fit its field, with enum members shown as values."""
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "value"
        message = item["msg"]
        expected = item.get("ctx", {}).get("expected")
        if item["type"] == "literal_error" and expected is not None:
            message = f"Input should be {_plain(expected)}"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def _plain(expected: str) -> str:
    for member in ProviderName:
        expected = expected.replace(repr(member), repr(member.value))
    return expected
