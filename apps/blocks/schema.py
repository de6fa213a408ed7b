"""Block input/output schemas: pydantic models, their JSON schema, and input coercion.

Values reach a block from links and constants as whatever JSON the producer
emitted. Like upstream's `convert`, inputs are first coerced towards the
annotated type (a number from a numeric string, a string from a number, a list
or dict from its JSON text), then validated by pydantic.
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from apps.blocks.conversion import to_list
from apps.credentials.fields import check_credentials_fields


def SchemaField(
    default: Any = PydanticUndefined,
    *,
    description: str | None = None,
    title: str | None = None,
    placeholder: str | None = None,
    advanced: bool | None = None,
    secret: bool = False,
    hidden: bool | None = None,
    depends_on: list[str] | None = None,
    format: str | None = None,
    default_factory: Any = None,
    **constraints: Any,
) -> Any:
    """A pydantic field with upstream's UI extras. Fields with a default are "advanced" unless told."""
    required = default is PydanticUndefined and default_factory is None
    extra = {
        "placeholder": placeholder,
        "secret": secret,
        "advanced": False if required else (True if advanced is None else advanced),
        "hidden": hidden,
        "depends_on": depends_on,
        "format": format,
    }
    kwargs: dict[str, Any] = {"description": description, "title": title, **constraints}
    if default_factory is not None:
        kwargs["default_factory"] = default_factory
    else:
        kwargs["default"] = default
    json_extra: dict[str, Any] = {key: value for key, value in extra.items() if value is not None}
    return Field(json_schema_extra=json_extra, **kwargs)


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            # A field's own keywords (description, default, UI extras) sit beside its `$ref`
            # (an enum, a nested model): merge them over the definition, theirs winning.
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            referenced = _inline_refs(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
            return {**referenced, **_inline_refs(siblings, definitions)}
        return {key: _inline_refs(value, definitions) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    return node


class BlockSchema(BaseModel):
    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    @classmethod
    def jsonschema(cls) -> dict[str, Any]:
        """The JSON schema with every `$ref` inlined, computed once per class."""
        return _json_schema_of(cls)

    @classmethod
    def field_names(cls) -> set[str]:
        return set(cls.model_fields)

    @classmethod
    def required_fields(cls) -> set[str]:
        return {name for name, field in cls.model_fields.items() if field.is_required()}

    @classmethod
    def parse(cls, data: dict[str, Any]) -> BlockSchema:
        """Coerce and validate; `None` means "not given" where the field has a default.

        A required field given `None` (a linked pin that yielded None, as RetrieveInformation
        does for an unset key) takes it as its value, as upstream does: a field of type `Any`
        accepts it, and any other says what it expected rather than that it is missing.
        """
        values = {}
        for name, field in cls.model_fields.items():
            value = data.get(name)
            if value is not None:
                values[name] = coerce(value, field.annotation)
            elif name in data and field.is_required():
                values[name] = None
        return cls.model_validate(values)


class BlockSchemaInput(BlockSchema):
    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Upstream's rules for credentials fields, checked when a block is defined.
        check_credentials_fields(cls)


class BlockSchemaOutput(BlockSchema):
    error: str = SchemaField(description="Error message if the operation failed", default="")


@cache
def output_adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def validation_messages(error: ValidationError) -> dict[str, str]:
    """`{field: message}` from a pydantic error, the field being the top-level input name."""
    messages: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "__root__"
        messages.setdefault(field, item["msg"])
    return messages


@cache
def _json_schema_of(schema: type[BaseModel]) -> dict[str, Any]:
    raw = schema.model_json_schema()
    inlined: dict[str, Any] = _inline_refs(raw, raw.get("$defs", {}))
    return inlined


# --- coercion -------------------------------------------------------------------


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


def coerce(value: Any, annotation: Any) -> Any:
    """Best-effort conversion of `value` towards `annotation`; pydantic validates the result."""
    target = _unwrap_optional(annotation)
    origin = get_origin(target) or target
    if target is Any or value is None or isinstance(origin, typing.TypeVar):
        return value
    if origin is str and not isinstance(value, str):
        return json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    if origin in (int, float) and isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return value
        return int(number) if origin is int and number.is_integer() else number
    if origin is bool and isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    if origin in (list, tuple, set) and not isinstance(value, (list, dict)):
        # As upstream's executor: a JSON list in a string is that list, any other text or scalar a
        # list of one (an email address linked into a `to: list[str]` pin).
        return to_list(value)
    if origin is dict and isinstance(value, str):
        parsed = _parse_json(value)
        value = parsed if isinstance(parsed, dict) else value
    # Into the items too, as upstream's `convert` does: a prompt's values (`dict[str, str]`) are
    # often linked from numbers and lists.
    arguments = get_args(target)
    if origin is dict and isinstance(value, dict) and len(arguments) == 2:
        return {key: coerce(item, arguments[1]) for key, item in value.items()}
    if origin is list and isinstance(value, list) and len(arguments) == 1:
        return [coerce(item, arguments[0]) for item in value]
    return value
