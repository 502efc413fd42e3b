"""The read-only web server on an ephemeral loopback port."""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from bs4 import BeautifulSoup
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from checks.model import ArchiveStatus, Verdict
from monitor.dashboard import write_dashboard
from monitor.state import Health
from monitor.web import WorkspaceLoader, make_server
from monitor.workspace import Workspace
from tests.dashboard.project import HOSTILE, NOW, PLAN, SECOND_DOC_ORDER, serve

ENDPOINTS = (
    "/",
    "/index.html",
    "/sources/src-ok.html",
    "/documents/second.html",
    "/published/sheet.html",
    "/api/status.json",
    "/api/badge/sheet.json",
    "/metrics",
    "/healthz",
)


def get(base: str, path: str, **kw: Any) -> requests.Response:
    return requests.get(base + path, timeout=10, **kw)


def test_binds_loopback_by_default(project: Workspace) -> None:
    server = make_server(lambda: project, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_endpoint_answers_with_security_headers(base: str, path: str) -> None:
    response = get(base, path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    if response.headers["Content-Type"].startswith("text/html"):
        assert "'sha256-" in policy  # the page's own stylesheet, by hash
        assert int(response.headers["Content-Length"]) == len(response.content)


def test_pages_are_rendered_from_the_store(base: str, project: Workspace) -> None:
    page = BeautifulSoup(get(base, "/").text, "lxml")
    assert len(page.select("#sources tbody tr")) == len(project.registry.sources)
    assert HOSTILE in page.get_text() and "<script>alert" not in get(base, "/").text
    source = BeautifulSoup(get(base, "/sources/src-broken.html").text, "lxml")
    assert source.find("svg") is not None
    assert source.h1.get_text() == "Gone report"  # type: ignore[union-attr]
    document = BeautifulSoup(get(base, "/documents/second.html").text, "lxml")
    assert len(document.select("tbody tr")) == len(SECOND_DOC_ORDER)
    published = BeautifulSoup(get(base, "/published/sheet.html").text, "lxml")
    assert len(published.select("article .mark")) == len(PLAN) + 1
    assert (
        "script-src 'none'" in get(base, "/published/sheet.html").headers["Content-Security-Policy"]
    )


def test_served_index_agrees_with_the_written_one(
    base: str, project: Workspace, tmp_path: Path
) -> None:
    write_dashboard(project, project.status(), tmp_path, NOW)

    def rows(html: str) -> list[dict[str, Any]]:
        block = BeautifulSoup(html, "lxml").find("script", id="dashboard-data")
        return list(json.loads(block.string or "")["rows"])  # type: ignore[union-attr]

    written = rows((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert rows(get(base, "/").text) == written
    assert {r["health"] for r in written} >= {"dead", "suspect", "healthy", "unknown"}


def test_serving_never_checks_or_writes_results(base: str, project: Workspace) -> None:
    store = project.store()
    before = (store.count_results(), len(store.runs()))
    for path in ENDPOINTS:
        get(base, path)
    assert (store.count_results(), len(store.runs())) == before


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/sources/unknown.html",
        "/documents/unknown.html",
        "/sources/../registry.yaml",
        "/sources/%2e%2e%2fregistry.yaml.html",
        "/api/status",
        "/index.html/",
    ],
)
def test_unknown_paths_are_404(base: str, path: str) -> None:
    response = get(base, path)
    assert response.status_code == 404
    assert "registry" not in response.text


def test_status_json_is_the_status_document(base: str, project: Workspace) -> None:
    response = get(base, "/api/status.json")
    assert response.headers["Content-Type"].startswith("application/json")
    served = response.json()
    expected = json.loads(json.dumps(project.status()))
    assert served == expected
    assert served["totals"]["sources"] == len(PLAN) + 1


def test_badge_json_follows_the_shields_endpoint_schema(base: str, project: Workspace) -> None:
    status = project.status()
    for document in ("sheet", "second"):
        found = get(base, f"/api/badge/{document}.json").json()
        assert set(found) >= {"schemaVersion", "label", "message", "color"}
        assert found["schemaVersion"] == 1 and found["label"] == "citations"
        failing = sum(
            1
            for s in status["sources"]
            if s["failing"] and any(c["document"] == document for c in s["citations"])
        )
        assert failing and found["message"] == f"{failing} failing"
        assert found["color"] == "red"
    unknown = get(base, "/api/badge/nope.json")
    assert unknown.status_code == 404
    assert unknown.json()["isError"] is True


def test_metrics_parse_and_carry_no_url_or_source_label(base: str, project: Workspace) -> None:
    response = get(base, "/metrics")
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    samples = [s for f in families.values() for s in f.samples]
    allowed = {"verdict", "health", "status"}
    source_ids = {s.id for s in project.registry.sources}
    for sample in samples:
        assert set(sample.labels) <= allowed, sample
        for value in sample.labels.values():
            assert "://" not in value and value not in source_ids

    def values(family: str, label: str) -> dict[str, float]:
        return {s.labels[label]: s.value for s in families[family].samples}

    by_verdict = values("citation_monitor_sources", "verdict")
    assert set(by_verdict) == {v.value for v in Verdict} | {"unchecked"}
    assert sum(by_verdict.values()) == len(project.registry.sources)
    assert by_verdict["broken"] == 2 and by_verdict["unchecked"] == 1
    store = project.store()
    healths = values("citation_monitor_sources_health", "health")
    expected = {h.value: 0 for h in Health}
    for source in project.registry.sources:
        expected[store.health(source.id).health.value] += 1
    assert healths == expected
    archives = values("citation_monitor_archive_fallbacks", "status")
    assert set(archives) == {s.value for s in ArchiveStatus}
    assert archives["verified"] == 1 and archives["unverified"] == 1
    results = families["citation_monitor_results"]
    assert results.type == "counter"
    assert results.samples[0].value == store.count_results()
    run = store.last_run(finished_only=True)
    assert run is not None and run.finished_at is not None
    stamp = families["citation_monitor_last_run_timestamp_seconds"].samples[0].value
    assert stamp == run.finished_at.timestamp()
    duration = families["citation_monitor_last_run_duration_seconds"].samples[0].value
    assert duration == (run.finished_at - run.started_at).total_seconds()


def test_head_sends_the_headers_without_a_body(base: str) -> None:
    for path in ("/", "/api/status.json", "/metrics"):
        got = get(base, path)
        head = requests.head(base + path, timeout=10)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["Content-Length"] == str(len(got.content))
        assert head.headers["Content-Type"] == got.headers["Content-Type"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"])
def test_other_methods_are_refused_with_405(base: str, method: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, "/api/status.json", body=b"x=1")
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert b"read-only" in body


def test_a_failing_request_gives_500_without_details(tmp_path: Path) -> None:
    def broken() -> Workspace:
        raise RuntimeError("secret database password in /etc/x")

    for url in serve(broken):
        response = get(url, "/")
        assert response.status_code == 500
        assert "secret" not in response.text


def test_loader_reloads_a_changed_registry_and_keeps_the_last_good_one(
    fresh_project: Workspace,
) -> None:
    path = fresh_project.registry.path
    loader = WorkspaceLoader(path)
    try:
        first = loader()
        assert loader() is first
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: Fact sheet", "title: Renamed sheet"), "utf-8")
        bump(path)
        second = loader()
        assert second is not first
        assert second.registry.documents[0].title == "Renamed sheet"
        path.write_text(text + "\nsources: [oops\n", "utf-8")
        bump(path)
        assert loader() is second
    finally:
        loader.close()


def bump(path: Path) -> None:
    """Move the file's modification time on, whatever the file system's resolution."""
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


def test_now_is_the_workspace_clock(base: str) -> None:
    assert get(base, "/api/status.json").json()["generated_at"] == NOW.isoformat()


PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e0a2d5d10000000049454e44ae426082"
)


def test_a_served_fact_sheet_is_the_page_publish_writes(fresh_project: Workspace) -> None:
    """Its pictures, links to the other documents, title and language included."""
    from monitor.publish import publish_documents

    sheet = fresh_project.registry.documents[0].path
    (sheet.parent / "logo.png").write_bytes(PIXEL)
    sheet.write_text(
        "![Logo](logo.png) See also [the brief](second.md).\n\n" + sheet.read_text("utf-8"),
        encoding="utf-8",
    )
    out = fresh_project.reports_dir / "published"
    written = {
        p.name: p.read_text("utf-8")
        for p in publish_documents(fresh_project, fresh_project.status(), out)
    }
    assert 'src="data:image/png;base64,' in written["sheet.html"]
    assert 'href="second.html"' in written["sheet.html"]
    for served in serve(lambda: fresh_project):
        assert get(served, "/published/sheet.html").text == written["sheet.html"]
