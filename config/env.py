"""The one module that reads the process environment.

Settings, the launcher and the tests import `env` (django-environ) from here and
nowhere else touches `os.environ` for configuration. Development secrets that
are not given are generated once and kept in the local data directory, so that
web, worker and beat processes (and restarts) agree on them.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import environ
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

LOCAL_DATA_DIR = Path(env.str("LOCAL_DATA_DIR", default=str(BASE_DIR / ".local"))).resolve()

_DEV_SECRET_FACTORIES = {
    "DJANGO_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "JWT_SIGNING_KEY": lambda: secrets.token_urlsafe(48),
    "API_KEY_PEPPER": lambda: secrets.token_urlsafe(32),
    "CREDENTIALS_ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
    "DEMO_PASSWORD": lambda: secrets.token_urlsafe(12),
}


def dev_secret(name: str) -> str:
    """A generated development value for `name`, stable across processes and restarts."""
    path = LOCAL_DATA_DIR / "dev-secrets.json"
    if not path.exists():
        LOCAL_DATA_DIR.mkdir(parents=True, exist_ok=True)
        generated = {key: make() for key, make in _DEV_SECRET_FACTORIES.items()}
        tmp = path.with_name(f".dev-secrets.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(generated, indent=2))
        tmp.chmod(0o600)
        try:
            # link() fails if another process created the file first; theirs wins.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return str(json.loads(path.read_text())[name])


def redis_url_is_set() -> bool:
    return bool(env.str("REDIS_URL", default=""))


def database_url_is_set() -> bool:
    return bool(env.str("DATABASE_URL", default=""))
