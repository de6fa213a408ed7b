from django.urls import path

from apps.library.api import views

urlpatterns = [
    path("library/presets", views.PresetListCreateApi.as_view(), name="library-presets"),
    path("library/presets/setup-trigger", views.PresetSetupTriggerApi.as_view(), name="library-preset-setup-trigger"),
    path("library/presets/<uuid:preset_id>", views.PresetDetailApi.as_view(), name="library-preset"),
    path("library/presets/<uuid:preset_id>/execute", views.PresetExecuteApi.as_view(), name="library-preset-execute"),
    path("library/agents", views.LibraryAgentListApi.as_view(), name="library-agents"),
    path("library/agents/favorites", views.LibraryFavoritesApi.as_view(), name="library-favorites"),
    path("library/agents/by-graph/<uuid:graph_id>", views.LibraryAgentByGraphApi.as_view(), name="library-by-graph"),
    path(
        "library/agents/marketplace/<str:store_listing_version_id>",
        views.StoreAgentApi.as_view(),
        name="library-store-agent",
    ),
    path("library/agents/<uuid:library_agent_id>", views.LibraryAgentDetailApi.as_view(), name="library-agent"),
    path("library/agents/<uuid:library_agent_id>/fork", views.LibraryAgentForkApi.as_view(), name="library-fork"),
]
