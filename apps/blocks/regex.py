"""Users' regular expressions, on RE2: matching time grows linearly with the text, whatever the pattern.

Python's `re` backtracks, so a pattern like `(a+)+$` can take longer than the age of the
universe on a short text. RE2 cannot be made to backtrack; what it gives up for that are
backreferences and look-around, which are refused with a message naming the construct.
Upstream's flags map onto RE2's options: `case_sensitive=False` is `re.IGNORECASE`,
`dot_all` is `re.DOTALL` (RE2's `dot_nl`).
"""

from __future__ import annotations

import re2

# RE2's own errors name the construct in its syntax; these say what the user wrote.
_UNSUPPORTED = (
    ("invalid escape sequence: \\Z", "`\\Z` (RE2 spells the end of the text `\\z`)"),
    *((f"invalid escape sequence: \\{digit}", f"a backreference `\\{digit}`") for digit in range(1, 10)),
    ("invalid perl operator: (?=", "a lookahead `(?=...)`"),
    ("invalid perl operator: (?!", "a negative lookahead `(?!...)`"),
    ("invalid perl operator: (?<=", "a lookbehind `(?<=...)`"),
    ("invalid perl operator: (?<!", "a negative lookbehind `(?<!...)`"),
    ("invalid perl operator: (?P", "a named backreference `(?P=name)`"),
    ("invalid perl operator: (?>", "an atomic group `(?>...)`"),
    ("bad repetition operator: *+", "a possessive quantifier `*+`"),
    ("bad repetition operator: ++", "a possessive quantifier `++`"),
    ("bad repetition operator: ?+", "a possessive quantifier `?+`"),
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


def compile_pattern(pattern: str, *, case_sensitive: bool, dot_all: bool) -> re2._Regexp:
    try:
        return re2.compile(pattern, _options(case_sensitive=case_sensitive, dot_all=dot_all))
    except re2.error as error:
        reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        for fragment, construct in _UNSUPPORTED:
            if reason.startswith(fragment):
                raise InvalidRegexError(
                    f"Invalid regular expression {pattern!r}: it uses {construct}, which is not supported "
                    "(patterns run on RE2, which matches in linear time and cannot look back or around)"
                ) from error
        raise InvalidRegexError(f"Invalid regular expression {pattern!r}: {reason}") from error


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
