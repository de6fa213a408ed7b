"""Fair sharing of the workers: one user's node executions hold at most `ENGINE_USER_MAX_SLOTS` slots at once,
across every worker process.

A slot a user holds is a member of a sorted set in Redis (`agpt:user-slots:<user id>`) whose score is
when it lapses: a session renews its members with its leases, so those of a worker that died lapse
with them, and whoever counts next drops them. Taking is one Lua script (drop the lapsed, count,
add as many as fit), so concurrent sessions never take more than the cap between them.

A session keeps the slots its ended executions held for the executions that their hand-on makes
ready (a chain of nodes takes one slot once, not once a node) and gives back what it has not used
again when its group commits, and everything when it ends. What a user at the cap cannot start
waits QUEUED: in the session's backlog, or, sent to the broker, a second later again
(`worker.process_node_execution`).

If Redis cannot be reached, the cap is not enforced rather than work stopped: runs go on, and the
cap holds again when Redis is back.
"""

from __future__ import annotations

import itertools
import time
import uuid

import structlog
from django.conf import settings
from redis.commands.core import Script
from redis.exceptions import RedisError

from apps.core.redis import get_redis
from apps.executions.runner import slots

logger = structlog.get_logger(__name__)

# KEYS[1]: the user's set; ARGV: now, the new members' expiry, the cap, the key's own TTL, then the new members.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
local granted = 0
for i = 5, #ARGV do
    if granted >= free then break end
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
    granted = granted + 1
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return granted
"""


_scripts: dict[int, Script] = {}


def _take_script() -> Script:
    client = get_redis()
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_TAKE)
    return script


def user_slots_key(user_id: object) -> str:
    return f"agpt:user-slots:{user_id}"


class UserShare:
    """The slots of one user that one session holds."""

    def __init__(self, user_id: object) -> None:
        self.key = user_slots_key(user_id)
        self.cap = settings.ENGINE_USER_MAX_SLOTS
        self.in_use: list[str] = []
        self.idle: list[str] = []  # held, not in use: for what the session starts next, until its group commits
        self._names = (f"{uuid.uuid4().hex}:{n}" for n in itertools.count())

    @property
    def enabled(self) -> bool:
        return self.cap > 0

    def take_up_to(self, wanted: int) -> int:
        if not self.enabled or wanted <= 0:
            return max(wanted, 0)
        reused, self.idle = self.idle[:wanted], self.idle[wanted:]
        self.in_use += reused
        if len(reused) == wanted:
            return wanted
        names = [next(self._names) for _ in range(wanted - len(reused))]
        lease = settings.ENGINE_LEASE_SECONDS
        now = time.time()
        try:
            script = _take_script()
            granted = int(script(keys=[self.key], args=[now, now + lease, self.cap, lease * 2, *names]))
        except (RedisError, OSError) as error:
            logger.warning("user_slots_unenforced", error=type(error).__name__)
            return wanted
        self.in_use += names[:granted]
        return len(reused) + granted

    def give(self, count: int) -> None:
        if not self.enabled or count <= 0:
            return
        freed, self.in_use = self.in_use[:count], self.in_use[count:]
        self.idle += freed

    def release_idle(self) -> None:
        """Gives back the slots the session holds and does not use."""
        idle, self.idle = self.idle, []
        self._remove(idle)

    def release_all(self) -> None:
        held, self.idle, self.in_use = self.idle + self.in_use, [], []
        self._remove(held)

    def renew(self) -> None:
        held = self.idle + self.in_use
        if not held:
            return
        expiry = time.time() + settings.ENGINE_LEASE_SECONDS
        try:
            get_redis().zadd(self.key, dict.fromkeys(held, expiry), xx=True)
        except (RedisError, OSError) as error:
            logger.warning("user_slots_not_renewed", error=type(error).__name__)

    def _remove(self, names: list[str]) -> None:
        if not names:
            return
        try:
            get_redis().zrem(self.key, *names)
        except (RedisError, OSError) as error:  # they lapse by themselves
            logger.warning("user_slots_not_released", error=type(error).__name__)


class SessionSlots:
    """What a session takes to start an execution: one of the process's slots and one of its user's."""

    def __init__(self, user_id: object) -> None:
        self.share = UserShare(user_id)

    def take_up_to(self, wanted: int) -> int:
        granted = slots().take_up_to(wanted)
        if not granted:
            return 0
        allowed = self.share.take_up_to(granted)
        slots().give(granted - allowed)
        return allowed

    def take_user_slot(self) -> bool:
        """For an execution that already has a process slot (a task from the broker)."""
        return self.share.take_up_to(1) == 1

    def give(self, count: int) -> None:
        slots().give(count)
        self.share.give(count)
