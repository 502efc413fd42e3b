"""Health folded in while a run goes on, once the run cannot turn out inconclusive."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from monitor import run
from monitor.registry import load_registry
from monitor.run import FoldedHook, RunOutcome, run_sources
from monitor.settings import check_settings
from monitor.state import Health
from monitor.store import Store
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

START = datetime(2026, 2, 1, 6, tzinfo=UTC)
PAGES = {"/ok", "/ok2", "/flaky", "/late", "/late2"}


@pytest.fixture(autouse=True)
def results_stored_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every result is stored (and, once the run is settled, folded in) as it comes,
    so that what these tests see does not hang on how long a run holds results."""
    monkeypatch.setattr(run, "ResultWriter", partial(run.ResultWriter, max_batch=1))


class Mixed(QuietHandler):
    """Pages that work, are gone or are broken, and one that answers late enough for
    the results before it to be stored while the run goes on."""

    day = 0

    def do_GET(self) -> None:
        if self.path.startswith("/late"):
            time.sleep(0.35)
        if self.path == "/broken":
            self.send_page(500, b"<p>oops</p>")
        elif self.path in PAGES and not (self.path == "/flaky" and Mixed.day % 2):
            self.send_page(200, f"<h1>Report {self.path}</h1><p>All figures.</p>".encode())
        else:
            self.send_page(404, b"<p>not here</p>")


class Folded:
    def __init__(self) -> None:
        self.calls: list[tuple[int, list[str]]] = []

    def __call__(self, run_id: int, source_ids: Sequence[str]) -> bool:
        self.calls.append((run_id, list(source_ids)))
        return True


def test_health_folded_during_runs_is_the_health_folded_after_them(tmp_path: Path) -> None:
    paths = ["ok", "gone", "broken", "flaky", "late", "ok2", "gone2", "late2"]
    with serving(Mixed, ("127.0.0.1",)) as (base,):
        outcomes = []
        for mode in ("after", "during"):
            folder = tmp_path / mode
            folder.mkdir()
            urls = {path: f"{base}/{path}" for path in paths}
            registry = load_registry(write_project(folder, urls))
            store = Store.open(registry.settings.database, folder)
            settings = check_settings(registry.settings)
            folded = Folded()
            for day in range(4):
                Mixed.day = day
                clock = lambda day=day: START + timedelta(days=day, minutes=5 * day)  # noqa: E731
                run_sources(
                    registry,
                    store,
                    registry.sources,
                    settings=settings,
                    now=clock,
                    on_folded=folded if mode == "during" else None,
                )
            healths = store.healths(paths)
            # Events of one run share its moment; their order within it is the order
            # in which the checks ended, which differs from one run to the next.
            events = sorted(
                (e.at, e.source_id, e.previous, e.health, e.reason) for e in store.events()
            )
            outcomes.append((healths, events))
            store.close()
    assert outcomes[0] == outcomes[1]
    healths, _events = outcomes[1]
    assert healths["ok"].health is Health.HEALTHY
    assert healths["gone"].health is Health.DEAD
    assert healths["flaky"].health is Health.SUSPECT
    # Every run told of sources during it, each source once.
    runs = {run_id for run_id, _ in folded.calls}
    assert len(runs) == 4
    for run_id in runs:
        told = [s for r, ids in folded.calls if r == run_id for s in ids]
        assert told and len(told) == len(set(told)) and set(told) <= set(paths)


def run_once(
    folder: Path, urls: dict[str, str], on_folded: FoldedHook | None
) -> tuple[RunOutcome, Store]:
    """One run at ``START`` over a project in ``folder`` citing ``urls``."""
    registry = load_registry(write_project(folder, urls))
    store = Store.open(registry.settings.database, folder)
    outcome = run_sources(
        registry,
        store,
        registry.sources,
        settings=check_settings(registry.settings),
        now=lambda: START,
        on_folded=on_folded,
    )
    return outcome, store


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_run_that_may_still_look_offline_folds_nothing_while_it_goes_on(
    tmp_path: Path,
) -> None:
    # One host of five answers, late; four refuse. Such a run may look offline until
    # its end (it does), so no health is folded while it goes on, nor after it.
    port = _refused_port()
    with serving(Mixed, ("127.0.0.1",)) as (base,):
        urls = {"late": f"{base}/late"}
        urls |= {f"down{i}": f"http://127.0.0.{i}:{port}/page" for i in range(2, 6)}
        folded = Folded()
        outcome, store = run_once(tmp_path, urls, folded)
    assert outcome.inconclusive
    assert folded.calls == []
    assert {h.health for h in store.healths(list(urls)).values()} == {Health.UNKNOWN}


def test_the_first_fold_takes_in_what_was_stored_before_the_run_settled(
    tmp_path: Path,
) -> None:
    # Five hosts: three refuse, one answers at once, one late. Until the late one
    # answers, three of four failing hosts may still make the run look offline.
    port = _refused_port()
    with serving(Mixed, ("127.0.0.1", "127.0.0.2")) as (fast, slow):
        urls = {"ok": f"{fast}/ok", "ok2": f"{fast}/ok2", "late": f"{slow}/late"}
        urls |= {f"down{i}": f"http://127.0.0.{i}:{port}/page" for i in range(3, 6)}
        outcomes = []
        for mode in ("after", "during"):
            folder = tmp_path / mode
            folder.mkdir()
            folded = Folded()
            outcome, store = run_once(folder, urls, folded if mode == "during" else None)
            assert not outcome.inconclusive
            outcomes.append(store.healths(list(urls)))
            store.close()
    assert outcomes[0] == outcomes[1]
    assert folded.calls, "health was folded in during the run"
    first = set(folded.calls[0][1])
    assert {"ok", "ok2", "late"} <= first, "results stored before the run settled"
    told = [s for _, ids in folded.calls for s in ids]
    assert len(told) == len(set(told))


def test_a_fold_that_fails_during_the_run_leaves_the_rest_to_its_end(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(run_id: int, source_ids: Sequence[str]) -> bool:
        raise OSError("the reports folder is gone")

    with serving(Mixed, ("127.0.0.1",)) as (base,):
        urls = {"ok": f"{base}/ok", "gone": f"{base}/gone", "late": f"{base}/late"}
        outcome, store = run_once(tmp_path, urls, broken)
    assert outcome.checked == 3
    healths = store.healths(list(urls))
    assert (healths["ok"].health, healths["gone"].health) == (Health.HEALTHY, Health.SUSPECT)
    assert healths["late"].health is Health.HEALTHY
    assert "folded in at the end of the run instead" in caplog.text


def test_folding_during_the_run_ends_when_no_more_is_wanted(tmp_path: Path) -> None:
    told: list[list[str]] = []

    def once(run_id: int, source_ids: Sequence[str]) -> bool:
        told.append(list(source_ids))
        return False  # pages stopped: the rest is folded in at the end, at once

    with serving(Mixed, ("127.0.0.1",)) as (base,):
        urls = {name: f"{base}/{name}" for name in ("ok", "gone", "ok2", "late", "gone2")}
        _, store = run_once(tmp_path, urls, once)
    assert len(told) == 1
    healths = store.healths(list(urls))
    assert {s for s, h in healths.items() if h.health is Health.SUSPECT} == {"gone", "gone2"}
    assert {s for s, h in healths.items() if h.health is Health.HEALTHY} == {"ok", "ok2", "late"}
