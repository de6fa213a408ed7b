"""The test suite: local defaults against whatever DATABASE_URL/REDIS_URL point at."""

from __future__ import annotations

from apps.core.logging import logging_config
from config.settings.local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests set their own limits where they test limiting.
RATE_LIMITS = {"auth": "1000/s", "execute": "1000/s", "external": "1000/s", "default": "1000/s", "webhook": "1000/s"}
LOGGING = logging_config(level="WARNING")
# The stand-in providers finish their jobs at once; nothing gains from waiting between polls.
FIRECRAWL_POLL_SECONDS = 0.01
REPLICATE_POLL_INTERVAL_SECONDS = 0.01
REVID_POLL_SECONDS = 0.01
