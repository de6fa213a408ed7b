"""Users' credentials for third-party services, the secret part encrypted; pending OAuth2 logins.

What is not secret (provider, type, title, the provider-side username of an
OAuth2 account, the host of host-scoped headers, scopes, expiries) is stored in
the clear so lists need no decryption. The secret part (API key, tokens,
username and password, header values) is one encrypted JSON document.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class CredentialType(models.TextChoices):
    API_KEY = "api_key"
    OAUTH2 = "oauth2"
    USER_PASSWORD = "user_password"
    HOST_SCOPED = "host_scoped"


class Credential(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    provider = models.CharField(max_length=100)
    type = models.CharField(max_length=16, choices=CredentialType.choices)
    title = models.CharField(max_length=255, blank=True, default="")
    # OAuth2 only: the account at the provider the tokens belong to.
    username = models.CharField(max_length=255, blank=True, default="")
    # Host-scoped only: `api.example.com` or `*.example.com`.
    host = models.CharField(max_length=255, blank=True, default="")
    scopes = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # API keys: when the key expires. OAuth2: when the access and refresh tokens do.
    expires_at = models.DateTimeField(blank=True, null=True)
    access_token_expires_at = models.DateTimeField(blank=True, null=True)
    refresh_token_expires_at = models.DateTimeField(blank=True, null=True)
    encrypted_secret = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(type__in=CredentialType.values), name="credentials_type_known"),
            models.CheckConstraint(condition=~Q(provider=""), name="credentials_provider_present"),
            models.CheckConstraint(condition=~Q(encrypted_secret=""), name="credentials_secret_present"),
            models.CheckConstraint(
                condition=Q(type=CredentialType.HOST_SCOPED, host__gt="")
                | (~Q(type=CredentialType.HOST_SCOPED) & Q(host="")),
                name="credentials_host_iff_host_scoped",
            ),
        ]
        indexes = [models.Index(fields=["user", "provider", "created_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.title or self.id}"


class OAuthState(models.Model):
    """A login started with GET .../login: single use, short-lived, and stored only as a hash of its token."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_states")
    provider = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, blank=True)
    # The PKCE code verifier, encrypted like a credential's secret.
    encrypted_code_verifier = models.TextField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"OAuth login to {self.provider} for {self.user_id}"
