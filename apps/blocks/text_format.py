"""Jinja2 templates in Jinja's sandbox, with the arithmetic that allocates checked first.

This runs inside a sandbox child (see `apps.blocks.sandbox`), which bounds memory and
CPU time whatever a template does; the checks here make the common ways of blowing
those limits fail early with a message that says what was too big: `*` and `**`
are checked before they compute, and the text is measured while it is rendered,
so a template that would print gigabytes stops at the cap.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from jinja2 import BaseLoader, TemplateError, TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment

# Largest integer a template may compute with `*` or `**`, in bits (about 10 000 decimal digits).
MAX_INTEGER_BITS = 32_768


def _too_large(what: str) -> TemplateRuntimeError:
    return TemplateRuntimeError(f"{what} is too large for a template")


def _integer_bits(value: int) -> int:
    return max(abs(value).bit_length(), 1)


class BoundedEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *, autoescape: bool, max_chars: int) -> None:
        super().__init__(loader=BaseLoader(), extensions=["jinja2.ext.loopcontrols"], autoescape=autoescape)
        self.max_chars = max_chars

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            self._check_product(left, right)
            return operator.mul(left, right)
        self._check_power(left, right)
        return operator.pow(left, right)

    def _check_product(self, left: Any, right: Any) -> None:
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                if len(sequence) * count > self.max_chars:
                    raise _too_large(f"Repeating a sequence of {len(sequence)} items {count} times")
                return
        integers = isinstance(left, int) and isinstance(right, int)
        if integers and _integer_bits(left) + _integer_bits(right) > MAX_INTEGER_BITS:
            raise _too_large("The product")

    def _check_power(self, base: Any, exponent: Any) -> None:
        if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 0 or abs(base) <= 1:
            return
        if exponent * math.log2(abs(base)) > MAX_INTEGER_BITS:
            raise _too_large(f"{base} ** {exponent}")


def render_template(*, template: str, values: dict[str, Any], autoescape: bool, max_chars: int) -> str:
    environment = BoundedEnvironment(autoescape=autoescape, max_chars=max_chars)
    parts: list[str] = []
    size = 0
    try:
        for part in environment.from_string(template).generate(values):
            size += len(part)
            if size > max_chars:
                raise ValueError(f"Rendered text is longer than {max_chars} characters")
            parts.append(part)
    except (TemplateError, ArithmeticError) as error:
        # Includes the sandbox's SecurityError for unsafe attribute access, and overflowing float powers.
        raise ValueError(f"Template error: {error}") from error
    return "".join(parts)
