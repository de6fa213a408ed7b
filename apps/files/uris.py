"""File URIs: how blocks and clients name a stored file (`agpt-file://<id>/<name>`).

The id is what counts; the name is there for people reading a graph's inputs.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote, unquote

FILE_URI_SCHEME = "agpt-file"
_PREFIX = f"{FILE_URI_SCHEME}://"


def file_uri(*, file_id: uuid.UUID, name: str) -> str:
    return f"{_PREFIX}{file_id}/{quote(name)}"


def is_file_uri(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_PREFIX)


def file_id_of(uri: str) -> uuid.UUID | None:
    """The file id a URI names, or None when it is not a well-formed file URI."""
    if not is_file_uri(uri):
        return None
    head = unquote(uri[len(_PREFIX) :]).split("/", 1)[0]
    try:
        return uuid.UUID(head)
    except ValueError:
        return None
