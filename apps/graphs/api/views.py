from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.types import AuthenticatedRequest
from apps.core.api.upstream import upstream_list, upstream_schema
from apps.core.api.validation import validate_body, validate_query
from apps.graphs import selectors, services
from apps.graphs.api.serializers import (
    CreateGraphInput,
    GraphInput,
    GraphQuery,
    SetActiveVersionInput,
    graph_json,
    graph_meta_json,
)
from apps.graphs.models import Graph
from apps.graphs.spec import GraphSpec


def _full_json(graph: Graph, *, for_export: bool = False) -> dict[str, object]:
    return graph_json(graph, sub_graphs=selectors.graph_sub_graphs(graph=graph), for_export=for_export)


class GraphListCreateApi(APIView):
    @extend_schema(responses={200: upstream_list("GraphMeta")})
    def get(self, request: AuthenticatedRequest) -> Response:
        graphs = selectors.graphs_list_active(user=request.user)
        return Response([graph_meta_json(graph, GraphSpec.from_model_nodes(graph)) for graph in graphs])

    @extend_schema(request=CreateGraphInput, responses={200: upstream_schema("GraphModel")})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validate_body(CreateGraphInput, request)
        graph = services.graph_create(user=request.user, spec=GraphSpec.from_payload(data["graph"]))
        return Response(_full_json(selectors.graph_get_for_user(user=request.user, graph_id=graph.graph_id)))


class GraphDetailApi(APIView):
    @extend_schema(parameters=[GraphQuery], responses={200: upstream_schema("GraphModel")})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        query = validate_query(GraphQuery, request)
        graph = selectors.graph_get_for_user(user=request.user, graph_id=graph_id, version=query.get("version"))
        return Response(_full_json(graph, for_export=query["for_export"]))

    @extend_schema(request=GraphInput, responses={200: upstream_schema("GraphModel")})
    def put(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        data = validate_body(GraphInput, request)
        graph = services.graph_update(user=request.user, graph_id=graph_id, spec=GraphSpec.from_payload(data))
        return Response(
            _full_json(selectors.graph_get_for_user(user=request.user, graph_id=graph_id, version=graph.version))
        )

    @extend_schema(responses={200: upstream_schema("DeleteGraphResponse")})
    def delete(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        return Response({"version_counts": services.graph_delete(user=request.user, graph_id=graph_id)})


class GraphVersionsApi(APIView):
    @extend_schema(responses={200: upstream_list("GraphModel")})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        versions = selectors.graph_versions_for_user(user=request.user, graph_id=graph_id)
        return Response([graph_json(graph, with_warnings=False) for graph in versions])


class GraphVersionDetailApi(APIView):
    @extend_schema(parameters=[GraphQuery], responses={200: upstream_schema("GraphModel")})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID, version: int) -> Response:
        query = validate_query(GraphQuery, request)
        graph = selectors.graph_get_for_user(user=request.user, graph_id=graph_id, version=version)
        return Response(_full_json(graph, for_export=query["for_export"]))


class GraphActiveVersionApi(APIView):
    @extend_schema(request=SetActiveVersionInput, responses={200: upstream_schema("GraphModel")})
    def put(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        data = validate_body(SetActiveVersionInput, request)
        graph = services.graph_set_active_version(
            user=request.user, graph_id=graph_id, version=data["active_graph_version"]
        )
        return Response(
            _full_json(selectors.graph_get_for_user(user=request.user, graph_id=graph_id, version=graph.version))
        )
