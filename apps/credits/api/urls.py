from django.urls import path

from apps.credits.api import views

urlpatterns = [
    path("credits", views.CreditsApi.as_view(), name="credits"),
    path("credits/transactions", views.TransactionHistoryApi.as_view(), name="credits-transactions"),
    path("credits/admin/add_credits", views.AdminAddCreditsApi.as_view(), name="credits-admin-add"),
    path("credits/admin/users_history", views.AdminUsersHistoryApi.as_view(), name="credits-admin-history"),
]
