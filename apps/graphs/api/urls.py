from django.urls import path

from apps.graphs.api import views

urlpatterns = [
    path("graphs", views.GraphListCreateApi.as_view(), name="graph-list"),
    path("graphs/<uuid:graph_id>", views.GraphDetailApi.as_view(), name="graph-detail"),
    path("graphs/<uuid:graph_id>/versions", views.GraphVersionsApi.as_view(), name="graph-versions"),
    path("graphs/<uuid:graph_id>/versions/active", views.GraphActiveVersionApi.as_view(), name="graph-active-version"),
    path(
        "graphs/<uuid:graph_id>/versions/<version:version>", views.GraphVersionDetailApi.as_view(), name="graph-version"
    ),
]
