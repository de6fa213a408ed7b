from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

TIMEZONE_NOT_SET = "not-set"


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, email: str | None) -> User:
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        from apps.accounts.services import user_create

        return user_create(email=email, password=password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the platform. The id is the JWT `sub`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=255, blank=True, default="")
    timezone = models.CharField(max_length=64, default=TIMEZONE_NOT_SET)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def role(self) -> str:
        return "admin" if self.is_staff else "authenticated"
