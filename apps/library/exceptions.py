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


class PresetGraphGoneError(ApplicationError):
    """Setting up a trigger for a graph version the user cannot reach (any more): upstream's 410."""

    status_code = 410
    code = "GRAPH_GONE"
    hint = "Set the trigger up for one of your graphs' versions."

    def __init__(self, graph_id: object) -> None:
        super().__init__(f"Graph #{graph_id} not accessible (anymore)")


class PresetNotTriggerableError(ApplicationError):
    code = "GRAPH_HAS_NO_TRIGGER"
    hint = "Add a trigger block to the graph, or create a plain preset instead."

    def __init__(self, graph_id: object) -> None:
        super().__init__(f"Graph #{graph_id} does not have a webhook node")


class PresetTriggerIncompleteError(ApplicationError):
    code = "WEBHOOK_SETUP_FAILED"
    hint = "Give the trigger's inputs in `trigger_config` and its credentials in `agent_credentials`."

    def default_message(self) -> str:
        return (
            "Could not set up webhook: the trigger is missing an input it needs (a resource, credentials or an event)"
        )
