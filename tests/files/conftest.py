from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture
def files_dir(settings: Any, tmp_path: Path) -> Path:
    """A storage of the test's own, so the bytes a test stores (and deletes) can be looked at."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "files": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location
