"""Share routes: the owner turns sharing on and off; anyone with the token reads the outcome."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.types import AuthenticatedRequest
from apps.executions import selectors, sharing
from apps.executions.models import ExecutionStatus
from apps.executions.serialization import shared_run_json


class ShareOutput(serializers.Serializer):
    share_url = serializers.CharField()
    share_token = serializers.CharField()


class SharedRunOutput(serializers.Serializer):
    """Upstream's `SharedExecutionResponse`: what a shared run shows, without inputs, credentials or node details."""

    id = serializers.CharField()
    graph_name = serializers.CharField()
    graph_description = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=ExecutionStatus.choices)
    created_at = serializers.DateTimeField()
    outputs = serializers.DictField(child=serializers.ListField())


class ExecutionShareApi(APIView):
    @extend_schema(request=None, responses={200: ShareOutput})
    def post(self, request: AuthenticatedRequest, graph_id: uuid.UUID, run_id: uuid.UUID) -> Response:
        run = selectors.run_get_for_user(user=request.user, run_id=run_id, graph_id=graph_id)
        token = sharing.execution_share(run=run)
        return Response({"share_url": sharing.share_url(token), "share_token": str(token)})

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, graph_id: uuid.UUID, run_id: uuid.UUID) -> Response:
        run = selectors.run_get_for_user(user=request.user, run_id=run_id, graph_id=graph_id)
        sharing.execution_unshare(run=run)
        return Response(status=204)


class SharedRunApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(auth=[], responses={200: SharedRunOutput})
    def get(self, request: Request, share_token: str) -> Response:
        run = sharing.shared_run_get(token=share_token)
        return Response(shared_run_json(run, outputs=selectors.run_outputs(run_id=run.id)))
