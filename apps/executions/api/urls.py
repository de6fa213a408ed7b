from django.urls import path

from apps.executions.api import sharing, views

urlpatterns = [
    path("graphs/<uuid:graph_id>/execute/<version:version>", views.GraphExecuteApi.as_view(), name="graph-execute"),
    path("graphs/<uuid:graph_id>/executions", views.GraphExecutionListApi.as_view(), name="graph-executions"),
    path(
        "graphs/<uuid:graph_id>/executions/<uuid:run_id>",
        views.GraphExecutionDetailApi.as_view(),
        name="graph-execution-detail",
    ),
    path(
        "graphs/<uuid:graph_id>/executions/<uuid:run_id>/stop",
        views.ExecutionStopApi.as_view(),
        name="graph-execution-stop",
    ),
    path(
        "graphs/<uuid:graph_id>/executions/<uuid:run_id>/share",
        sharing.ExecutionShareApi.as_view(),
        name="graph-execution-share",
    ),
    path("public/shared/<str:share_token>", sharing.SharedRunApi.as_view(), name="shared-execution"),
    path("executions", views.ExecutionListApi.as_view(), name="executions"),
    path("executions/<uuid:run_id>", views.ExecutionDeleteApi.as_view(), name="execution-delete"),
]
