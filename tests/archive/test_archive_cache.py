"""The in-memory lookup cache and the per-key locks that deduplicate lookups."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from checks.archive.cache import InMemoryLookupCache, KeyedLocks, cached_json
from tests.archive.conftest import FakeClock

TTL = timedelta(minutes=10)


def test_values_expire(clock: FakeClock) -> None:
    cache = InMemoryLookupCache(clock=clock)
    cache.put("k", "v", TTL)

    assert cache.get("k") == "v"
    clock.now += 599
    assert cache.get("k") == "v"
    clock.now += 1
    assert cache.get("k") is None
    assert len(cache) == 0


def test_cached_json_fetches_once_and_round_trips(clock: FakeClock) -> None:
    cache = InMemoryLookupCache(clock=clock)
    calls: list[int] = []

    def fetch() -> list[list[str]]:
        calls.append(1)
        return [["timestamp"], ["2015"]]

    first = cached_json(cache, KeyedLocks(), "k", fetch, lambda a: TTL)
    second = cached_json(cache, KeyedLocks(), "k", fetch, lambda a: TTL)

    assert first == second == [["timestamp"], ["2015"]]
    assert len(calls) == 1


def test_failures_are_not_cached(clock: FakeClock) -> None:
    cache = InMemoryLookupCache(clock=clock)

    def fail() -> None:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        cached_json(cache, KeyedLocks(), "k", fail, lambda a: TTL)
    assert cache.get("k") is None


def test_corrupt_entry_is_refetched(clock: FakeClock) -> None:
    cache = InMemoryLookupCache(clock=clock)
    cache.put("k", "{not json", TTL)

    assert cached_json(cache, KeyedLocks(), "k", lambda: [1], lambda a: TTL) == [1]
    assert cache.get("k") == "[1]"


def test_ttl_depends_on_the_answer(clock: FakeClock) -> None:
    cache = InMemoryLookupCache(clock=clock)
    cached_json(
        cache, KeyedLocks(), "empty", lambda: [], lambda a: TTL if a else timedelta(seconds=5)
    )

    clock.now += 6
    assert cache.get("empty") is None


def test_concurrent_lookups_of_one_key_ask_once(clock: FakeClock) -> None:
    cache = InMemoryLookupCache(clock=clock)
    locks = KeyedLocks()
    started = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    results: list[object] = []

    def slow_fetch() -> str:
        calls.append("slow")
        started.set()
        assert release.wait(5)
        return "answer"

    def second_fetch() -> str:
        calls.append("second")
        return "other"

    first = threading.Thread(
        target=lambda: results.append(cached_json(cache, locks, "k", slow_fetch, lambda a: TTL))
    )
    first.start()
    assert started.wait(5)
    second = threading.Thread(
        target=lambda: results.append(cached_json(cache, locks, "k", second_fetch, lambda a: TTL))
    )
    second.start()
    _wait_until(lambda: locks.users("k") == 2)
    release.set()
    first.join(5)
    second.join(5)

    assert calls == ["slow"]
    assert results == ["answer", "answer"]
    assert len(locks) == 0


def test_different_keys_do_not_block_each_other() -> None:
    locks = KeyedLocks()
    done = threading.Event()

    def hold_b() -> None:
        with locks.hold("b"):
            done.set()

    with locks.hold("a"):
        other = threading.Thread(target=hold_b)
        other.start()
        assert done.wait(5)
        other.join(5)
    assert len(locks) == 0


def _wait_until(condition: Callable[[], bool]) -> None:
    for _ in range(5000):
        if condition():
            return
        time.sleep(0.001)
    raise AssertionError("condition never became true")
