"""`make bench`: every benchmark, printed as ratios against floors measured in the same run.

`make bench ARGS="b1 b2"` runs only the benchmarks named: b1, b2, b4 (the engine's), b1rt (B1's
round trips to PostgreSQL, counted), b3 (the websocket fan-out).
"""

import sys

from bench.harness import setup_django

ENGINE = ("b1", "b2", "b4")
ALL = (*ENGINE, "b1rt", "b3")
chosen = sys.argv[1:] or list(ALL)
unknown = set(chosen) - set(ALL)
if unknown:
    sys.exit(f"unknown benchmarks: {', '.join(sorted(unknown))} (choose from {', '.join(ALL)})")

setup_django()

from bench import engine, roundtrips, ws_fanout  # noqa: E402

if set(chosen) & set(ENGINE):
    engine.main([name for name in ENGINE if name in chosen])
if "b1rt" in chosen:
    roundtrips.main()
if "b3" in chosen:
    ws_fanout.main()
