"""OAuth2 handlers by provider name. A provider is added with a handler class here and its settings."""

from __future__ import annotations

from django.conf import settings

from apps.credentials.exceptions import OAuthNotConfiguredError, OAuthNotSupportedError
from apps.credentials.oauth.airtable import AirtableOAuthHandler
from apps.credentials.oauth.base import OAuthHandler
from apps.credentials.oauth.github import GitHubOAuthHandler
from apps.credentials.oauth.google import GoogleOAuthHandler
from apps.credentials.oauth.wordpress import WordPressOAuthHandler

HANDLERS: dict[str, type[OAuthHandler]] = {
    handler.provider: handler
    for handler in (GoogleOAuthHandler, GitHubOAuthHandler, WordPressOAuthHandler, AirtableOAuthHandler)
}


def redirect_uri() -> str:
    """Where providers send the user back: the front end's page, which posts the code to /callback."""
    return f"{settings.FRONTEND_BASE_URL.rstrip('/')}/auth/integrations/oauth_callback"


def oauth_handler(provider: str) -> OAuthHandler:
    """The provider's handler; 404 if it has no OAuth, 501 if its OAuth app is not configured."""
    handler_class = HANDLERS.get(provider)
    if handler_class is None:
        raise OAuthNotSupportedError(provider)
    config = settings.OAUTH_PROVIDERS.get(provider) or {}
    if not (config.get("client_id") and config.get("client_secret")):
        raise OAuthNotConfiguredError(provider)
    return handler_class(
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        redirect_uri=redirect_uri(),
        base_url=config.get("base_url") or "",
    )
