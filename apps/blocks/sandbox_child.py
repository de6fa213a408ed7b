"""The child side of `apps.blocks.sandbox`: one JSON request per line on stdin, one reply per line on stdout.

It imports neither Django nor our settings, only the pure evaluators below. Its
address space is capped once at start (`RLIMIT_AS`, the given megabytes above what
it already uses) and its CPU time before each request (`RLIMIT_CPU`: the kernel
ends it with SIGXCPU when a request overruns, even if the parent is gone).
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from apps.blocks.markup import parse_markup
from apps.blocks.regex import pattern_extract, pattern_search
from apps.blocks.text_format import render_template

TASKS: dict[str, Callable[..., Any]] = {
    "regex_search": pattern_search,
    "regex_extract": pattern_extract,
    "render_template": render_template,
    "parse_markup": parse_markup,
}


def _address_space_in_use() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _limit_memory(megabytes: int) -> None:
    try:
        ceiling = _address_space_in_use() + megabytes * 1024 * 1024
    except OSError:  # no /proc: the CPU limit and the parent's timeout still hold
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _limit_cpu(seconds: float) -> None:
    # Only the soft limit moves: a lowered hard limit could never be raised again for the next request.
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(time.process_time() + seconds), hard))


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"result": TASKS[request["task"]](**request["arguments"])}
    except MemoryError:
        # The heap may be in any state: say why, and let the parent start a fresh child.
        return {"error": "Evaluating the pattern used more memory than allowed", "fatal": True}
    except RecursionError:
        return {"error": "The pattern is nested too deeply"}
    except ValueError as error:
        return {"error": str(error) or type(error).__name__}
    except Exception as error:  # noqa: BLE001 - whatever a pattern raises is the user's error, not ours
        return {"error": f"{type(error).__name__}: {error}" if str(error) else type(error).__name__}


def main() -> None:
    _limit_memory(int(sys.argv[1]))
    for line in sys.stdin.buffer:
        request = json.loads(line)
        _limit_cpu(float(request["cpu_seconds"]))
        reply = _answer(request)
        sys.stdout.buffer.write(json.dumps(reply).encode() + b"\n")
        sys.stdout.buffer.flush()
        if reply.get("fatal"):
            return


if __name__ == "__main__":
    main()
