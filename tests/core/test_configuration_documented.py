"""Every environment variable the settings read is documented in the README and .env.example."""

from __future__ import annotations

import ast
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


LITERAL_DEFAULT = re.compile(r"""env\.(?:str|int|bool|float)\(\s*["']([A-Z0-9_]+)["'],\s*default=([^,()\n]+)\)""")


def _same_value(code_default: object, written: str) -> bool:
    if isinstance(code_default, bool):
        return written.lower() == str(code_default).lower()
    if isinstance(code_default, int | float):
        try:
            return float(written) == float(code_default)
        except ValueError:
            return False
    return written == code_default


def test_each_default_is_the_same_in_code_readme_and_env_example() -> None:
    readme = (BASE_DIR / "README.md").read_text()
    example = (BASE_DIR / ".env.example").read_text()
    disagreements = []
    for path in (BASE_DIR / "config").rglob("*.py"):
        for name, literal in LITERAL_DEFAULT.findall(path.read_text()):
            try:
                default = ast.literal_eval(literal.strip())
            except (ValueError, SyntaxError):
                continue  # computed defaults (generated secrets, paths) are described in words
            row = re.search(rf"^\| [^|]*`{name}`[^|]* \|.*\| `([^`]*)`[^|]* \|$", readme, re.MULTILINE)
            if row and "," not in row.group(0).split("|")[1] and not _same_value(default, row.group(1)):
                disagreements.append(f"{name}: code {default!r}, README {row.group(1)!r}")
            # A line whose comment names the default shows an example value, not the default.
            line = re.search(rf"^#?\s*{name}=([^#\n]*)(#.*)?$", example, re.MULTILINE)
            shows_default = line and line.group(1).strip() and "default" not in (line.group(2) or "")
            if shows_default and not _same_value(default, line.group(1).strip()):
                disagreements.append(f"{name}: code {default!r}, .env.example {line.group(1).strip()!r}")
    assert disagreements == []
