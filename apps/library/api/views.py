from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import paginate
from apps.core.api.responses import JSON_NULL, json_null
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.upstream import upstream_schema
from apps.core.api.validation import validate_body, validate_query
from apps.core.ratelimit import ExecuteRateLimit, UserRateLimit
from apps.executions.api.idempotency import IDEMPOTENCY_KEY, idempotency_key
from apps.executions.serialization import graph_execution_json
from apps.graphs.selectors import graph_get_for_user
from apps.graphs.services import graph_fork
from apps.library import selectors, services
from apps.library.api.serializers import (
    ByGraphQuery,
    FavoritesQuery,
    LibraryAgentListOutput,
    LibraryAgentOutput,
    LibraryAgentQuery,
    LibraryAgentUpdateInput,
    PresetCreateInput,
    PresetExecuteInput,
    PresetFromRunInput,
    PresetListOutput,
    PresetOutput,
    PresetQuery,
    PresetSetupTriggerInput,
    PresetUpdateInput,
    library_agent_json,
    preset_json,
)
from apps.library.exceptions import StoreNotAvailableError
from apps.library.models import AgentPreset, LibraryAgent

# --- presets ---------------------------------------------------------------------------


class PresetListCreateApi(APIView):
    @extend_schema(parameters=[PresetQuery], responses={200: PresetListOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        query = validate_query(PresetQuery, request)
        presets = selectors.presets_for_user(user=request.user, graph_id=query["graph_id"])
        body = paginate(
            presets, key="presets", render=lambda preset: preset, page=query["page"], page_size=query["page_size"]
        )
        webhooks = selectors.preset_webhooks(presets=body["presets"])
        body["presets"] = [preset_json(preset, webhooks.get(preset.webhook_id)) for preset in body["presets"]]
        return Response(body)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="PresetCreateRequest",
            serializers=[PresetCreateInput, PresetFromRunInput],
            resource_type_field_name=None,
        ),
        responses={200: PresetOutput},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        if isinstance(request.data, dict) and "graph_execution_id" in request.data:
            from_run = validate_body(PresetFromRunInput, request)
            preset = services.preset_create_from_run(
                user=request.user,
                run_id=from_run["graph_execution_id"],
                name=from_run["name"],
                description=from_run["description"],
                is_active=from_run["is_active"],
            )
        else:
            data = validate_body(PresetCreateInput, request)
            preset = services.preset_create(
                user=request.user,
                graph_id=data["graph_id"],
                graph_version=data["graph_version"],
                name=data["name"],
                description=data["description"],
                inputs=data["inputs"],
                credentials_inputs=data["credentials"],
                is_active=data["is_active"],
                webhook_id=data["webhook_id"],
            )
        return Response(_preset_json(preset))


def _preset_json(preset: AgentPreset) -> dict[str, Any]:
    webhooks = selectors.preset_webhooks(presets=[preset])
    return preset_json(preset, webhooks.get(preset.webhook_id) if preset.webhook_id else None)


class PresetSetupTriggerApi(APIView):
    documented_errors = {410: "That graph version is gone."}

    @extend_schema(request=PresetSetupTriggerInput, responses={200: PresetOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validate_body(PresetSetupTriggerInput, request)
        preset = services.preset_setup_trigger(
            user=request.user,
            graph_id=data["graph_id"],
            graph_version=data["graph_version"],
            name=data["name"],
            description=data["description"],
            trigger_config=data["trigger_config"],
            agent_credentials=data["agent_credentials"],
        )
        return Response(_preset_json(preset))


class PresetDetailApi(APIView):
    @extend_schema(responses={200: PresetOutput})
    def get(self, request: AuthenticatedRequest, preset_id: uuid.UUID) -> Response:
        return Response(_preset_json(selectors.preset_get_for_user(user=request.user, preset_id=preset_id)))

    @extend_schema(request=PresetUpdateInput, responses={200: PresetOutput})
    def patch(self, request: AuthenticatedRequest, preset_id: uuid.UUID) -> Response:
        data = validate_body(PresetUpdateInput, request)
        preset = selectors.preset_get_for_user(user=request.user, preset_id=preset_id)
        preset = services.preset_update(
            preset=preset,
            name=data["name"],
            description=data["description"],
            is_active=data["is_active"],
            inputs=data["inputs"],
            credentials_inputs=data["credentials"],
        )
        return Response(_preset_json(preset))

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, preset_id: uuid.UUID) -> Response:
        services.preset_delete(preset=selectors.preset_get_for_user(user=request.user, preset_id=preset_id))
        return Response(status=204)


class PresetExecuteApi(APIView):
    documented_errors = {
        402: "Not enough credits to run it: top up first.",
        410: "The preset's graph version is gone.",
    }

    throttle_classes = [UserRateLimit, ExecuteRateLimit]

    @extend_schema(
        request=PresetExecuteInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: upstream_schema("GraphExecutionMeta")},
    )
    def post(self, request: AuthenticatedRequest, preset_id: uuid.UUID) -> Response:
        data = validate_body(PresetExecuteInput, request)
        preset = selectors.preset_get_for_user(user=request.user, preset_id=preset_id)
        run = services.preset_execute(
            user=request.user,
            preset=preset,
            inputs=data["inputs"],
            credentials_inputs=data["credential_inputs"],
            idempotency_key=idempotency_key(request),
        )
        return Response(graph_execution_json(run))


# --- library agents --------------------------------------------------------------------


def _agents_page(agents: Any, *, page: int, page_size: int) -> dict[str, Any]:
    body = paginate(agents, key="agents", render=lambda agent: agent, page=page, page_size=page_size)
    body["agents"] = [library_agent_json(view) for view in selectors.library_agent_views(agents=body["agents"])]
    return body


def _agent_json(agent: LibraryAgent) -> dict[str, Any]:
    (view,) = selectors.library_agent_views(agents=[agent], with_sub_graphs=True)
    return library_agent_json(view)


class LibraryAgentListApi(APIView):
    @extend_schema(parameters=[LibraryAgentQuery], responses={200: LibraryAgentListOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        query = validate_query(LibraryAgentQuery, request)
        agents = selectors.library_agents_for_user(
            user=request.user, search_term=query.get("search_term"), sort_by=query["sort_by"]
        )
        return Response(_agents_page(agents, page=query["page"], page_size=query["page_size"]))

    @extend_schema(request=None, responses={201: LibraryAgentOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        raise StoreNotAvailableError()


class LibraryFavoritesApi(APIView):
    @extend_schema(parameters=[FavoritesQuery], responses={200: LibraryAgentListOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        query = validate_query(FavoritesQuery, request)
        agents = selectors.library_agents_for_user(user=request.user, favorites_only=True)
        return Response(_agents_page(agents, page=query["page"], page_size=query["page_size"]))


class LibraryAgentDetailApi(APIView):
    @extend_schema(responses={200: LibraryAgentOutput})
    def get(self, request: AuthenticatedRequest, library_agent_id: uuid.UUID) -> Response:
        agent = selectors.library_agent_get_for_user(user=request.user, library_agent_id=library_agent_id)
        return Response(_agent_json(agent))

    @extend_schema(request=LibraryAgentUpdateInput, responses={200: LibraryAgentOutput})
    def patch(self, request: AuthenticatedRequest, library_agent_id: uuid.UUID) -> Response:
        data = validate_body(LibraryAgentUpdateInput, request)
        agent = selectors.library_agent_get_for_user(user=request.user, library_agent_id=library_agent_id)
        return Response(_agent_json(services.library_agent_update(agent=agent, **data)))

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, library_agent_id: uuid.UUID) -> Response:
        agent = selectors.library_agent_get_for_user(user=request.user, library_agent_id=library_agent_id)
        services.library_agent_delete(agent=agent)
        return Response(status=204)


class LibraryAgentByGraphApi(APIView):
    @extend_schema(parameters=[ByGraphQuery], responses={200: LibraryAgentOutput})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        query = validate_query(ByGraphQuery, request)
        agent = selectors.library_agent_for_graph(user=request.user, graph_id=graph_id, version=query["version"])
        return Response(_agent_json(agent))


class LibraryAgentForkApi(APIView):
    @extend_schema(request=None, responses={200: LibraryAgentOutput})
    def post(self, request: AuthenticatedRequest, library_agent_id: uuid.UUID) -> Response:
        agent = selectors.library_agent_get_for_user(user=request.user, library_agent_id=library_agent_id)
        source = graph_get_for_user(user=request.user, graph_id=agent.graph_id, version=agent.graph_version)
        fork = graph_fork(user=request.user, source=source)
        return Response(_agent_json(selectors.library_agent_for_graph(user=request.user, graph_id=fork.graph_id)))


class StoreAgentApi(APIView):
    @extend_schema(responses={200: JSON_NULL})
    def get(self, request: AuthenticatedRequest, store_listing_version_id: str) -> HttpResponse:
        # Upstream answers null for a listing none of the user's library agents came from: with no
        # store here, that is every listing.
        return json_null()
