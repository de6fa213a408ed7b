"""What a file is, judged from its bytes: the type a client claims is never trusted.

Binary formats are recognised by their magic numbers (`filetype`). Text has none, so
text is `text/plain` unless its name says it is a kind of text (CSV, JSON, Markdown...):
a name can make text more specific, never make it binary, and never make it markup a
browser would run (HTML and SVG stay `text/plain`).
"""

from __future__ import annotations

import mimetypes
import re
import uuid

import filetype

OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"
# Enough of a file's start for every signature `filetype` knows.
SNIFF_BYTES = 8192
MAX_FILENAME_LENGTH = 200

_TEXT_TYPES_BY_NAME = frozenset(
    {
        "text/csv",
        "text/markdown",
        "text/tab-separated-values",
        "text/calendar",
        "text/x-python",
        "application/json",
        "application/xml",
        "text/xml",
        "application/x-yaml",
        "application/yaml",
    }
)
_UNSAFE_NAME_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still text.
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def sniff_content_type(head: bytes, *, name: str = "") -> str:
    """The MIME type of a file starting with `head` (at least its first `SNIFF_BYTES`)."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if not _is_text(head):
        return OCTET_STREAM
    by_name, _ = mimetypes.guess_type(name)
    return by_name if by_name in _TEXT_TYPES_BY_NAME else TEXT_PLAIN


def safe_file_name(name: str) -> str:
    """A name safe in any storage: no path separators or control characters, at most 200 characters."""
    cleaned = _UNSAFE_NAME_CHARACTERS.sub("_", name.strip())
    if len(cleaned) > MAX_FILENAME_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) < 20:
            cleaned = f"{stem[: MAX_FILENAME_LENGTH - len(extension) - 1]}.{extension}"
        else:
            cleaned = cleaned[:MAX_FILENAME_LENGTH]
    if not cleaned.strip("."):
        cleaned = f"file_{uuid.uuid4().hex[:8]}"
    return cleaned
