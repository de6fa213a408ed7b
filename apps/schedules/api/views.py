from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.types import AuthenticatedRequest
from apps.core.api.validation import validate_body
from apps.graphs.selectors import graph_get_for_user
from apps.schedules import selectors, services
from apps.schedules.api.serializers import (
    ScheduleCreateInput,
    ScheduleDeleteOutput,
    ScheduleOutput,
    schedule_json,
)


class GraphSchedulesApi(APIView):
    @extend_schema(request=ScheduleCreateInput, responses={200: ScheduleOutput})
    def post(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        data = validate_body(ScheduleCreateInput, request)
        graph = graph_get_for_user(user=request.user, graph_id=graph_id, version=data["graph_version"])
        schedule = services.schedule_create(
            user=request.user,
            graph=graph,
            name=data["name"],
            cron=data["cron"],
            timezone_name=data["timezone"],
            inputs=data["inputs"],
            credentials_inputs=data["credentials"],
        )
        return Response(schedule_json(schedule))

    @extend_schema(responses={200: ScheduleOutput(many=True)})
    def get(self, request: AuthenticatedRequest, graph_id: uuid.UUID) -> Response:
        schedules = selectors.schedules_for_user(user=request.user, graph_id=graph_id)
        return Response([schedule_json(schedule) for schedule in schedules])


class ScheduleListApi(APIView):
    @extend_schema(responses={200: ScheduleOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response([schedule_json(schedule) for schedule in selectors.schedules_for_user(user=request.user)])


class ScheduleDeleteApi(APIView):
    @extend_schema(responses={200: ScheduleDeleteOutput})
    def delete(self, request: AuthenticatedRequest, schedule_id: uuid.UUID) -> Response:
        services.schedule_delete(user=request.user, schedule_id=schedule_id)
        return Response({"id": str(schedule_id)})
