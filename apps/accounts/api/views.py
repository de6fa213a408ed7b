from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.api.serializers import RefreshInput, TokenPairOutput, UserOutput
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.validation import validate_body
from apps.core.exceptions import ApplicationError
from apps.core.ratelimit import AuthRateLimit


class InvalidCredentialsError(ApplicationError):
    status_code = 401
    code = "INVALID_CREDENTIALS"

    def default_message(self) -> str:
        return "Invalid email or password"


class PublicAuthApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateLimit]


class RegisterApi(PublicAuthApi):
    class RegisterInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(
        request=RegisterInput,
        responses={201: inline_serializer("RegisterOutput", {"user": UserOutput(), **TokenPairOutput().fields})},
    )
    def post(self, request: Request) -> Response:
        data = validate_body(self.RegisterInput, request)
        user = services.user_create(email=data["email"], password=data["password"], name=data["name"])
        return Response({"user": UserOutput(user).data, **services.tokens_issue(user=user)}, status=201)


class TokenObtainApi(PublicAuthApi):
    documented_errors = {401: "Wrong email or password."}

    class TokenObtainInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=TokenObtainInput, responses=TokenPairOutput)
    def post(self, request: Request) -> Response:
        data = validate_body(self.TokenObtainInput, request)
        # The model backend itself, not `authenticate()`: the API's sign-in has its own rate limit
        # (RATE_LIMIT_AUTH), and `authenticate()` would have django-axes, which guards the admin's
        # form only, count API failures and lock API sign-ins out.
        user = ModelBackend().authenticate(request._request, email=data["email"], password=data["password"])
        if user is None:
            raise InvalidCredentialsError()
        return Response(services.tokens_issue(user=user))


class TokenRefreshApi(PublicAuthApi):
    documented_errors = {401: "The refresh token is invalid, expired or already used."}

    @extend_schema(request=RefreshInput, responses=TokenPairOutput)
    def post(self, request: Request) -> Response:
        data = validate_body(RefreshInput, request)
        return Response(services.tokens_refresh(refresh=data["refresh"]))


class LogoutApi(APIView):
    @extend_schema(request=RefreshInput, responses={204: None})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validate_body(RefreshInput, request)
        services.tokens_revoke(refresh=data["refresh"], user=request.user)
        return Response(status=204)


class CurrentUserApi(APIView):
    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: AuthenticatedRequest) -> Response:
        # Upstream get-or-creates from the token; our tokens name existing users.
        return Response(UserOutput(request.user).data)


class TimezoneApi(APIView):
    class TimezoneSerializer(serializers.Serializer):
        timezone = serializers.CharField(max_length=64)

    @extend_schema(responses=TimezoneSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response({"timezone": request.user.timezone})

    @extend_schema(request=TimezoneSerializer, responses=TimezoneSerializer)
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validate_body(self.TimezoneSerializer, request)
        user = services.user_set_timezone(user=request.user, timezone=data["timezone"])
        return Response({"timezone": user.timezone})
