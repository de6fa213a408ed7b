"""Settings shared by every environment. Values come from `config.env` only."""

from __future__ import annotations

from datetime import timedelta

from apps.core.logging import logging_config
from config.env import LOCAL_DATA_DIR, env

# Two groups live in modules of their own: the engine and its bounds, the integrations.
from config.settings.engine import *  # noqa: F403
from config.settings.engine import ENGINE_SWEEP_INTERVAL_SECONDS, ENGINE_WORKER_CONCURRENCY
from config.settings.integrations import *  # noqa: F403

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "django_celery_beat",
    "django_prometheus",
    "django_ratelimit",
    "axes",
    "apps.core",
    "apps.accounts",
    "apps.blocks",
    "apps.graphs",
    "apps.executions",
    "apps.api_keys",
    "apps.external_api",
    "apps.credits",
    "apps.credentials",
    "apps.schedules",
    "apps.library",
    "apps.webhooks",
    "apps.files",
    "apps.realtime",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "apps.core.middleware.BodySizeLimitMiddleware",
    "apps.core.middleware.ApiCacheControlMiddleware",
    "apps.core.middleware.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it answers the admin login with a lockout page once locked.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# Without DATABASE_URL: SQLite in WAL mode, so web, worker and beat can share it.
SQLITE_PATH = LOCAL_DATA_DIR / "db.sqlite3"
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(LOCAL_DATA_DIR / "test-db.sqlite3")}
elif DATABASE_POOL_SIZE := env.int("DATABASE_POOL_SIZE", default=0):
    # A worker (the Procfile sets the size for it) runs up to ENGINE_WORKER_CONCURRENCY threads: they
    # share a pool, and a session gives its connection back while its blocks wait on I/O. Web
    # processes run Django's code in few threads and connect as Django does, so a request finds an
    # unreachable database at once (503) rather than waiting for a pooled connection.
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": DATABASE_POOL_SIZE, "timeout": 30}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# The only static files are the admin's, Swagger UI's and the dashboard's, served
# by whitenoise straight from the app directories: no collectstatic step to deploy.
WHITENOISE_USE_FINDERS = True

# --- Redis: broker, channel layer, cache and rate limiter share one server ------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_HEALTH_TIMEOUT_SECONDS = 2.0

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ag",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
}

# No Channels layer: websocket events travel on plain Redis pub/sub, one subscription
# per web process fanned out to its sockets (apps/realtime/fanout.py; measured against
# both channels-redis layers in docs/realtime.md).

# --- Requests -------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
REQUEST_BODY_MAX_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
# Largest file POST /api/files/upload accepts (upstream: 256 MB).
FILE_UPLOAD_MAX_BYTES = env.int("FILE_UPLOAD_MAX_BYTES", default=256 * 1024 * 1024)
# Routes whose bodies may be larger: an upload's file plus room for its multipart framing.
REQUEST_BODY_MAX_BYTES_BY_PATH = {"/api/files/upload": FILE_UPLOAD_MAX_BYTES + 64 * 1024}
# Highest page number a paginated list accepts.
PAGINATION_MAX_PAGE = 100_000
# Deepest nesting of a JSON body (exported agents reach about 12).
JSON_MAX_DEPTH = 64
# Header (as in request.META, e.g. "HTTP_X_REAL_IP") set by a trusted proxy; empty: REMOTE_ADDR.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "x-api-key",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = ("retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-request-id")

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.api.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    # Every authenticated route is limited per user (RATE_LIMIT_DEFAULT); sign-in routes
    # (per address) and the external API (per key) set their own limits.
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.ratelimit.UserRateLimit"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.ErrorDocumentingSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Agent graph backend",
    "DESCRIPTION": "Build, run and watch agent graphs. Wire-compatible with the AutoGPT platform API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Upstream's schemas, which parts of ours name (`apps.core.api.upstream`), are JSON Schema 2020-12.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.upstream.add_upstream_components",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CredentialsTypeEnum": "apps.credentials.types.CREDENTIALS_TYPES",
        "CreatableCredentialsTypeEnum": "apps.credentials.api.serializers.CREATABLE_TYPE_VALUES",
    },
}

# --- Authentication tokens (Supabase/AutoGPT claim shape) -----------------------
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY")
SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUDIENCE": "authenticated",
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "TOKEN_OBTAIN_SERIALIZER": "apps.accounts.tokens.TokenObtainSerializer",
}

# --- Rate limits (django-ratelimit rates: N/s, N/m, N/h, N/d) --------------------
RATELIMIT_ENABLE = True
RATELIMIT_USE_CACHE = "default"
RATE_LIMITS = {
    "auth": env.str("RATE_LIMIT_AUTH", default="10/m"),
    "execute": env.str("RATE_LIMIT_EXECUTE", default="60/m"),
    "external": env.str("RATE_LIMIT_EXTERNAL", default="60/m"),
    "default": env.str("RATE_LIMIT_DEFAULT", default="600/m"),
    "webhook": env.str("RATE_LIMIT_WEBHOOK", default="120/m"),
}

# --- Admin sign-in (django-axes) -------------------------------------------------
# The admin login is locked for an account from an address, and for an address on
# its own, after this many failures, for this long. Never for an account from every
# address: anyone could then lock staff out. The API's sign-in has its own limit (auth).
ADMIN_LOGIN_FAILURE_LIMIT = 5
ADMIN_LOGIN_LOCKOUT = timedelta(minutes=15)
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = ADMIN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = ADMIN_LOGIN_LOCKOUT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "apps.core.ratelimit.admin_login_client"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Product settings -----------------------------------------------------------
API_KEY_PEPPER = env.str("API_KEY_PEPPER")
CREDENTIALS_ENCRYPTION_KEYS = env.list("CREDENTIALS_ENCRYPTION_KEYS")
ENABLE_CREDIT = env.bool("ENABLE_CREDIT", default=True)
NEW_USER_CREDITS = env.int("NEW_USER_CREDITS", default=1000)
# A charge that takes a balance from >= this to below it sends LOW_BALANCE (credits; 100 = $1).
LOW_BALANCE_THRESHOLD = env.int("LOW_BALANCE_THRESHOLD", default=500)
# Every EXECUTION_COST_COUNT_THRESHOLD-th node execution of a user within a window of
# EXECUTION_COUNTER_EXPIRATION_SECONDS (started by their first) costs EXECUTION_COST_PER_THRESHOLD.
EXECUTION_COST_COUNT_THRESHOLD = env.int("EXECUTION_COST_COUNT_THRESHOLD", default=100)
EXECUTION_COST_PER_THRESHOLD = env.int("EXECUTION_COST_PER_THRESHOLD", default=1)
EXECUTION_COUNTER_EXPIRATION_SECONDS = 24 * 60 * 60
# Block prices replacing the ones blocks declare: {"<block id>": [{"cost_amount": 3,
# "cost_filter": {...}, "cost_type": "run"}, ...]} (see apps/credits/costs.py). JSON in the env.
BLOCK_COSTS: dict[str, list[dict[str, object]]] = env.json("BLOCK_COSTS", default={})
# The front end the billing links in notifications point at ({base}/profile/credits).
FRONTEND_BASE_URL = env.str("FRONTEND_BASE_URL", default="http://localhost:3000")
DEMO_EMAIL = env.str("DEMO_EMAIL", default="demo@example.com")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# --- Celery ---------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue web, workers and beat send tasks to and workers take them from: deployments sharing one Redis
# keep their work apart by naming their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Threads rather than processes: a worker's node executions waiting on I/O cost it no process each.
CELERY_WORKER_POOL = "threads"
CELERY_WORKER_CONCURRENCY = ENGINE_WORKER_CONCURRENCY
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=900)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
# Redelivery of unacked messages must come only after any task could have finished.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10.0
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "execution-sweep": {
        "task": "apps.executions.tasks.sweep_executions",
        "schedule": timedelta(seconds=ENGINE_SWEEP_INTERVAL_SECONDS),
    },
    "report-late-runs": {
        "task": "apps.schedules.tasks.report_late_runs",
        "schedule": timedelta(minutes=5),
    },
    "prune-webhook-deliveries": {
        "task": "apps.webhooks.tasks.prune_webhook_deliveries",
        "schedule": timedelta(hours=24),
    },
    "delete-expired-files": {
        "task": "apps.files.tasks.delete_expired_files",
        "schedule": timedelta(hours=1),
    },
    "flush-expired-refresh-tokens": {
        "task": "apps.accounts.tasks.flush_expired_tokens",
        "schedule": timedelta(hours=24),
    },
}

# --- Webhooks ----------------------------------------------------------------
# The platform's public address: webhook URLs handed to users and providers are built on it.
PLATFORM_BASE_URL = env.str("PLATFORM_BASE_URL", default="http://localhost:8000")
# Largest delivery a webhook accepts.
WEBHOOK_MAX_BODY_BYTES = 1024 * 1024
# How long POST /api/integrations/webhooks/{id}/ping waits for the provider's ping delivery (upstream: 10 s).
WEBHOOK_PING_TIMEOUT_SECONDS = 10.0
# Deliveries are kept this long: a provider repeating one within it starts nothing.
WEBHOOK_DELIVERY_RETENTION_DAYS = 30

# --- Files ---------------------------------------------------------------------
# Uploads and files stored by blocks live in the `files` storage: a local directory by
# default, or any Django storage backend (django-storages' S3 one, say) with its options.
FILES_STORAGE_BACKEND = env.str("FILES_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")
FILES_STORAGE_OPTIONS = env.json("FILES_STORAGE_OPTIONS", default={"location": str(LOCAL_DATA_DIR / "files")})
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "files": {"BACKEND": FILES_STORAGE_BACKEND, "OPTIONS": FILES_STORAGE_OPTIONS},
}
# A file's life, in hours: upstream's default when the upload names none, and the most it may ask for.
FILE_EXPIRY_DEFAULT_HOURS = 24
FILE_EXPIRY_MAX_HOURS = 48

# --- Logging --------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config(level=LOG_LEVEL)
