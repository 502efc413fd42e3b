"""Caching of archive lookups (CDX rows, TimeMaps) and per-key locks so that two
threads never ask an archive the same question at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Protocol


class LookupCache(Protocol):
    """Stores JSON answers of archive lookups with an expiry."""

    def get(self, key: str) -> str | None:
        """The stored value, or None when absent or expired."""
        ...

    def put(self, key: str, value: str, ttl: timedelta) -> None:
        """Store ``value`` under ``key`` for ``ttl``."""
        ...


class InMemoryLookupCache:
    """A process-local :class:`LookupCache` (tests, one-off runs)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, str]] = {}

    def get(self, key: str) -> str | None:
        """The stored value, or None when absent or expired."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if self._clock() >= expires:
                del self._items[key]
                return None
            return value

    def put(self, key: str, value: str, ttl: timedelta) -> None:
        """Store ``value`` under ``key`` for ``ttl``."""
        with self._lock:
            self._items[key] = (self._clock() + ttl.total_seconds(), value)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class KeyedLocks:
    """One lock per key, created on demand and dropped when nobody holds or waits."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Hold the lock for ``key`` for the duration of the block."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def users(self, key: str) -> int:
        """How many callers hold or wait for the lock of ``key``."""
        with self._guard:
            return self._locks.get(key, (None, 0))[1]

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


def cached_json(
    cache: LookupCache | None,
    locks: KeyedLocks,
    key: str,
    fetch: Callable[[], Any],
    ttl_for: Callable[[Any], timedelta],
) -> Any:
    """The cached JSON answer for ``key``, or ``fetch()``'s answer stored for
    ``ttl_for(answer)``. Concurrent callers with the same key wait for the first one.
    Exceptions from ``fetch`` propagate and nothing is stored: failures are not cached.
    """
    with locks.hold(key):
        if cache is not None:
            stored = cache.get(key)
            if stored is not None:
                try:
                    return json.loads(stored)
                except ValueError:
                    pass  # a corrupt entry is refetched and overwritten
        answer = fetch()
        if cache is not None:
            cache.put(key, json.dumps(answer, separators=(",", ":")), ttl_for(answer))
        return answer
