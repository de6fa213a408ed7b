"""What the language-model stand-ins answer an exported agent: a plausible reply for the prompt's kind."""

from __future__ import annotations

from tests.fakes.llm_script import Recorded, Reply


def plausible_reply(request: Recorded) -> Reply:
    return Reply(text=f"Drafted: {request.last_user_text[:80]}", prompt_tokens=100, completion_tokens=30)
