"""`make bench`: every benchmark, printed as ratios against floors measured in the same run.

`make bench ARGS="b1 b2"` runs only the benchmarks named (b1, b2, b4: the engine's; b3: the
websocket fan-out).
"""

import sys

from bench.harness import setup_django

ENGINE = ("b1", "b2", "b4")
chosen = sys.argv[1:] or [*ENGINE, "b3"]
unknown = set(chosen) - {*ENGINE, "b3"}
if unknown:
    sys.exit(f"unknown benchmarks: {', '.join(sorted(unknown))} (choose from b1, b2, b3, b4)")

setup_django()

from bench import engine, ws_fanout  # noqa: E402

if set(chosen) & set(ENGINE):
    engine.main([name for name in ENGINE if name in chosen])
if "b3" in chosen:
    ws_fanout.main()
