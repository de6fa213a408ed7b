"""Schedules on the wire: upstream's `ScheduleCreationRequest` in, `GraphExecutionJobInfo` out."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from apps.credentials.api.serializers import CredentialsMetaInput
from apps.graphs.api.serializers import MAX_VERSION
from apps.schedules.cron import MAX_EXPRESSION_LENGTH, Cron, zone_for
from apps.schedules.exceptions import InvalidCronError, InvalidTimezoneError
from apps.schedules.models import Schedule


class ScheduleCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    graph_version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, required=False, allow_null=True, default=None
    )
    cron = serializers.CharField(max_length=MAX_EXPRESSION_LENGTH)
    inputs = serializers.DictField()
    credentials = serializers.DictField(child=CredentialsMetaInput(), required=False, default=dict)
    timezone = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True, default=None)

    def validate_cron(self, value: str) -> str:
        try:
            Cron.parse(value, "UTC")
        except InvalidCronError as error:
            raise serializers.ValidationError(error.message) from error
        return value

    def validate_timezone(self, value: str | None) -> str | None:
        if value:
            try:
                zone_for(value)
            except InvalidTimezoneError as error:
                raise serializers.ValidationError(error.message) from error
        return value or None


class ScheduleOutput(serializers.Serializer):
    """Upstream's `GraphExecutionJobInfo`; `next_run_time` is in UTC."""

    id = serializers.CharField()
    name = serializers.CharField()
    user_id = serializers.CharField()
    graph_id = serializers.CharField()
    graph_version = serializers.IntegerField()
    cron = serializers.CharField()
    input_data = serializers.DictField()
    input_credentials = serializers.DictField(child=CredentialsMetaInput())
    next_run_time = serializers.CharField()
    timezone = serializers.CharField()


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    upcoming = Cron.parse(schedule.cron, schedule.timezone).next_after(timezone.now())
    return {
        "id": str(schedule.id),
        "name": schedule.name,
        "user_id": str(schedule.user_id),
        "graph_id": str(schedule.graph_id),
        "graph_version": schedule.graph_version,
        "cron": schedule.cron,
        "input_data": schedule.inputs,
        "input_credentials": schedule.credentials_inputs,
        "next_run_time": upcoming.astimezone(UTC).isoformat() if upcoming else "",
        "timezone": schedule.timezone,
    }


class ScheduleDeleteOutput(serializers.Serializer):
    id = serializers.CharField()
