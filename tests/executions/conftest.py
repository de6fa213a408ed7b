from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass
