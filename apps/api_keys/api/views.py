from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api_keys import services
from apps.api_keys.api.serializers import ApiKeyOutput, permissions_field, validate_future
from apps.api_keys.selectors import api_key_get_for_user, api_key_list
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.validation import validate_body


class ApiKeyListCreateApi(APIView):
    class ApiKeyCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=255)
        permissions = permissions_field()
        description = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, allow_null=True, default=None
        )
        expires_at = serializers.DateTimeField(
            required=False, allow_null=True, default=None, validators=[validate_future]
        )

    class ApiKeyCreateOutput(serializers.Serializer):
        api_key = ApiKeyOutput()
        plain_text_key = serializers.CharField()

    @extend_schema(responses=ApiKeyOutput(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(ApiKeyOutput(api_key_list(user=request.user), many=True).data)

    @extend_schema(request=ApiKeyCreateInput, responses=ApiKeyCreateOutput)
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validate_body(self.ApiKeyCreateInput, request)
        api_key, plain_text_key = services.api_key_create(user=request.user, **data)
        # 200, as upstream (FastAPI's default): the plaintext is in this answer and nowhere else.
        return Response(self.ApiKeyCreateOutput({"api_key": api_key, "plain_text_key": plain_text_key}).data)


class ApiKeyDetailApi(APIView):
    @extend_schema(responses=ApiKeyOutput)
    def get(self, request: AuthenticatedRequest, key_id: str) -> Response:
        return Response(ApiKeyOutput(api_key_get_for_user(user=request.user, key_id=key_id)).data)

    @extend_schema(responses={200: ApiKeyOutput})
    def delete(self, request: AuthenticatedRequest, key_id: str) -> Response:
        api_key = api_key_get_for_user(user=request.user, key_id=key_id)
        return Response(ApiKeyOutput(services.api_key_revoke(api_key=api_key)).data)


class ApiKeySuspendApi(APIView):
    @extend_schema(request=None, responses=ApiKeyOutput)
    def post(self, request: AuthenticatedRequest, key_id: str) -> Response:
        api_key = api_key_get_for_user(user=request.user, key_id=key_id)
        return Response(ApiKeyOutput(services.api_key_suspend(api_key=api_key)).data)


class ApiKeyPermissionsApi(APIView):
    class ApiKeyPermissionsInput(serializers.Serializer):
        permissions = permissions_field()

    @extend_schema(request=ApiKeyPermissionsInput, responses=ApiKeyOutput)
    def put(self, request: AuthenticatedRequest, key_id: str) -> Response:
        data = validate_body(self.ApiKeyPermissionsInput, request)
        api_key = api_key_get_for_user(user=request.user, key_id=key_id)
        updated = services.api_key_update_permissions(api_key=api_key, permissions=data["permissions"])
        return Response(ApiKeyOutput(updated).data)
