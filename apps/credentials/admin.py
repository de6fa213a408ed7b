from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.credentials.models import Credential
from apps.credentials.services import credential_delete

# Everything but the encrypted secret, and all of it read-only.
FIELDS = (
    "id",
    "user",
    "provider",
    "type",
    "title",
    "username",
    "host",
    "scopes",
    "expires_at",
    "access_token_expires_at",
    "refresh_token_expires_at",
    "created_at",
    "updated_at",
)


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    """Read-only but for deletion (which revokes OAuth2 tokens). The secret part is never shown."""

    list_display = ["title_or_id", "provider", "type", "owner", "created_at"]
    list_filter = ["type", "provider"]
    list_select_related = ["user"]
    search_fields = ["provider", "title", "username", "host", "user__email"]
    ordering = ["-created_at"]
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ["delete_and_revoke"]

    @admin.display(description="credentials")
    def title_or_id(self, credential: Credential) -> str:
        return credential.title or str(credential.id)

    @admin.display(ordering="user__email")
    def owner(self, credential: Credential) -> str:
        return credential.user.email

    @admin.action(description="Delete selected credentials (revoking OAuth2 tokens)", permissions=["delete"])
    def delete_and_revoke(self, request: HttpRequest, queryset: QuerySet[Credential]) -> None:
        deleted = 0
        for credential in queryset.select_related("user"):
            credential_delete(
                user=credential.user, provider=credential.provider, credentials_id=str(credential.id), force=True
            )
            deleted += 1
        self.message_user(request, f"Deleted {deleted} credential(s).", messages.SUCCESS)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the plain delete would not revoke tokens
        return actions

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Credential | None = None) -> bool:
        return False
