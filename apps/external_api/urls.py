"""`/external-api/v1/...`: upstream's external API, behind an API key."""

from django.urls import path

from apps.external_api import views

urlpatterns = [
    path("me", views.MeApi.as_view(), name="external-me"),
    path("blocks", views.BlockListApi.as_view(), name="external-block-list"),
    path("blocks/<str:block_id>/execute", views.BlockExecuteApi.as_view(), name="external-block-execute"),
    path("graphs", views.GraphListApi.as_view(), name="external-graph-list"),
    path(
        "graphs/<uuid:graph_id>/execute/<version:version>",
        views.GraphExecuteApi.as_view(),
        name="external-graph-execute",
    ),
    path(
        "graphs/<uuid:graph_id>/executions/<uuid:run_id>",
        views.GraphExecutionApi.as_view(),
        name="external-graph-execution",
    ),
    path(
        "graphs/<uuid:graph_id>/executions/<uuid:run_id>/results",
        views.GraphExecutionResultsApi.as_view(),
        name="external-graph-execution-results",
    ),
]
