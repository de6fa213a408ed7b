"""`/external-api/v1/...`: upstream's external API. Graph routes join when the engine lands."""

from django.urls import path

from apps.external_api import views

urlpatterns = [
    path("me", views.MeApi.as_view(), name="external-me"),
    path("blocks", views.BlockListApi.as_view(), name="external-block-list"),
    path("blocks/<str:block_id>/execute", views.BlockExecuteApi.as_view(), name="external-block-execute"),
]
