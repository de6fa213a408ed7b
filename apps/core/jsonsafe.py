"""Turning arbitrary block values into JSON the database and the wire accept."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from typing import Any

from pydantic import BaseModel


def json_safe(value: Any) -> Any:
    """`value` with non-finite floats, dates, models and foreign objects made JSON-representable."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        # JSON has no Infinity/NaN (nor has PostgreSQL's jsonb): the text JavaScript prints for them.
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, BaseModel):
        return json_safe(value.model_dump(mode="json"))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "__dict__"):
        return json_safe(vars(value))
    return str(value)
