"""Checks spread over worker processes by site."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checks.model import CheckResult, CheckTarget, Verdict
from monitor import run as run_module
from monitor.fanout import (
    WorkerError,
    check_in_processes,
    concurrency_shares,
    default_processes,
    partition,
    site_of,
    sites_of,
)
from monitor.registry import load_registry
from monitor.run import run_sources
from monitor.settings import check_settings
from monitor.store import Store
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

T = datetime(2026, 3, 1, tzinfo=UTC)


def targets(*urls: str) -> list[CheckTarget]:
    return [CheckTarget(url=u, source_id=f"s{i}") for i, u in enumerate(urls)]


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.cdc.gov/a", "cdc.gov"),
        ("https://CDC.gov./b", "cdc.gov"),
        ("https://files.publichealth.lacounty.gov/x.pdf", "lacounty.gov"),
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("https://www.gov.uk/guidance", "gov.uk"),
        ("https://www.rki.de/DE/Home", "rki.de"),
        ("http://127.0.0.2:8080/ok/1", "127.0.0.2"),
        ("http://[::1]/", "::1"),
    ],
)
def test_site_groups_a_domain_with_its_subdomains(url: str, site: str) -> None:
    assert site_of(url) == site


def test_partition_keeps_each_site_whole_and_balances_the_shares() -> None:
    urls = [f"https://www.a.org/{i}" for i in range(6)] + [f"https://a.org/x{i}" for i in range(2)]
    urls += [f"https://b.org/{i}" for i in range(5)] + [f"https://c.org/{i}" for i in range(3)]
    shares = partition(targets(*urls), 2)
    sites = [{site_of(t.url) for t in share} for share in shares]
    assert sites == [{"a.org"}, {"b.org", "c.org"}]
    assert [len(s) for s in shares] == [8, 8]
    assert sorted(t.url for s in shares for t in s) == sorted(urls)
    # Order within a share is the plan's order.
    assert [t.url for t in shares[1]] == [u for u in urls if "b.org" in u or "c.org" in u]
    assert partition(targets(*urls), 2) == shares, "deterministic"
    assert len(partition(targets("https://only.org/1", "https://only.org/2"), 4)) == 1


def test_concurrency_is_shared_in_proportion_at_least_one_each() -> None:
    assert concurrency_shares(32, [1000, 1000]) == [16, 16]
    assert concurrency_shares(32, [1500, 500]) == [24, 8]
    assert concurrency_shares(32, [3, 5000]) == [1, 32]
    assert concurrency_shares(4, [100, 100, 100, 100, 100]) == [1, 1, 1, 1, 1]


def test_small_runs_stay_in_one_process() -> None:
    assert default_processes(10) == 1
    assert 1 <= default_processes(10_000) <= 4


# --- worker processes: the share functions run in the child, so they live at module level.


def _answer(share: Sequence[CheckTarget], threads: int) -> Iterator[CheckResult]:
    for target in share:
        yield CheckResult(
            target.url,
            Verdict.OK,
            "ok",
            T,
            target.source_id,
            status=200,
            extra={"pid": os.getpid(), "threads": threads},
        )


def _fail_half_way(share: Sequence[CheckTarget], threads: int) -> Iterator[CheckResult]:
    for target in share:
        if target.url.endswith("/boom"):
            raise ValueError("the checker broke on " + target.url)
        yield from _answer([target], threads)


def _die(share: Sequence[CheckTarget], threads: int) -> Iterator[CheckResult]:
    if any(t.url.endswith("/die") for t in share):
        os._exit(7)
    yield from _answer(share, threads)


def test_every_target_is_checked_once_by_several_processes() -> None:
    plan = targets(*[f"http://127.0.0.{2 + i % 4}/p{i}" for i in range(400)])
    results = list(check_in_processes(plan, _answer, processes=2, concurrency=8))
    assert Counter(r.url for r in results) == Counter(t.url for t in plan)
    pids = {r.extra["pid"] for r in results}
    assert len(pids) == 2 and os.getpid() not in pids
    by_pid = {pid: {site_of(r.url) for r in results if r.extra["pid"] == pid} for pid in pids}
    first, second = by_pid.values()
    assert not first & second, "a site is checked by one process only"
    assert {r.extra["threads"] for r in results} == {4}


def test_a_failing_worker_is_reported_after_the_results_it_sent() -> None:
    plan = targets("http://a.org/1", "http://a.org/2", "http://a.org/boom", "http://b.org/1")
    seen: list[str] = []
    with pytest.raises(WorkerError, match=r"the checker broke on http://a\.org/boom"):
        for result in check_in_processes(plan, _fail_half_way, processes=2, concurrency=4):
            seen.append(result.url)
    assert sorted(seen) == ["http://a.org/1", "http://a.org/2", "http://b.org/1"]


def test_a_worker_that_dies_without_a_word_is_an_error() -> None:
    plan = targets("http://a.org/die", "http://b.org/1")
    with pytest.raises(WorkerError, match="exited with code 7"):
        list(check_in_processes(plan, _die, processes=2, concurrency=4))


# --- a run split between processes, against real servers on loopback ----------------------


class _Pages(QuietHandler):
    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        # Only the cited pages exist, so the catch-all probe of a random sibling gets 404.
        status = {"p1": 200, "p2": 200, "p3": 200, "fail": 500}.get(name, 404)
        body = f"<html><main><p>page {name} of {self.server.server_address[0]}</p></main></html>"
        self.send_page(status, body.encode())


@pytest.fixture
def two_sites() -> Iterator[list[str]]:
    """The same small site on two loopback addresses: two sites to split between."""
    with serving(_Pages) as bases:
        yield bases


def _project(root: Path, bases: list[str], processes: int) -> Path:
    urls = {}
    for site, base in enumerate(bases):
        for name in ("p1", "p2", "p3", "gone", "fail"):
            urls[f"s{site}-{name}"] = f"{base}/dir/{name}"
    return write_project(root, urls, extra_settings=f"  processes: {processes}\n  per_host: 2\n")


def _verdicts(store: Store) -> dict[str, str]:
    return {sid: r.result.verdict.value for sid, r in store.latest_results().items()}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process counts of every run split between worker processes."""
    seen: list[int] = []
    real = run_module.check_in_processes

    def spy(*args: Any, **kwargs: Any) -> Iterator[CheckResult]:
        seen.append(kwargs["processes"])
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "check_in_processes", spy)
    return seen


def test_a_run_split_between_processes_stores_what_one_process_does(
    tmp_path: Path, two_sites: list[str], calls: list[int]
) -> None:
    after: list[int] = []

    def after_check(target: CheckTarget, result: CheckResult, _session: Any) -> CheckResult:
        after.append(os.getpid())
        return result.replace(reason=result.reason + " (looked up)")

    stored = {}
    for processes in (1, 2):
        root = tmp_path / f"p{processes}"
        root.mkdir()
        registry = load_registry(_project(root, two_sites, processes))
        store = Store.open(registry.settings.database, root)
        after.clear()
        outcome = run_sources(
            registry,
            store,
            registry.sources,
            settings=check_settings(registry.settings),
            after_check=after_check,
        )
        assert outcome.checked == 10
        assert after == [os.getpid()] * 10, "archive look-ups stay in the run's process"
        assert all(r.result.reason.endswith("(looked up)") for r in store.latest_results().values())
        assert store.healths(["s0-p1"])["s0-p1"].health.value == "healthy"
        stored[processes] = _verdicts(store)
        store.close()
    assert calls == [2]
    assert stored[1] == stored[2]
    assert stored[2]["s1-p2"] == "ok" and stored[2]["s0-gone"] == "broken"
    assert stored[2]["s1-fail"] == "transient"


def test_never_more_processes_than_requests_allowed_at_once(
    tmp_path: Path, two_sites: list[str], calls: list[int]
) -> None:
    registry = load_registry(_project(tmp_path, two_sites, 4))
    registry = replace(registry, settings=replace(registry.settings, concurrency=1))
    store = Store.open(registry.settings.database, tmp_path)
    outcome = run_sources(
        registry, store, registry.sources, settings=check_settings(registry.settings)
    )
    store.close()
    assert outcome.checked == 10
    assert calls == [], "one request at a time: one process"


def test_sites_worked_out_once_per_location_are_each_url_s_own() -> None:
    urls = [
        "https://www.cdc.gov/a",
        "https://cdc.gov/b?x=1",
        "https://CDC.gov:443/c",
        "https://user@www.cdc.gov/d",
        "https://nhs.co.uk/e",
        "https://a.nhs.co.uk?q",
        "https://b.example.org#top",
        "http://127.0.0.2:8080/f",
        "http://[::1]:80/g",
        "http:/no-authority/h",
        "no-scheme.example/i",
        "https://www.cdc.gov/a",
    ]
    assert sites_of(urls) == [site_of(url) for url in urls]
