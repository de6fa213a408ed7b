"""`make bench`: every benchmark, printed as ratios against floors measured in the same run."""

from bench.harness import setup_django

setup_django()

from bench import engine, ws_fanout  # noqa: E402

engine.main()
ws_fanout.main()
