from django.urls import path

from apps.webhooks.api import views

urlpatterns = [
    path("integrations/webhooks/<str:webhook_id>/ping", views.WebhookPingApi.as_view(), name="webhook-ping"),
    path(
        "integrations/<str:provider>/webhooks/<str:webhook_id>/ingress",
        views.WebhookIngressApi.as_view(),
        name="webhook-ingress",
    ),
]
