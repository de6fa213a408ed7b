from django.urls import path

from apps.blocks.api import views

urlpatterns = [
    path("blocks", views.BlockListApi.as_view(), name="block-list"),
    path("blocks/<str:block_id>/execute", views.BlockExecuteApi.as_view(), name="block-execute"),
]
