from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import PageQuery, paginate
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.upstream import upstream_list, upstream_schema
from apps.core.api.validation import validate_body, validate_query
from apps.core.ratelimit import ExecuteRateLimit, UserRateLimit
from apps.credentials.api.serializers import CredentialsMetaInput
from apps.executions import selectors, services
from apps.executions.api.idempotency import IDEMPOTENCY_KEY, idempotency_key
from apps.executions.serialization import graph_execution_json, node_execution_rest_json
from apps.graphs.selectors import graph_get_for_user


class ExecuteInput(serializers.Serializer):
    inputs = serializers.DictField(required=False, default=dict)
    credentials_inputs = serializers.DictField(child=CredentialsMetaInput(), required=False, default=dict)


class GraphExecuteApi(APIView):
    documented_errors = {402: "Not enough credits to run it: top up first."}

    throttle_classes = [UserRateLimit, ExecuteRateLimit]

    @extend_schema(
        request=ExecuteInput, parameters=[IDEMPOTENCY_KEY], responses={200: upstream_schema("GraphExecutionMeta")}
    )
    def post(self, request: AuthenticatedRequest, graph_id: uuid.UUID, version: int) -> Response:
        data = validate_body(ExecuteInput, request)
        graph = graph_get_for_user(user=request.user, graph_id=graph_id, version=version)
        run = services.execution_start(
            user=request.user,
            graph=graph,
            inputs=data["inputs"],
            credentials_inputs=data["credentials_inputs"],
            idempotency_key=idempotency_key(request),
        )
        return Response(graph_execution_json(run))


class ExecutionStopApi(APIView):
    @extend_schema(request=None, responses={200: upstream_schema("GraphExecutionMeta")})
    def post(self, request: AuthenticatedRequest, graph_id: uuid.UUID, run_id: uuid.UUID) -> Response:
        run = selectors.run_get_for_user(user=request.user, run_id=run_id, graph_id=graph_id)
        return Response(graph_execution_json(services.execution_stop(run=run)))


class ExecutionListApi(APIView):
    @extend_schema(responses={200: upstream_list("GraphExecutionMeta")})
    def get(self, request: AuthenticatedRequest) -> Response:
        runs = selectors.runs_for_user(user=request.user)[:250]
        return Response([graph_execution_json(run) for run in runs])


class GraphExecutionListApi(APIView):
    @extend_schema(parameters=[PageQuery], responses={200: upstream_schema("GraphExecutionsPaginated")})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        query = validate_query(PageQuery, request)
        runs = selectors.runs_for_user(user=request.user).filter(graph_public_id=graph_id)
        return Response(paginate(runs, key="executions", render=graph_execution_json, **query))


class GraphExecutionDetailApi(APIView):
    @extend_schema(responses={200: upstream_schema("GraphExecutionWithNodes")})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID, run_id: uuid.UUID) -> Response:
        run = selectors.run_get_for_user(user=request.user, run_id=run_id, graph_id=graph_id)
        body = graph_execution_json(run, outputs=selectors.run_outputs(run_id=run.id))
        body["node_executions"] = [
            node_execution_rest_json(item, run) for item in selectors.node_executions_for_run(run_id=run.id)
        ]
        return Response(body)


class ExecutionDeleteApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, run_id: uuid.UUID) -> Response:
        services.execution_delete(run=selectors.run_get_for_user(user=request.user, run_id=run_id))
        return Response(status=204)
