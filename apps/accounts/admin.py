from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from apps.accounts.models import User
from apps.credits.admin import grant_credits
from apps.credits.services import credits_grant_new_user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = ["email", "name", "is_staff", "is_active", "credit_balance", "created_at"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["id", "credit_balance", "created_at", "updated_at", "last_login"]
    actions = [grant_credits]
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("name", "timezone")}),
        ("Credits", {"fields": ("credit_balance",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # The admin's add form saves the row itself; new users get their credits here too.
            credits_grant_new_user(user_id=obj.pk)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("credit_balance")

    @admin.display(description="Credits", ordering="credit_balance__balance")
    def credit_balance(self, user: User) -> int:
        balance = getattr(user, "credit_balance", None)
        return balance.balance if balance is not None else 0
