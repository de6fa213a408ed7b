"""Path converters."""

from __future__ import annotations


class VersionConverter:
    """A graph version in a path: up to nine digits, so it fits the database's integer (longer is a 404)."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
