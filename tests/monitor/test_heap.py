"""Bulk work that builds lasting objects runs without cyclic garbage collections."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from monitor.heap import collection_paused
from monitor.registry.errors import RegistryInvalid
from monitor.registry.loader import load_registry
from monitor.run import plan
from monitor.store import Store
from monitor.workspace import Workspace


@contextmanager
def collections() -> Iterator[list[int]]:
    """The generations collected inside the block."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)


def big_registry(tmp_path: Path, sources: int = 3000) -> Path:
    lines = ["version: 1", "sources:"]
    lines += [
        f'  - {{id: s{n}, url: "https://site{n % 7}.example/r/{n}", title: "Report {n}"}}'
        for n in range(sources)
    ]
    path = tmp_path / "registry.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_pause_ends_with_its_block_and_nests() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still holds
    assert gc.isenabled()
    with pytest.raises(KeyError), collection_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_reading_a_large_registry_and_planning_its_run_collect_once_at_most(
    tmp_path: Path,
) -> None:
    path = big_registry(tmp_path)
    # Thousands of objects are made, and each step walks them at most once, in the one
    # collection that follows its pause (over a hundred collections without it).
    with collections() as seen:
        registry = load_registry(path)
    assert len(seen) <= 1
    with collections() as seen:
        run_plan = plan(registry.sources)
    assert len(seen) <= 1
    assert len(run_plan.targets) == 3000
    assert gc.isenabled()


def test_a_broken_registry_leaves_the_collector_on(tmp_path: Path) -> None:
    path = big_registry(tmp_path, sources=10)
    path.write_text(path.read_text() + "  - {id: s1, url: 12}\n", encoding="utf-8")
    with pytest.raises(RegistryInvalid):
        load_registry(path)
    assert gc.isenabled()


def test_recording_a_large_registry_in_the_store_collects_once_at_most(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'monitor.db'}")
    try:
        sources = [(f"s{n}", f"https://x{n % 7}.example/{n}", f"T {n}", None) for n in range(3000)]
        with collections() as seen:
            store.sync_sources(sources, datetime(2026, 3, 1, tzinfo=UTC))
        assert len(seen) <= 1  # 18 without the pause
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM sources")).scalar() == 3000
        assert gc.isenabled()
    finally:
        store.close()


def test_making_the_status_document_of_a_large_registry_collects_once_at_most(
    tmp_path: Path,
) -> None:
    workspace = Workspace.load(big_registry(tmp_path))
    workspace.override(database=f"sqlite:///{tmp_path / 'monitor.db'}")
    try:
        with collections() as seen:
            document = workspace.status()
        assert len(seen) <= 1
        assert len(document["sources"]) == 3000
    finally:
        workspace.store().close()


def test_pauses_in_several_threads_at_once_leave_the_collector_on() -> None:
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside the blocks as often as can be

    def pause_often() -> None:
        for _ in range(2000):
            with collection_paused():
                pass

    try:
        # A lost "on" shows in about half of such rounds: ten rounds all but always.
        for _ in range(10):
            threads = [threading.Thread(target=pause_often) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert gc.isenabled()
    finally:
        sys.setswitchinterval(switch)
        gc.enable()
