"""Uploads on the wire: upstream's multipart body and `UploadFileResponse`."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers


class UploadQuery(serializers.Serializer):
    # Upstream picks a cloud here ("gcs"); the storage is configured for the whole platform: accepted, unused.
    provider = serializers.CharField(required=False, default="gcs", max_length=32)
    expiration_hours = serializers.IntegerField(
        required=False,
        default=settings.FILE_EXPIRY_DEFAULT_HOURS,
        min_value=1,
        max_value=settings.FILE_EXPIRY_MAX_HOURS,
        error_messages={
            "min_value": f"Expiration hours must be between 1 and {settings.FILE_EXPIRY_MAX_HOURS}",
            "max_value": f"Expiration hours must be between 1 and {settings.FILE_EXPIRY_MAX_HOURS}",
        },
    )


class UploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class UploadOutput(serializers.Serializer):
    """`UploadFileResponse`."""

    file_uri = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    expires_in_hours = serializers.IntegerField()
