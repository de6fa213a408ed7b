from __future__ import annotations

import pytest

from tests.worker import celery_worker_process  # noqa: F401  (a live worker runs the graphs)


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass
