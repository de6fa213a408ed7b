from __future__ import annotations

from rest_framework import serializers


class UserTransactionOutput(serializers.Serializer):
    """Upstream's `UserTransaction`."""

    transaction_key = serializers.CharField()
    transaction_time = serializers.DateTimeField()
    transaction_type = serializers.CharField()
    amount = serializers.IntegerField()
    running_balance = serializers.IntegerField()
    current_balance = serializers.IntegerField()
    description = serializers.CharField(allow_null=True)
    usage_graph_id = serializers.CharField(allow_null=True)
    usage_execution_id = serializers.CharField(allow_null=True)
    usage_node_count = serializers.IntegerField()
    usage_start_time = serializers.DateTimeField()
    user_id = serializers.CharField()
    user_email = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    admin_email = serializers.CharField(allow_null=True)
    extra_data = serializers.CharField(allow_null=True)
