from django.urls import path

from apps.api_keys.api import views

urlpatterns = [
    path("api-keys", views.ApiKeyListCreateApi.as_view(), name="api-key-list"),
    path("api-keys/<str:key_id>", views.ApiKeyDetailApi.as_view(), name="api-key-detail"),
    path("api-keys/<str:key_id>/suspend", views.ApiKeySuspendApi.as_view(), name="api-key-suspend"),
    path("api-keys/<str:key_id>/permissions", views.ApiKeyPermissionsApi.as_view(), name="api-key-permissions"),
]
