"""The key format and its keyed hash.

A key is `agpt_` + 32 random bytes in url-safe base64 (48 characters), as upstream's
keysmith makes them. With ~256 bits of entropy a slow password hash buys nothing and
costs every request; an HMAC-SHA256 under a server-side pepper means a copy of the
table alone cannot be used to check guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings

PREFIX = "agpt_"
HEAD_LENGTH = 8
TAIL_LENGTH = 8
_RANDOM_BYTES = 32
_FORMAT = re.compile(rf"{PREFIX}[A-Za-z0-9_-]{{43}}")


@dataclass(frozen=True)
class GeneratedKey:
    plaintext: str
    head: str
    tail: str
    hash: str

    def __repr__(self) -> str:
        # Keeps the plaintext out of tracebacks and debug output.
        return f"GeneratedKey(head={self.head!r}, tail={self.tail!r})"


def key_hash(plaintext: str) -> str:
    return hmac.new(settings.API_KEY_PEPPER.encode(), plaintext.encode(), hashlib.sha256).hexdigest()


def key_is_well_formed(plaintext: str) -> bool:
    # fullmatch, not match with `$`: that would accept a trailing newline.
    return _FORMAT.fullmatch(plaintext) is not None


def key_head(plaintext: str) -> str:
    return plaintext[:HEAD_LENGTH]


def key_generate() -> GeneratedKey:
    plaintext = PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)
    return GeneratedKey(
        plaintext=plaintext, head=key_head(plaintext), tail=plaintext[-TAIL_LENGTH:], hash=key_hash(plaintext)
    )
