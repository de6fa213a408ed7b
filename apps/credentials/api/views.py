from __future__ import annotations

from drf_spectacular.plumbing import build_array_type
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.errors import RequestValidationError
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.validation import validate_body, validate_query
from apps.credentials import selectors, services
from apps.credentials.api.serializers import (
    CREATE_INPUT,
    CREATE_INPUTS,
    CREDENTIALS_OUTPUT,
    DELETION_OUTPUT,
    CredentialsMetaOutput,
    LoginOutput,
    credentials_meta,
    masked,
)
from apps.credentials.codec import to_runtime
from apps.credentials.oauth_logins import oauth_login_complete, oauth_login_start
from apps.credentials.provider_names import all_provider_names
from apps.credentials.providers import is_valid_provider_name

MAX_SCOPES = 50


def _provider(value: str) -> str:
    if not is_valid_provider_name(value):
        raise RequestValidationError(
            {"provider": ["Enter a provider name: letters, digits, '_', '.' or '-', at most 100 characters."]},
            location="path",
        )
    return value


class CredentialsListApi(APIView):
    @extend_schema(responses=CredentialsMetaOutput(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response([credentials_meta(item) for item in selectors.credentials_list(user=request.user)])


class ProviderCredentialsApi(APIView):
    @extend_schema(
        operation_id="api_integrations_provider_credentials_list", responses=CredentialsMetaOutput(many=True)
    )
    def get(self, request: AuthenticatedRequest, provider: str) -> Response:
        items = selectors.credentials_list(user=request.user, provider=_provider(provider))
        return Response([credentials_meta(item) for item in items])

    @extend_schema(request=CREATE_INPUT, responses={201: CREDENTIALS_OUTPUT})
    def post(self, request: AuthenticatedRequest, provider: str) -> Response:
        provider = _provider(provider)
        kind = request.data.get("type") if isinstance(request.data, dict) else None
        if kind == "oauth2":
            raise serializers.ValidationError(
                {"type": [f"OAuth2 credentials are created by signing in: GET /api/integrations/{provider}/login"]}
            )
        data = validate_body(CREATE_INPUTS.get(str(kind), CREATE_INPUTS["api_key"]), request)
        row = services.credential_create(user=request.user, provider=provider, data=data)
        return Response(masked(to_runtime(row)), status=201)


class CredentialDetailApi(APIView):
    documented_errors = {403: "Platform credentials cannot be deleted."}

    class DeleteQuery(serializers.Serializer):
        force = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=CREDENTIALS_OUTPUT)
    def get(self, request: AuthenticatedRequest, provider: str, cred_id: str) -> Response:
        credentials = selectors.credentials_get(user=request.user, credentials_id=cred_id, provider=_provider(provider))
        return Response(masked(credentials))

    @extend_schema(parameters=[DeleteQuery], responses={200: DELETION_OUTPUT})
    def delete(self, request: AuthenticatedRequest, provider: str, cred_id: str) -> Response:
        query = validate_query(self.DeleteQuery, request)
        deletion = services.credential_delete(
            user=request.user, provider=_provider(provider), credentials_id=cred_id, force=query["force"]
        )
        if not deletion.deleted:
            return Response({"deleted": False, "need_confirmation": True, "message": deletion.message})
        return Response({"deleted": True, "revoked": deletion.revoked})


class OAuthLoginApi(APIView):
    documented_errors = {501: "The provider's OAuth app is not configured on this server."}

    class LoginQuery(serializers.Serializer):
        scopes = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)

        def validate_scopes(self, value: str) -> list[str]:
            scopes = [scope for scope in value.split(",") if scope]
            if len(scopes) > MAX_SCOPES:
                raise serializers.ValidationError(f"At most {MAX_SCOPES} scopes.")
            if any(len(scope) > 500 or any(char.isspace() for char in scope) for scope in scopes):
                raise serializers.ValidationError(
                    "Scopes are comma-separated, without spaces, each at most 500 characters."
                )
            return scopes

    @extend_schema(parameters=[LoginQuery], responses=LoginOutput)
    def get(self, request: AuthenticatedRequest, provider: str) -> Response:
        query = validate_query(self.LoginQuery, request)
        login_url, state_token = oauth_login_start(
            user=request.user, provider=_provider(provider), scopes=query["scopes"]
        )
        return Response({"login_url": login_url, "state_token": state_token})


class OAuthCallbackApi(APIView):
    documented_errors = {501: "The provider's OAuth app is not configured on this server."}

    class CallbackInput(serializers.Serializer):
        code = serializers.CharField(max_length=4096)
        state_token = serializers.CharField(max_length=512)

    @extend_schema(request=CallbackInput, responses=CredentialsMetaOutput)
    def post(self, request: AuthenticatedRequest, provider: str) -> Response:
        data = validate_body(self.CallbackInput, request)
        row = oauth_login_complete(
            user=request.user, provider=_provider(provider), code=data["code"], state_token=data["state_token"]
        )
        return Response(credentials_meta(row))


class PublicProvidersApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]


class ProvidersApi(PublicProvidersApi):
    @extend_schema(responses=OpenApiResponse(response=build_array_type({"type": "string"})))
    def get(self, request: Request) -> Response:
        return Response(all_provider_names())


class ProviderNamesApi(PublicProvidersApi):
    @extend_schema(
        responses=inline_serializer(
            "ProviderNamesResponse", {"providers": serializers.ListField(child=serializers.CharField())}
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"providers": all_provider_names()})


class ProviderConstantsApi(PublicProvidersApi):
    @extend_schema(
        responses=inline_serializer(
            "ProviderConstants", {"PROVIDER_NAMES": serializers.DictField(child=serializers.CharField())}
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"PROVIDER_NAMES": {name.upper().replace("-", "_"): name for name in all_provider_names()}})


class ProviderEnumExampleApi(PublicProvidersApi):
    @extend_schema(responses=inline_serializer("ProviderEnumResponse", {"provider": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        names = all_provider_names()
        return Response({"provider": names[0] if names else "openai"})
