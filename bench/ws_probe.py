"""Records when each message on a Redis channel was published: `python -m bench.ws_probe <channel> <file>`.

One line per message, `<CLOCK_MONOTONIC seconds> <run id> <seq>`. The clock is
the system's, so the benchmark compares it with receipt times in its own process.
"""

from __future__ import annotations

import sys
import time

import redis

from bench.ws_messages import run_and_seq


def main(url: str, channel: str, path: str) -> None:
    pubsub = redis.Redis.from_url(url).pubsub()
    pubsub.subscribe(channel)
    with open(path, "w") as out:
        for message in pubsub.listen():
            now = time.monotonic()
            if message["type"] == "subscribe":
                print("probe ready", flush=True)
                continue
            key = run_and_seq(message["data"].decode())
            if key is not None:
                out.write(f"{now:.6f} {key[0]} {key[1]}\n")
                out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:4])
