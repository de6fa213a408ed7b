from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api_keys.models import APIKeyPermission
from apps.blocks.api import views as blocks_views
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.upstream import upstream_list, upstream_schema
from apps.core.api.validation import validate_body
from apps.core.ratelimit import ApiKeyRateLimit, ExecuteRateLimit
from apps.executions import selectors as execution_selectors
from apps.executions import services as execution_services
from apps.executions.api.idempotency import IDEMPOTENCY_KEY, idempotency_key
from apps.executions.models import ExecutionStatus
from apps.executions.serialization import graph_execution_json, node_execution_rest_json
from apps.external_api.base import ExternalApiView
from apps.graphs import selectors as graph_selectors
from apps.graphs.api.serializers import graph_meta_json
from apps.graphs.spec import GraphSpec


class ExecutionStarted(serializers.Serializer):
    id = serializers.UUIDField(help_text="The run's id.")


class NodeResult(serializers.Serializer):
    node_id = serializers.CharField()
    input = serializers.JSONField(help_text="The node's input `value`, or all its inputs.")
    output = serializers.DictField(child=serializers.ListField(child=serializers.JSONField()))


class ExecutionResults(serializers.Serializer):
    execution_id = serializers.UUIDField()
    status = serializers.CharField()
    nodes = NodeResult(many=True)
    output = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        allow_null=True,
        help_text="Each Output node's `{name: value}` once the run completed; null before.",
    )


class MeApi(ExternalApiView):
    required_permission = APIKeyPermission.IDENTITY

    class ExternalMeOutput(serializers.Serializer):
        id = serializers.UUIDField()
        name = serializers.CharField()
        email = serializers.EmailField()
        timezone = serializers.CharField()

    @extend_schema(responses=ExternalMeOutput)
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(self.ExternalMeOutput(request.user).data)


# The block routes are the /api ones, behind an API key instead of a bearer token.
class BlockListApi(ExternalApiView, blocks_views.BlockListApi):
    required_permission = APIKeyPermission.READ_BLOCK


class BlockExecuteApi(ExternalApiView, blocks_views.BlockExecuteApi):
    required_permission = APIKeyPermission.EXECUTE_BLOCK


class GraphListApi(ExternalApiView):
    required_permission = APIKeyPermission.READ_GRAPH

    @extend_schema(responses={200: upstream_list("GraphMeta")})
    def get(self, request: AuthenticatedRequest) -> Response:
        graphs = graph_selectors.graphs_list_active(user=request.user)
        return Response([graph_meta_json(graph, GraphSpec.from_model_nodes(graph)) for graph in graphs])


class GraphExecuteApi(ExternalApiView):
    documented_errors = {402: "Not enough credits to run it: top up first."}

    required_permission = APIKeyPermission.EXECUTE_GRAPH
    throttle_classes = [ApiKeyRateLimit, ExecuteRateLimit]

    class ExternalExecuteInput(serializers.Serializer):
        node_input = serializers.DictField(required=False, default=dict)

    @extend_schema(request=ExternalExecuteInput, parameters=[IDEMPOTENCY_KEY], responses={200: ExecutionStarted})
    def post(self, request: AuthenticatedRequest, graph_id: uuid.UUID, version: int) -> Response:
        data = validate_body(self.ExternalExecuteInput, request)
        graph = graph_selectors.graph_get_for_user(user=request.user, graph_id=graph_id, version=version)
        run = execution_services.execution_start(
            user=request.user, graph=graph, inputs=data["node_input"], idempotency_key=idempotency_key(request)
        )
        return Response({"id": str(run.id)})


class GraphExecutionApi(ExternalApiView):
    required_permission = APIKeyPermission.READ_GRAPH

    @extend_schema(responses={200: upstream_schema("GraphExecutionMeta")})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID, run_id: uuid.UUID) -> Response:
        run = execution_selectors.run_get_for_user(user=request.user, run_id=run_id, graph_id=graph_id)
        return Response(graph_execution_json(run))


class GraphExecutionResultsApi(ExternalApiView):
    required_permission = APIKeyPermission.READ_GRAPH

    @extend_schema(responses={200: ExecutionResults})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID, run_id: uuid.UUID) -> Response:
        run = execution_selectors.run_get_for_user(user=request.user, run_id=run_id, graph_id=graph_id)
        nodes = []
        for item in execution_selectors.node_executions_for_run(run_id=run.id):
            node = node_execution_rest_json(item, run)
            given = node["input_data"]
            nodes.append(
                {
                    "node_id": node["node_id"],
                    "input": given.get("value", given) if isinstance(given, dict) else given,
                    "output": node["output_data"],
                }
            )
        outputs = execution_selectors.run_outputs(run_id=run.id)
        finished = run.status == ExecutionStatus.COMPLETED
        return Response(
            {
                "execution_id": str(run.id),
                "status": run.status,
                "nodes": nodes,
                "output": [{name: value} for name, values in outputs.items() for value in values] if finished else None,
            }
        )
