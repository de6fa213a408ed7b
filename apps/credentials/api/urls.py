from django.urls import path

from apps.credentials.api import views

urlpatterns = [
    path("integrations/credentials", views.CredentialsListApi.as_view(), name="credentials-list"),
    path("integrations/providers", views.ProvidersApi.as_view(), name="integration-providers"),
    path("integrations/providers/names", views.ProviderNamesApi.as_view(), name="integration-provider-names"),
    path(
        "integrations/providers/constants", views.ProviderConstantsApi.as_view(), name="integration-provider-constants"
    ),
    path(
        "integrations/providers/enum-example",
        views.ProviderEnumExampleApi.as_view(),
        name="integration-provider-enum-example",
    ),
    path("integrations/<str:provider>/login", views.OAuthLoginApi.as_view(), name="oauth-login"),
    path("integrations/<str:provider>/callback", views.OAuthCallbackApi.as_view(), name="oauth-callback"),
    path(
        "integrations/<str:provider>/credentials", views.ProviderCredentialsApi.as_view(), name="provider-credentials"
    ),
    path(
        "integrations/<str:provider>/credentials/<str:cred_id>",
        views.CredentialDetailApi.as_view(),
        name="credential-detail",
    ),
]
