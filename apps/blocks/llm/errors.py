"""What a provider's refusal to answer becomes: a clear message for the node's `error` output.

Errors the user can act on (a rejected key, a rate limit, a prompt too long, a
refusal, a bad request) are `LlmCallError`s: the node fails with their message
at once. A provider that cannot be reached, times out or answers 5xx raises
`LlmProviderUnavailableError`, which the blocks' retry policy retries; the SDKs
themselves never retry (`max_retries=0`), so a rate limit is never waited out
behind the user's back.
"""

from __future__ import annotations

from typing import Any

import anthropic
import openai

PROVIDER_TITLES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "groq": "Groq",
    "open_router": "OpenRouter",
    "ollama": "Ollama",
    "llama_api": "Llama API",
    "aiml_api": "AI/ML API",
    "v0": "v0",
}
CONTEXT_TOO_LONG_MARKERS = ("maximum context length", "context_length_exceeded", "prompt is too long", "token limit")


class LlmCallError(ValueError):
    """The provider refused the call for a reason retrying will not fix."""


class LlmAuthenticationError(LlmCallError):
    pass


class LlmRateLimitError(LlmCallError):
    def __init__(self, message: str, retry_after: str | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LlmContextTooLongError(LlmCallError):
    pass


class LlmRefusalError(LlmCallError):
    pass


class LlmProviderUnavailableError(ConnectionError):
    """Unreachable, timed out or failing on its side (5xx, overloaded): worth another attempt later."""


def _detail(error: openai.APIStatusError | anthropic.APIStatusError) -> str:
    """The provider's own message: `{"error": {"message": ...}}` for both wire formats."""
    body: Any = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(error.message)


def translate(error: Exception, *, provider: str, model: str) -> Exception:
    """The exception a block raises for an SDK's `error`."""
    title = PROVIDER_TITLES.get(provider, provider)
    if isinstance(error, (openai.APIConnectionError, anthropic.APIConnectionError)):
        kind = "timed out" if isinstance(error, (openai.APITimeoutError, anthropic.APITimeoutError)) else "unreachable"
        return LlmProviderUnavailableError(f"{title} is {kind}: {error}")
    if not isinstance(error, (openai.APIStatusError, anthropic.APIStatusError)):
        return error
    status, detail = error.status_code, _detail(error)
    if status in (401, 403):
        return LlmAuthenticationError(
            f"{title} rejected the API key ({status}): {detail}. Check the credentials this node uses."
        )
    if status == 429:
        retry_after = error.response.headers.get("retry-after")
        hint = f" Retry after {retry_after} seconds." if retry_after else ""
        return LlmRateLimitError(f"{title} rate limit reached (429): {detail}.{hint}", retry_after)
    if status >= 500:
        return LlmProviderUnavailableError(f"{title} failed ({status}): {detail}")
    if any(marker in detail.lower() for marker in CONTEXT_TOO_LONG_MARKERS) or getattr(error, "code", None) == (
        "context_length_exceeded"
    ):
        return LlmContextTooLongError(f"The prompt is too long for {model} ({status}): {detail}")
    return LlmCallError(f"{title} rejected the request ({status}): {detail}")
