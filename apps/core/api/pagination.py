"""Page-number pagination in AutoGPT's shape: `{<items>: [...], "pagination": {...}}`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework import serializers


class PageQuery(serializers.Serializer):
    # Bounded, so the row offset always fits the database's integers.
    page = serializers.IntegerField(min_value=1, max_value=settings.PAGINATION_MAX_PAGE, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=25)


def paginate(
    items: QuerySet[Any] | Sequence[Any],
    *,
    page: int,
    page_size: int,
    key: str,
    render: Callable[[Any], Any],
) -> dict[str, Any]:
    total = items.count() if isinstance(items, QuerySet) else len(items)
    start = (page - 1) * page_size
    return {
        key: [render(item) for item in items[start : start + page_size]],
        "pagination": {
            "total_items": total,
            "total_pages": math.ceil(total / page_size) if total else 0,
            "current_page": page,
            "page_size": page_size,
        },
    }
