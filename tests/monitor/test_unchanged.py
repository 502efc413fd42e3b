"""A 304 keeps its source's previous content verdict, read for many sources at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from checks.model import CheckResult, Verdict
from monitor import run as run_module
from monitor.registry import load_registry
from monitor.run import UnchangedResults, run_sources
from monitor.settings import check_settings
from monitor.store import Store
from tests.cli.conftest import write_project

T = datetime(2026, 3, 1, 6, tzinfo=UTC)
NOT_FOUND = (
    "<html><head><title>Page not found</title></head><body><h1>Page not found</h1></body></html>"
)
PAGE = "<html><head><title>Report</title></head><body><main><p>The report.</p></main></body></html>"


def _conditional(request: Request) -> Response:
    name = request.path.rsplit("/", 1)[-1]
    if not (name.isdigit() or name == "report"):
        # Only the cited pages exist, so the catch-all probe sees a real 404.
        return Response("no", status=404)
    if request.headers.get("If-None-Match") == '"v1"':
        return Response(status=304, headers={"ETag": '"v1"'})
    body = NOT_FOUND if request.path.startswith("/gone") else PAGE
    return Response(body, content_type="text/html", headers={"ETag": '"v1"'})


def test_a_second_run_of_unchanged_sources_keeps_their_verdicts_from_one_read(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("").respond_with_handler(_conditional)
    urls = {f"page{i}": httpserver.url_for(f"/page/{i}") for i in range(9)}
    urls["gone"] = httpserver.url_for("/gone/report")
    registry = load_registry(write_project(tmp_path, urls))
    store = Store.open(registry.settings.database, tmp_path)
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in registry.sources), T)
    settings = check_settings(registry.settings)
    run_sources(registry, store, registry.sources, settings=settings, now=lambda: T)
    first = store.latest_results()
    assert first["gone"].result.verdict is Verdict.SOFT_404
    assert first["page0"].result.verdict is Verdict.OK

    reads: list[int] = []
    real = store.latest_results

    def counted(source_ids: Any = None, **options: Any) -> Any:
        reads.append(len(source_ids or ()))
        return real(source_ids, **options)

    monkeypatch.setattr(store, "latest_results", counted)
    later = T + timedelta(days=1)
    run_sources(registry, store, registry.sources, settings=settings, now=lambda: later)
    monkeypatch.undo()
    second = store.latest_results()
    assert [sid for sid in urls if not second[sid].result.not_modified] == []
    assert second["gone"].result.verdict is Verdict.SOFT_404, "the 304 kept the content verdict"
    assert second["gone"].result.reason.endswith("(unchanged since the previous check: 304)")
    assert second["page3"].result.verdict is Verdict.OK
    assert second["page3"].result.checked_at == later
    assert sum(reads) == len(urls) and len(reads) < len(urls), "read in batches, not one by one"


def _answer(source_id: str, *, not_modified: bool) -> CheckResult:
    return CheckResult(
        url=f"http://{source_id}.example/",
        verdict=Verdict.OK,
        reason="not modified since the previous check" if not_modified else "200 OK",
        checked_at=T,
        status=304 if not_modified else 200,
        not_modified=not_modified,
        source_id=source_id,
    )


class _Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_held_304s_are_released_by_count_by_age_and_at_the_end(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}", tmp_path)
    ticks = _Ticks()
    held = UnchangedResults(store, max_batch=3, max_delay_s=1.0, clock=ticks)
    fresh = _answer("a", not_modified=False)
    assert held.add(fresh) == [fresh], "an answer with a body is never held"
    assert held.add(_answer("b", not_modified=True)) == []
    assert held.add(_answer("c", not_modified=True)) == []
    released = held.add(_answer("d", not_modified=True))
    assert [r.source_id for r in released] == ["b", "c", "d"], "a full batch goes"
    assert held.add(_answer("e", not_modified=True)) == []
    ticks.now = 1.5
    assert [r.source_id for r in held.add(fresh)] == ["a", "e"], "an old one goes"
    assert held.add(_answer("f", not_modified=True)) == []
    assert [r.source_id for r in held.drain()] == ["f"]
    assert held.drain() == []


def test_a_304_after_a_failure_without_an_answer_keeps_the_last_answer(tmp_path: Path) -> None:
    # A timeout or a DNS failure leaves the validators as they were, so the next 304
    # refers to the last answer with a body, not to the failure in between.
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}", tmp_path)
    store.sync_sources([("s", "http://s.example/", None, None)], T)
    answered = _answer("s", not_modified=False).replace(
        verdict=Verdict.SOFT_404, reason="page says not found", etag='"v1"'
    )
    store.save_results(store.start_run(T, 1), [(answered, None)])
    failed = _answer("s", not_modified=False).replace(
        verdict=Verdict.TRANSIENT, reason="read timed out", status=None
    )
    store.save_results(store.start_run(T, 1), [(failed, None)])
    held = UnchangedResults(store)
    assert held.add(_answer("s", not_modified=True)) == []
    [kept] = held.drain()
    assert kept.verdict is Verdict.SOFT_404
    assert kept.reason == "page says not found (unchanged since the previous check: 304)"


def test_a_failing_run_raises_its_own_failure_even_when_the_store_fails_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = load_registry(write_project(tmp_path, {"a": "http://127.0.0.1:9/a"}))
    store = Store.open(registry.settings.database, tmp_path)
    store.sync_sources([("a", "http://127.0.0.1:9/a", None, None)], T)

    def interrupted(*_args: Any) -> Any:
        yield _answer("a", not_modified=False).replace(url="http://127.0.0.1:9/a")
        raise KeyboardInterrupt

    def disk_full(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(run_module, "_checked", interrupted)
    monkeypatch.setattr(store, "save_results", disk_full)
    settings = check_settings(registry.settings)
    with pytest.raises(KeyboardInterrupt):
        run_sources(registry, store, registry.sources, settings=settings, now=lambda: T)
