"""JSON logs through structlog, with the request id (or run and node ids in tasks).

Secrets never reach a log line: the redaction processor blanks any field whose
name looks like a credential, the request logger records the path without
its query string (websocket tokens travel there), and the HTTP clients' request
lines lose theirs too (some providers take the key there: Google Maps' `key=`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import structlog

_SECRET_FIELD = re.compile(r"pass(word)?|secret|token|authori[sz]ation|api_?key|pepper|cookie|credential", re.I)
REDACTED = "[redacted]"
# A URL's query string, in the "HTTP Request: GET <url> ..." lines httpx (and its fork) log.
_URL_QUERY = re.compile(r"(https?://[^\s?#\"]+)\?[^\s#\"]*")


def redact_secrets(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if key != "event" and _SECRET_FIELD.search(key):
            event[key] = REDACTED
    return event


def redact_url_queries(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """An outgoing request's URL is logged without the values of its query string."""
    message = event.get("event")
    if str(event.get("logger", "")).startswith("httpx") and isinstance(message, str):
        event["event"] = _URL_QUERY.sub(rf"\1?{REDACTED}", message)
    return event


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_secrets,
    redact_url_queries,
]


def logging_config(*, level: str) -> dict[str, Any]:
    """The `LOGGING` dict: every stdlib record is rendered as one JSON line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(),
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
            "daphne": {"level": "WARNING"},
            # SQL parameters carry secrets (refresh tokens, key hashes): never log queries.
            "django.db.backends": {"level": "INFO"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    logging.captureWarnings(True)
