"""Settings shared by every environment. Values come from `config.env` only."""

from __future__ import annotations

from datetime import timedelta

from apps.core.logging import logging_config
from config.env import LOCAL_DATA_DIR, env

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

# --- Credentials and integrations (docs/credentials.md) ---------------------------
# OAuth2 apps, one per provider with a handler in apps/credentials/oauth/. A provider
# without a client id and secret answers 501 on login. `base_url` serves all of the
# provider's OAuth endpoints from one base at their usual paths (self-hosted or test servers).
OAUTH_PROVIDERS = {
    "google": {
        "client_id": env.str("GOOGLE_CLIENT_ID", default=""),
        "client_secret": env.str("GOOGLE_CLIENT_SECRET", default=""),
        "base_url": env.str("GOOGLE_OAUTH_BASE_URL", default=""),
    },
    "github": {
        "client_id": env.str("GITHUB_CLIENT_ID", default=""),
        "client_secret": env.str("GITHUB_CLIENT_SECRET", default=""),
        "base_url": env.str("GITHUB_OAUTH_BASE_URL", default=""),
    },
    "wordpress": {
        "client_id": env.str("WORDPRESS_CLIENT_ID", default=""),
        "client_secret": env.str("WORDPRESS_CLIENT_SECRET", default=""),
        "base_url": env.str("WORDPRESS_OAUTH_BASE_URL", default=""),
    },
    "airtable": {
        "client_id": env.str("AIRTABLE_CLIENT_ID", default=""),
        "client_secret": env.str("AIRTABLE_CLIENT_SECRET", default=""),
        "base_url": env.str("AIRTABLE_OAUTH_BASE_URL", default=""),
    },
}
OAUTH_HTTP_TIMEOUT_SECONDS = 20.0
# Platform credentials: the operator's keys, offered to every user under upstream's fixed ids
# (apps/credentials/platform.py); nodes run on them pay the block's credit cost.
PLATFORM_API_KEYS = {
    "aiml_api": env.str("AIML_API_KEY", default=""),
    "anthropic": env.str("ANTHROPIC_API_KEY", default=""),
    "apollo": env.str("APOLLO_API_KEY", default=""),
    "d_id": env.str("DID_API_KEY", default=""),
    "e2b": env.str("E2B_API_KEY", default=""),
    "elevenlabs": env.str("ELEVENLABS_API_KEY", default=""),
    "enrichlayer": env.str("ENRICHLAYER_API_KEY", default=""),
    "exa": env.str("EXA_API_KEY", default=""),
    "fal": env.str("FAL_API_KEY", default=""),
    "google_maps": env.str("GOOGLE_MAPS_API_KEY", default=""),
    "groq": env.str("GROQ_API_KEY", default=""),
    "ideogram": env.str("IDEOGRAM_API_KEY", default=""),
    "jina": env.str("JINA_API_KEY", default=""),
    "llama_api": env.str("LLAMA_API_KEY", default=""),
    "mem0": env.str("MEM0_API_KEY", default=""),
    "nvidia": env.str("NVIDIA_API_KEY", default=""),
    "open_router": env.str("OPEN_ROUTER_API_KEY", default=""),
    "openai": env.str("OPENAI_API_KEY", default=""),
    "openweathermap": env.str("OPENWEATHERMAP_API_KEY", default=""),
    "replicate": env.str("REPLICATE_API_KEY", default=""),
    "revid": env.str("REVID_API_KEY", default=""),
    "screenshotone": env.str("SCREENSHOTONE_API_KEY", default=""),
    "smartlead": env.str("SMARTLEAD_API_KEY", default=""),
    "unreal_speech": env.str("UNREAL_SPEECH_API_KEY", default=""),
    "v0": env.str("V0_API_KEY", default=""),
    "zerobounce": env.str("ZEROBOUNCE_API_KEY", default=""),
}
# Language-model endpoints. OpenAI and the OpenAI-compatible providers go through the openai SDK,
# Anthropic through its own; a self-hosted or test server takes the provider's place here.
LLM_BASE_URLS = {
    "openai": env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1"),
    "anthropic": env.str("ANTHROPIC_BASE_URL", default="https://api.anthropic.com"),
    "groq": env.str("GROQ_BASE_URL", default="https://api.groq.com/openai/v1"),
    "open_router": env.str("OPEN_ROUTER_BASE_URL", default="https://openrouter.ai/api/v1"),
    "llama_api": env.str("LLAMA_API_BASE_URL", default="https://api.llama.com/compat/v1/"),
    "aiml_api": env.str("AIML_API_BASE_URL", default="https://api.aimlapi.com/v2"),
    "v0": env.str("V0_BASE_URL", default="https://api.v0.dev/v1"),
}
# The operator's Ollama server: trusted. Any other `ollama_host` a node names passes the SSRF guard.
OLLAMA_HOST = env.str("OLLAMA_HOST", default="localhost:11434")
# Seconds one model call may take before it counts as a transient failure.
LLM_REQUEST_TIMEOUT_SECONDS = 120.0
WEBSHARE_PROXY_USERNAME = env.str("WEBSHARE_PROXY_USERNAME", default="")
WEBSHARE_PROXY_PASSWORD = env.str("WEBSHARE_PROXY_PASSWORD", default="")
# Where integration blocks reach their providers: the public APIs unless pointed elsewhere
# (a regional endpoint, a test server). Each block names the one it uses.
PROVIDER_BASE_URLS = {
    "jina_search": env.str("JINA_SEARCH_BASE_URL", default="https://s.jina.ai"),
    "jina_reader": env.str("JINA_READER_BASE_URL", default="https://r.jina.ai"),
    "google_maps": env.str("GOOGLE_MAPS_BASE_URL", default="https://maps.googleapis.com"),
    "youtube": env.str("YOUTUBE_BASE_URL", default="https://www.youtube.com"),
    "gmail": env.str("GMAIL_API_BASE_URL", default="https://gmail.googleapis.com"),
    "google_calendar": env.str("GOOGLE_CALENDAR_API_BASE_URL", default="https://www.googleapis.com"),
    "replicate": env.str("REPLICATE_BASE_URL", default="https://api.replicate.com"),
    "ideogram": env.str("IDEOGRAM_BASE_URL", default="https://api.ideogram.ai"),
    "dataforseo": env.str("DATAFORSEO_BASE_URL", default="https://api.dataforseo.com"),
    "wordpress": env.str("WORDPRESS_API_BASE_URL", default="https://public-api.wordpress.com"),
    "firecrawl": env.str("FIRECRAWL_BASE_URL", default="https://api.firecrawl.dev"),
    "airtable": env.str("AIRTABLE_BASE_URL", default="https://api.airtable.com"),
    "revid": env.str("REVID_BASE_URL", default="https://www.revid.ai"),
    "e2b": env.str("E2B_API_URL", default="https://api.e2b.app"),
    # Empty: each sandbox at its own hosts (`https://<port>-<sandbox id>.<domain>`); else every
    # sandbox request goes to this one URL, routed by its E2b-Sandbox-Id/-Port headers.
    "e2b_sandbox": env.str("E2B_SANDBOX_URL", default=""),
    "github_api": env.str("GITHUB_API_BASE_URL", default="https://api.github.com"),
}
# Seconds between two looks at a Replicate prediction still running (the SDK's default).
REPLICATE_POLL_INTERVAL_SECONDS = 0.5
# The Webshare rotating proxy the YouTube transcript block goes through, with the user's credentials.
WEBSHARE_PROXY_URL = env.str("WEBSHARE_PROXY_URL", default="http://p.webshare.io:80")
# Seconds between two looks at a Firecrawl crawl or extract job that is still running.
FIRECRAWL_POLL_SECONDS = 2.0
# A revid.ai render is looked at this often (upstream's 10 s), for at most this long (upstream's 1000 s).
REVID_POLL_SECONDS = 10.0
REVID_WAIT_SECONDS = 1000.0

# Seconds a block may run inside one node execution, unless the block sets its own limit.
BLOCK_TIME_LIMIT_SECONDS = env.float("BLOCK_TIME_LIMIT_SECONDS", default=300.0)
# Seconds POST /api/blocks/{id}/execute waits for a block it runs inline.
BLOCK_INLINE_TIME_LIMIT_SECONDS = 30.0
# Users' patterns (regular expressions, templates, markup) run in child processes (apps/blocks/sandbox.py):
# at most this many per process, each evaluation within this much CPU time and memory.
PATTERN_PROCESSES = 2
PATTERN_TIME_LIMIT_SECONDS = env.float("PATTERN_TIME_LIMIT_SECONDS", default=5.0)
PATTERN_MEMORY_LIMIT_MB = env.int("PATTERN_MEMORY_LIMIT_MB", default=256)
# Longest text a template may render.
TEMPLATE_MAX_RENDERED_CHARS = 1_000_000
# Outbound HTTP from blocks (SendWebRequestBlock): private, loopback and link-local targets are refused unless allowed.
BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = env.bool("BLOCK_HTTP_ALLOW_PRIVATE_TARGETS", default=False)
BLOCK_HTTP_TIMEOUT_SECONDS = 30.0
BLOCK_HTTP_MAX_RESPONSE_BYTES = 5 * 1024 * 1024

# Execution engine. A RUNNING node execution whose worker has not renewed its lease
# for this long is handed to another worker by the sweep.
ENGINE_LEASE_SECONDS = env.int("ENGINE_LEASE_SECONDS", default=60)
# The sweep re-sends QUEUED node executions that no worker claimed within this time.
ENGINE_REQUEUE_AFTER_SECONDS = env.int("ENGINE_REQUEUE_AFTER_SECONDS", default=60)
ENGINE_SWEEP_INTERVAL_SECONDS = env.int("ENGINE_SWEEP_INTERVAL_SECONDS", default=30)
# A node execution whose lease the sweep finds expired this many times fails instead of going to
# yet another worker: a block that kills or hangs every worker that runs it stops there.
ENGINE_MAX_LEASE_EXPIRIES = env.int("ENGINE_MAX_LEASE_EXPIRIES", default=3)
# A run still QUEUED this long is late: logged by beat, counted in /metrics (upstream: 300 s).
EXECUTION_LATE_THRESHOLD_SECONDS = env.int("EXECUTION_LATE_THRESHOLD_SECONDS", default=300)
# Node executions one worker process runs at once; also its number of threads (executions a thread
# holds share its event loop, so those waiting on I/O wait together).
ENGINE_WORKER_CONCURRENCY = env.int("ENGINE_WORKER_CONCURRENCY", default=100)
# Fair sharing: one user's node executions hold at most this many worker slots at once, across all
# workers; the rest wait QUEUED and start as the user's slots free up. 0: no limit.
ENGINE_USER_MAX_SLOTS = env.int("ENGINE_USER_MAX_SLOTS", default=100)
# A worker runs the executions a node makes ready itself (no broker hop), for this long after it took the first.
ENGINE_LOCAL_CHAIN_SECONDS = 10.0
# A worker commits what its node executions did when all of them wait on I/O, or at the latest this often.
ENGINE_GROUP_COMMIT_SECONDS = 0.02
# How often a worker checks a run's stop flag and renews its leases while blocks run.
ENGINE_POLL_SECONDS = 0.5
# A block step that holds its worker thread this long past its time limit (or a stop) is interrupted,
# and if it is still stuck this much later, abandoned: its execution ends without it (apps/executions/watchdog.py).
ENGINE_STEP_GRACE_SECONDS = env.float("ENGINE_STEP_GRACE_SECONDS", default=5.0)
# A worker process with this many threads stuck in abandoned block steps stops taking work and, once
# its other executions end, exits (status 75) for its supervisor to start a fresh one.
ENGINE_WORKER_MAX_STUCK_THREADS = env.int("ENGINE_WORKER_MAX_STUCK_THREADS", default=10)
# Seconds POST .../stop waits for running blocks to stop before answering.
ENGINE_STOP_WAIT_SECONDS = 15.0
# Same Idempotency-Key from the same user within this window returns the first run.
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600

# Events over this size have their inputs and outputs truncated.
EVENT_MAX_BYTES = 1024 * 1024

# Websockets (/ws): subscriptions one connection may hold; largest message a client may
# send; execution events a connection may have waiting before they are dropped (the
# client is told which runs to re-read).
WS_MAX_SUBSCRIPTIONS = env.int("WS_MAX_SUBSCRIPTIONS", default=100)
WS_MAX_MESSAGE_BYTES = env.int("WS_MAX_MESSAGE_BYTES", default=16 * 1024)
WS_BUFFER_EVENTS = env.int("WS_BUFFER_EVENTS", default=256)

# Largest graph accepted, and most sub-graphs one import may bring.
GRAPH_MAX_NODES = 2000
GRAPH_MAX_LINKS = 4 * GRAPH_MAX_NODES
GRAPH_MAX_SUB_GRAPHS = 100
# Deepest nesting of sub-graphs (an Agent node's graph counts one level).
SUB_GRAPH_MAX_DEPTH = 10
# Highest index of a dynamic list pin (`items_$_N`): the list is built with every index below it.
DYNAMIC_PIN_MAX_INDEX = 10_000

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
