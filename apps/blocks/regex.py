r"""Users' regular expressions, on RE2 where it can: matching time grows linearly with the text.

Python's `re` backtracks, so a pattern like `(a+)+$` can take longer than the age of the
universe on a short text. RE2 cannot be made to backtrack; what it gives up for that are
backreferences and look-around. Exported agents use those (`^(?!\s*$).+`, "a line that is not
blank"), so a pattern RE2 refuses for one of them is compiled by Python's `re` instead: these
functions only ever run in the pattern sandbox's child (`apps.blocks.sandbox`), whose CPU limit
ends a backtracking pattern after `PATTERN_TIME_LIMIT_SECONDS`. Upstream's flags map onto both:
`case_sensitive=False` is `re.IGNORECASE`, `dot_all` is `re.DOTALL` (RE2's `dot_nl`).
"""

from __future__ import annotations

import re
from typing import Any

import re2

# How RE2's errors begin for the constructs Python's `re` has and RE2 lacks: `\Z`, backreferences,
# look-around, atomic groups, possessive quantifiers.
_PYTHON_ONLY = (
    "invalid escape sequence: \\Z",
    *(f"invalid escape sequence: \\{digit}" for digit in range(1, 10)),
    "invalid perl operator: (?=",
    "invalid perl operator: (?!",
    "invalid perl operator: (?<=",
    "invalid perl operator: (?<!",
    "invalid perl operator: (?P",
    "invalid perl operator: (?>",
    "bad repetition operator: *+",
    "bad repetition operator: ++",
    "bad repetition operator: ?+",
)

# Memory RE2 may use for one compiled pattern (its default is 8 MiB, and the module keeps 128 of them).
MAX_MEMORY_BYTES = 2 * 1024 * 1024


class InvalidRegexError(ValueError):
    pass


def _options(*, case_sensitive: bool, dot_all: bool) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.dot_nl = dot_all
    options.max_mem = MAX_MEMORY_BYTES
    options.log_errors = False
    return options


def compile_pattern(pattern: str, *, case_sensitive: bool, dot_all: bool) -> Any:
    """A compiled pattern with `search`, `finditer` and `groups`, from RE2 or, for what RE2 lacks, `re`."""
    try:
        return re2.compile(pattern, _options(case_sensitive=case_sensitive, dot_all=dot_all))
    except re2.error as error:
        reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        if not reason.startswith(_PYTHON_ONLY):
            raise InvalidRegexError(f"Invalid regular expression {pattern!r}: {reason}") from error
    flags = (0 if case_sensitive else re.IGNORECASE) | (re.DOTALL if dot_all else 0)
    try:
        return re.compile(pattern, flags)
    except re.error as error:
        raise InvalidRegexError(f"Invalid regular expression {pattern!r}: {error}") from error


def pattern_search(*, pattern: str, text: str, case_sensitive: bool, dot_all: bool) -> bool:
    return compile_pattern(pattern, case_sensitive=case_sensitive, dot_all=dot_all).search(text) is not None


def pattern_extract(
    *, pattern: str, text: str, group: int, case_sensitive: bool, dot_all: bool, find_all: bool
) -> list[str]:
    """The `group` of each match (of the first only unless `find_all`)."""
    compiled = compile_pattern(pattern, case_sensitive=case_sensitive, dot_all=dot_all)
    if not 0 <= group <= compiled.groups:
        return []
    extracted: list[str] = []
    for match in compiled.finditer(text):
        # An optional group that did not take part in the match extracts nothing.
        value = match.group(group)
        if value is not None:
            extracted.append(value)
            if not find_all:
                break
    return extracted
