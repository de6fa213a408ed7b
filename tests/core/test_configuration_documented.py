"""Every environment variable the settings read is documented in the README and .env.example."""

from __future__ import annotations

import re

from config.env import BASE_DIR

READ = re.compile(r"""env\.(?:str|int|bool|float|list|json|db_url)\(\s*["']([A-Z0-9_]+)["']""")


def variables_read() -> set[str]:
    names = set()
    for path in [*(BASE_DIR / "config").rglob("*.py")]:
        names |= set(READ.findall(path.read_text()))
    return names


def test_settings_read_the_documented_variables() -> None:
    names = variables_read()
    readme = (BASE_DIR / "README.md").read_text()
    example = (BASE_DIR / ".env.example").read_text()

    assert {"DATABASE_URL", "REDIS_URL", "JWT_SIGNING_KEY"} <= names
    assert [name for name in sorted(names) if f"`{name}`" not in readme] == []
    assert [name for name in sorted(names) if name not in example] == []
