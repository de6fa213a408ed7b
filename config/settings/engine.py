"""Settings of the execution engine and the bounds on what blocks, runs, graphs and sockets may use."""

from __future__ import annotations

from config.env import env

# Seconds a block may run inside one node execution, unless the block sets its own limit.
BLOCK_TIME_LIMIT_SECONDS = env.float("BLOCK_TIME_LIMIT_SECONDS", default=300.0)
# Seconds POST /api/blocks/{id}/execute waits for a block it runs inline.
BLOCK_INLINE_TIME_LIMIT_SECONDS = 30.0
# Users' patterns (regular expressions, templates, markup) run in child processes (apps/blocks/sandbox.py):
# at most this many per process, each evaluation within this much CPU time and memory.
PATTERN_PROCESSES = 2
PATTERN_TIME_LIMIT_SECONDS = env.float("PATTERN_TIME_LIMIT_SECONDS", default=5.0)
PATTERN_MEMORY_LIMIT_MB = env.int("PATTERN_MEMORY_LIMIT_MB", default=256)
# Longest text a template may render.
TEMPLATE_MAX_RENDERED_CHARS = 1_000_000
# Outbound HTTP from blocks (SendWebRequestBlock): private, loopback and link-local targets are refused unless allowed.
BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = env.bool("BLOCK_HTTP_ALLOW_PRIVATE_TARGETS", default=False)
BLOCK_HTTP_TIMEOUT_SECONDS = 30.0
BLOCK_HTTP_MAX_RESPONSE_BYTES = 5 * 1024 * 1024

# Execution engine. A RUNNING node execution whose worker has not renewed its lease
# for this long is handed to another worker by the sweep.
ENGINE_LEASE_SECONDS = env.int("ENGINE_LEASE_SECONDS", default=60)
# The sweep re-sends QUEUED node executions that no worker claimed within this time.
ENGINE_REQUEUE_AFTER_SECONDS = env.int("ENGINE_REQUEUE_AFTER_SECONDS", default=60)
ENGINE_SWEEP_INTERVAL_SECONDS = env.int("ENGINE_SWEEP_INTERVAL_SECONDS", default=30)
# A node execution whose lease the sweep finds expired this many times fails instead of going to
# yet another worker: a block that kills or hangs every worker that runs it stops there.
ENGINE_MAX_LEASE_EXPIRIES = env.int("ENGINE_MAX_LEASE_EXPIRIES", default=3)
# A run still QUEUED this long is late: logged by beat, counted in /metrics (upstream: 300 s).
EXECUTION_LATE_THRESHOLD_SECONDS = env.int("EXECUTION_LATE_THRESHOLD_SECONDS", default=300)
# Node executions one worker process runs at once; also its number of threads (executions a thread
# holds share its event loop, so those waiting on I/O wait together).
ENGINE_WORKER_CONCURRENCY = env.int("ENGINE_WORKER_CONCURRENCY", default=100)
# Fair sharing: one user's node executions hold at most this many worker slots at once, across all
# workers; the rest wait QUEUED and start as the user's slots free up. 0: no limit.
ENGINE_USER_MAX_SLOTS = env.int("ENGINE_USER_MAX_SLOTS", default=100)
# A worker runs the executions a node makes ready itself (no broker hop), for this long after it took the first.
ENGINE_LOCAL_CHAIN_SECONDS = 10.0
# A worker commits what its node executions did when all of them wait on I/O, or at the latest this often.
ENGINE_GROUP_COMMIT_SECONDS = 0.02
# How often a worker checks a run's stop flag and renews its leases while blocks run.
ENGINE_POLL_SECONDS = 0.5
# A block step that holds its worker thread this long past its time limit (or a stop) is interrupted,
# and if it is still stuck this much later, abandoned: its execution ends without it (apps/executions/watchdog.py).
ENGINE_STEP_GRACE_SECONDS = env.float("ENGINE_STEP_GRACE_SECONDS", default=5.0)
# A worker process with this many threads stuck in abandoned block steps stops taking work and, once
# its other executions end, exits (status 75) for its supervisor to start a fresh one.
ENGINE_WORKER_MAX_STUCK_THREADS = env.int("ENGINE_WORKER_MAX_STUCK_THREADS", default=10)
# Seconds POST .../stop waits for running blocks to stop before answering.
ENGINE_STOP_WAIT_SECONDS = 15.0
# Same Idempotency-Key from the same user within this window returns the first run.
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600

# Events over this size have their inputs and outputs truncated.
EVENT_MAX_BYTES = 1024 * 1024

# Websockets (/ws): subscriptions one connection may hold; largest message a client may
# send; execution events a connection may have waiting before they are dropped (the
# client is told which runs to re-read).
WS_MAX_SUBSCRIPTIONS = env.int("WS_MAX_SUBSCRIPTIONS", default=100)
WS_MAX_MESSAGE_BYTES = env.int("WS_MAX_MESSAGE_BYTES", default=16 * 1024)
WS_BUFFER_EVENTS = env.int("WS_BUFFER_EVENTS", default=256)

# Largest graph accepted, and most sub-graphs one import may bring.
GRAPH_MAX_NODES = 2000
GRAPH_MAX_LINKS = 4 * GRAPH_MAX_NODES
GRAPH_MAX_SUB_GRAPHS = 100
# Deepest nesting of sub-graphs (an Agent node's graph counts one level).
SUB_GRAPH_MAX_DEPTH = 10
# Highest index of a dynamic list pin (`items_$_N`): the list is built with every index below it.
DYNAMIC_PIN_MAX_INDEX = 10_000
