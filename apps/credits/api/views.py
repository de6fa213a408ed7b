from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsAdmin
from apps.core.api.types import AuthenticatedRequest
from apps.core.api.validation import validate_body, validate_query
from apps.credits import selectors, services
from apps.credits.api.serializers import UserTransactionOutput
from apps.credits.models import CreditTransactionType


class CreditsApi(APIView):
    class CreditsOutput(serializers.Serializer):
        credits = serializers.IntegerField()

    @extend_schema(responses=CreditsOutput)
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response({"credits": selectors.credits_get_balance(user_id=str(request.user.pk))})


class TransactionHistoryApi(APIView):
    class HistoryQuery(serializers.Serializer):
        transaction_time = serializers.DateTimeField(required=False)
        transaction_type = serializers.ChoiceField(choices=CreditTransactionType.choices, required=False)
        transaction_count_limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)

    class HistoryOutput(serializers.Serializer):
        transactions = UserTransactionOutput(many=True)
        next_transaction_time = serializers.DateTimeField(allow_null=True)

    @extend_schema(parameters=[HistoryQuery], responses=HistoryOutput)
    def get(self, request: AuthenticatedRequest) -> Response:
        query = validate_query(self.HistoryQuery, request)
        history = selectors.credits_transaction_history(
            user_id=str(request.user.pk),
            limit=query["transaction_count_limit"],
            before=query.get("transaction_time"),
            transaction_type=query.get("transaction_type"),
        )
        return Response(self.HistoryOutput(history).data)


class AdminAddCreditsApi(APIView):
    permission_classes = [IsAdmin]

    class AddCreditsInput(serializers.Serializer):
        user_id = serializers.UUIDField()
        amount = serializers.IntegerField(min_value=-services.MAX_BALANCE, max_value=services.MAX_BALANCE)
        comments = serializers.CharField(allow_blank=True, max_length=2000)

    class AddCreditsOutput(serializers.Serializer):
        new_balance = serializers.IntegerField()
        transaction_key = serializers.CharField()

    @extend_schema(request=AddCreditsInput, responses=AddCreditsOutput)
    def post(self, request: AuthenticatedRequest) -> Response:
        data = validate_body(self.AddCreditsInput, request)
        posting = services.credits_admin_add(
            admin_id=str(request.user.pk), user_id=data["user_id"], amount=data["amount"], comments=data["comments"]
        )
        tx = posting.transaction
        return Response({"new_balance": tx.running_balance, "transaction_key": tx.transaction_key})


class AdminUsersHistoryApi(APIView):
    permission_classes = [IsAdmin]

    class UsersHistoryQuery(serializers.Serializer):
        search = serializers.CharField(required=False, allow_blank=True, max_length=255)
        page = serializers.IntegerField(min_value=1, max_value=settings.PAGINATION_MAX_PAGE, default=1)
        page_size = serializers.IntegerField(min_value=1, max_value=1000, default=20)
        transaction_filter = serializers.ChoiceField(choices=CreditTransactionType.choices, required=False)

    class UsersHistoryOutput(serializers.Serializer):
        history = UserTransactionOutput(many=True)
        pagination = inline_serializer(
            "Pagination",
            {
                "total_items": serializers.IntegerField(),
                "total_pages": serializers.IntegerField(),
                "current_page": serializers.IntegerField(),
                "page_size": serializers.IntegerField(),
            },
        )

    @extend_schema(parameters=[UsersHistoryQuery], responses=UsersHistoryOutput)
    def get(self, request: AuthenticatedRequest) -> Response:
        query = validate_query(self.UsersHistoryQuery, request)
        result = selectors.credits_admin_history(
            search=query.get("search"),
            transaction_type=query.get("transaction_filter"),
            page=query["page"],
            page_size=query["page_size"],
        )
        return Response(self.UsersHistoryOutput(result).data)
