from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.api_keys.models import APIKey, APIKeyStatus
from apps.api_keys.services import api_key_revoke

# Everything but the hash, and all of it read-only.
FIELDS = (
    "id",
    "user",
    "name",
    "description",
    "status",
    "permissions",
    "head",
    "tail",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "created_at",
)


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Read-only but for revocation. Keys are created by their owners through the API; the hash is never shown."""

    list_display = ["name", "owner", "status", "head", "tail", "last_used_at", "expires_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["user"]
    search_fields = ["name", "head", "user__email"]
    ordering = ["-created_at"]
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ["revoke"]

    @admin.display(ordering="user__email")
    def owner(self, api_key: APIKey) -> str:
        return api_key.user.email

    @admin.action(description="Revoke selected API keys", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[APIKey]) -> None:
        revoked = 0
        for api_key in queryset.exclude(status=APIKeyStatus.REVOKED):
            api_key_revoke(api_key=api_key)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("api_keys.change_apikey")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: APIKey | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: APIKey | None = None) -> bool:
        # Deleting would erase the record of a key's use; revoking keeps it.
        return False
