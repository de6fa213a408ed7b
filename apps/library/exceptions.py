"""Library and preset errors, rendered by the one exception handler."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError, NotFoundError


class PresetNotFoundError(NotFoundError):
    def __init__(self, preset_id: object) -> None:
        super().__init__(f"Preset #{preset_id} not found")


class LibraryAgentNotFoundError(NotFoundError):
    def __init__(self, library_agent_id: object) -> None:
        super().__init__(f"Library agent #{library_agent_id} not found")


class StoreNotAvailableError(NotFoundError):
    """The marketplace (store) is not part of this platform: its routes answer 404, saying so."""

    hint = "Create or import the agent with POST /api/graphs instead."

    def default_message(self) -> str:
        return "The agent store is not available on this platform."


class PresetInputsIncompleteError(ApplicationError):
    status_code = 422
    code = "PRESET_INPUTS_INCOMPLETE"
    hint = "Send `inputs` and `credentials` together."

    def default_message(self) -> str:
        return "Preset inputs and credentials must be provided together"
