from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core import views as core_views

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("", include("django_prometheus.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/auth/", include("apps.accounts.api.urls")),
    path("api/", include("apps.blocks.api.urls")),
    path("api/", include("apps.graphs.api.urls")),
    path("api/", include("apps.executions.api.urls")),
    path("api/", include("apps.api_keys.api.urls")),
    path("external-api/v1/", include("apps.external_api.urls")),
    path("api/", include("apps.credits.api.urls")),
    path("api/", include("apps.webhooks.api.urls")),
    path("api/", include("apps.credentials.api.urls")),
    path("api/", include("apps.schedules.api.urls")),
    path("api/", include("apps.library.api.urls")),
    path("api/", include("apps.files.api.urls")),
    path("", include("apps.realtime.urls")),
]

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
