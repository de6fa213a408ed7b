"""The ledger, read-only, and the "grant credits" action for the user admin."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from apps.accounts.models import User
from apps.core.exceptions import ApplicationError
from apps.credits.models import CreditTransaction
from apps.credits.services import MAX_BALANCE, credits_admin_add


@admin.register(CreditTransaction)
class CreditTransactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "type", "amount", "running_balance", "transaction_key"]
    list_filter = ["type", "is_active"]
    search_fields = ["user__email", "transaction_key"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GrantCreditsForm(forms.Form):
    amount = forms.IntegerField(min_value=1, max_value=MAX_BALANCE, help_text="Credits (100 = $1) for each user.")
    reason = forms.CharField(max_length=2000)
    # Makes the grant idempotent: submitting the same form twice grants once.
    grant_id = forms.UUIDField(widget=forms.HiddenInput)


@admin.action(description="Grant credits to the selected users")
def grant_credits(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]
) -> TemplateResponse | None:
    if "apply" in request.POST:
        form = GrantCreditsForm(request.POST)
        if form.is_valid():
            granted = 0
            for user in queryset:
                try:
                    credits_admin_add(
                        admin_id=str(request.user.pk),
                        user_id=user.pk,
                        amount=form.cleaned_data["amount"],
                        comments=form.cleaned_data["reason"],
                        transaction_key=f"ADMIN-GRANT-{form.cleaned_data['grant_id']}",
                    )
                    granted += 1
                except ApplicationError as error:
                    modeladmin.message_user(request, f"{user}: {error.message}", messages.ERROR)
            modeladmin.message_user(request, f"Granted {form.cleaned_data['amount']} credits to {granted} user(s).")
            return None
    else:
        form = GrantCreditsForm(initial={"grant_id": uuid.uuid4()})
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Grant credits",
        "form": form,
        "users": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/credits/grant_credits.html", context)
