"""Development on one machine: safe defaults, generated secrets, verbose errors."""

from __future__ import annotations

from config.env import dev_secret, env

for _name in ("DJANGO_SECRET_KEY", "JWT_SIGNING_KEY", "API_KEY_PEPPER", "CREDENTIALS_ENCRYPTION_KEYS"):
    env.ENVIRON.setdefault(_name, dev_secret(_name))

from config.settings.base import *  # noqa: E402,F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default=dev_secret("DEMO_PASSWORD"))
