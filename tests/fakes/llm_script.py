"""What a fake language-model provider answers, and what it was sent: shared by the OpenAI and Anthropic fakes.

A test scripts the replies: `queue(...)` puts replies (or failures) to give in
order; once the queue is empty, `responder(request)` decides, by default a
deterministic echo of the last user message. Every request is recorded with the
API key it carried, so a test can check the key sent was the user's own.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str = ""
    # (name, arguments) of each tool call, in order.
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    prompt_tokens: int = 11
    completion_tokens: int = 7
    refusal: str | None = None


@dataclass(frozen=True)
class Failure:
    status: int
    message: str
    error_type: str = ""
    code: str | None = None
    retry_after: str | None = None


@dataclass(frozen=True)
class Recorded:
    path: str
    api_key: str
    body: dict[str, Any]

    @property
    def last_user_text(self) -> str:
        for message in reversed(self.body.get("messages", [])):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, str):
                    return content
                return " ".join(part.get("text", "") for part in content or [] if isinstance(part, dict))
        return ""


def echo(request: Recorded) -> Reply:
    return Reply(text=f"Echo: {request.last_user_text[:200]}")


@dataclass
class Script:
    responder: Callable[[Recorded], Reply | Failure] = echo
    # Keys the server accepts; empty accepts any non-empty key.
    api_keys: set[str] = field(default_factory=set)
    requests: list[Recorded] = field(default_factory=list)
    _queue: deque[Reply | Failure] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, *answers: Reply | Failure | str) -> None:
        with self._lock:
            self._queue.extend(Reply(text=answer) if isinstance(answer, str) else answer for answer in answers)

    def answer(self, request: Recorded) -> Reply | Failure:
        with self._lock:
            self.requests.append(request)
            if (self.api_keys and request.api_key not in self.api_keys) or not request.api_key:
                return Failure(401, "Incorrect API key provided", "authentication_error", "invalid_api_key")
            if self._queue:
                return self._queue.popleft()
        return self.responder(request)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self.responder = echo
            self.api_keys = set()
