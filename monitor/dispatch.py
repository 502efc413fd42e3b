"""Which URL a free worker checks next: one whose host can take a request now.

Handing out URLs in plan order lets a host that is paused (after a 5xx, a 429 or a
``Retry-After``) or already at its per-host limit tie up workers that wait for it while
other hosts' URLs queue behind them. Here each host has its own queue, in plan order;
hosts take turns, and a host is skipped while it is at its limit or paused.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from checks.model import CheckTarget


def host_key(url: str) -> str:
    """The key per-host limits are kept under (as :mod:`checks.http.fetch` does)."""
    return urlsplit(url).netloc.lower()


class HostQueues:
    """Targets grouped by host, handed out in turns to hosts that can take one.

    Not thread-safe: one dispatcher thread takes and returns targets.
    """

    def __init__(
        self,
        targets: Iterable[CheckTarget],
        per_host: int,
        *,
        max_wait_s: float = float("inf"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_host = max(1, per_host)
        # A host paused for longer than a check may last is not waited for: its URLs go
        # out at once and each check reports that the host asked for the pause.
        self.max_wait_s = max_wait_s
        self.clock = clock
        self._pending: dict[str, deque[CheckTarget]] = {}
        for target in targets:
            self._pending.setdefault(host_key(target.url), deque()).append(target)
        self._in_flight: dict[str, int] = dict.fromkeys(self._pending, 0)
        # Hosts with URLs waiting and room for one more request, in turn order.
        self._ready: deque[str] = deque(self._pending)
        # Hosts waiting out a pause: (when it ends, host).
        self._paused: list[tuple[float, str]] = []
        self._queued: set[str] = set(self._pending)  # in _ready or _paused
        self.waiting = sum(len(q) for q in self._pending.values())

    def take(self, wait_s: Callable[[str], float]) -> tuple[CheckTarget | None, float | None]:
        """The next target whose host can start a request now (``wait_s(host)`` is 0),
        or None with the seconds until a paused host may (None: no host is paused)."""
        now = self.clock()
        while self._paused and self._paused[0][0] <= now:
            self._ready.append(heapq.heappop(self._paused)[1])
        while self._ready:
            host = self._ready.popleft()
            wait = wait_s(host)
            if 0 < wait <= self.max_wait_s:
                heapq.heappush(self._paused, (now + wait, host))
                continue
            queue = self._pending[host]
            target = queue.popleft()
            self.waiting -= 1
            self._in_flight[host] += 1
            if queue and self._in_flight[host] < self.per_host:
                self._ready.append(host)  # its next turn comes after the other hosts'
            else:
                self._queued.discard(host)
            return target, None
        return None, (max(0.0, self._paused[0][0] - now) if self._paused else None)

    def done(self, target: CheckTarget) -> None:
        """A target handed out has been checked: its host has room again."""
        host = host_key(target.url)
        self._in_flight[host] -= 1
        if self._pending[host] and host not in self._queued:
            self._queued.add(host)
            self._ready.append(host)
