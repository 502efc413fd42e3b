"""Smoke test of the benchmark's link farm: it starts, serves its status mix, stops."""

from __future__ import annotations

import http.client
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.farm import Farm, FarmSpec, running
from bench.inputs import Limits, write_inputs
from bench.site import Kind, Link, Mix


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    with running(FarmSpec(urls=40, hosts=2, mix=Mix(ok=50, moved=20, gone=20, error=10))) as f:
        yield f


def _get(
    link: Link, path: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(link.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request("GET", path or parts.path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_mix_has_exact_shares_in_a_seeded_order() -> None:
    kinds = Mix(ok=50, moved=20, gone=20, error=10).kinds(40, seed=3)
    assert Counter(kinds) == {Kind.OK: 20, Kind.MOVED: 8, Kind.GONE: 8, Kind.ERROR: 4}
    assert kinds == Mix(ok=50, moved=20, gone=20, error=10).kinds(40, seed=3)
    assert kinds != Mix(ok=50, moved=20, gone=20, error=10).kinds(40, seed=4)


def test_serves_every_kind_over_the_loopback_hosts(farm: Farm) -> None:
    farm.reset()
    seen: dict[Kind, set[int]] = {}
    hosts = set()
    for link in farm.links:
        status, headers, body = _get(link)
        seen.setdefault(link.kind, set()).add(status)
        hosts.add(urlsplit(link.url).hostname)
        if link.kind is Kind.MOVED:
            target = headers["Location"]
            assert _get(link, target)[0] == 200
        if link.kind is Kind.OK:
            assert b"<title>" in body and headers["ETag"]
    assert seen == {Kind.OK: {200}, Kind.MOVED: {301}, Kind.GONE: {404}, Kind.ERROR: {500}}
    assert hosts == {"127.0.0.2", "127.0.0.3"}
    traffic = farm.traffic()
    assert traffic.requests == 40 + 8  # every URL, plus the redirect targets
    assert traffic.by_status == {200: 28, 301: 8, 404: 8, 500: 4}
    assert traffic.bytes_sent > traffic.body_bytes > 0


def test_unknown_paths_are_not_found(farm: Farm) -> None:
    link = farm.links[0]
    assert _get(link, "/ok/xq7ZkP2")[0] == 404
    assert _get(link, "/ok/999999")[0] == 404


def test_conditional_requests_get_304_without_a_body(farm: Farm) -> None:
    page = next(link for link in farm.links if link.kind is Kind.OK)
    _, headers, _ = _get(page)
    farm.reset()
    by_etag = _get(page, headers={"If-None-Match": headers["ETag"]})
    by_date = _get(page, headers={"If-Modified-Since": headers["Last-Modified"]})
    changed = _get(page, headers={"If-None-Match": '"another"'})
    assert (by_etag[0], by_etag[2]) == (304, b"")
    assert (by_date[0], by_date[2]) == (304, b"")
    assert changed[0] == 200
    traffic = farm.traffic()
    assert traffic.not_modified == 2
    assert traffic.per_path[urlsplit(page.url).path][0] == 3


def test_keeps_connections_alive(farm: Farm) -> None:
    farm.reset()
    link = farm.links[0]
    parts = urlsplit(link.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        for _ in range(3):
            connection.request("GET", parts.path)
            connection.getresponse().read()
    finally:
        connection.close()
    traffic = farm.traffic()
    assert (traffic.requests, traffic.connections) == (3, 1)


def test_writes_the_same_urls_for_every_tool(farm: Farm, tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path, farm.links, Limits(concurrency=4, per_host=2))
    registry = inputs.registry.read_text(encoding="utf-8")
    for text in (registry, inputs.markdown.read_text(), inputs.html.read_text()):
        assert all(link.url in text for link in farm.links)
    assert "allow_private: true" in registry and "per_host: 2" in registry
    truth = inputs.truth.read_text().splitlines()[1:]
    assert [row.split("\t")[1] for row in truth] == [link.expected for link in farm.links]


def test_stops_serving() -> None:
    farm = Farm(FarmSpec(urls=2, hosts=1)).start()
    link = farm.links[0]
    assert _get(link)[0] == 200
    farm.stop()
    with pytest.raises(ConnectionRefusedError):
        _get(link)
