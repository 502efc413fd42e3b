"""One set of connection pools per run, shared by every worker thread: a host's
connections serve every thread's checks, and nothing of one check reaches another."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace

import pytest

from bench.farm import FarmSpec, running
from bench.site import Kind, Mix
from checks import netpolicy
from checks.check import check_url, new_connections, new_session
from checks.hosts import HostPolicy
from checks.model import CheckSettings, CheckTarget, ErrorKind, Verdict
from monitor.run import Checker
from tests.checks.conftest import loopback_resolver
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply


def redirect(location: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(302, headers={"Location": location, **(headers or {})}, content_type=None)


def in_threads(count: int, work: list[str], run: Callable[[str], None]) -> None:
    """``run(url)`` for every URL, split between ``count`` threads (each gets some)."""
    shares = [work[i::count] for i in range(count)]
    errors: list[BaseException] = []

    def worker(urls: list[str]) -> None:
        try:
            for url in urls:
                run(url)
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_threads_reuse_each_others_connections_to_a_host() -> None:
    settings = CheckSettings(allow_private=True, retries=0)
    spec = FarmSpec(urls=40, hosts=1, mix=Mix(ok=100, moved=0, gone=0, error=0))
    with running(spec) as farm:
        connections = new_connections(settings, per_host=8)
        hosts = HostPolicy(per_host=2)
        local = threading.local()
        verdicts: list[Verdict] = []

        def run(url: str) -> None:
            if not hasattr(local, "session"):
                local.session = new_session(settings, connections=connections)
            result = check_url(CheckTarget(url), settings, session=local.session, hosts=hosts)
            verdicts.append(result.verdict)

        in_threads(8, [link.url for link in farm.links], run)
        traffic = farm.traffic()
        connections.close()
    assert verdicts == [Verdict.OK] * 40
    assert traffic.by_status[200] == 40
    # Two requests at a time to the host, so two connections serve all eight threads
    # (one pool per thread would have opened one per thread).
    assert traffic.connections <= 2


def test_a_checks_cookies_never_reach_another_check_on_a_shared_connection(
    server: LoopbackServer, settings: CheckSettings
) -> None:
    server.route("/set", Reply(headers={"Set-Cookie": "tracker=1; Path=/"}, body=REPORT))
    server.route("/report", Reply(body=REPORT))
    # A redirect that sets a cookie and comes back: the cookie is used within the check.
    server.route("/gate", redirect("/behind", {"Set-Cookie": "visited=yes; Path=/"}))
    server.route(
        "/behind",
        lambda seen: (
            Reply(body=REPORT)
            if "visited=yes" in seen.headers.get("cookie", "")
            else Reply(403, body=b"no cookie")
        ),
    )
    connections = new_connections(settings, per_host=4)
    hosts = HostPolicy(per_host=2)
    local = threading.local()
    verdicts: list[Verdict] = []

    def run(path: str) -> None:
        if not hasattr(local, "session"):
            local.session = new_session(settings, connections=connections)
        result = check_url(
            CheckTarget(server.url(path)), settings, session=local.session, hosts=hosts
        )
        verdicts.append(result.verdict)

    in_threads(4, ["/set", "/report", "/gate", "/report"] * 10, run)
    # The pool container refuses plain iteration (not thread-safe); keys() is a copy.
    pools = [connections.poolmanager.pools[key] for key in connections.poolmanager.pools.keys()]  # noqa: SIM118
    connections.close()
    assert verdicts == [Verdict.OK] * 40
    # One pool for the host, and far fewer connections than requests: shared.
    assert len(pools) == 1
    assert pools[0].num_requests >= 40
    assert pools[0].num_connections <= 2
    reports = server.requests_to("/report")
    assert len(reports) == 20
    assert all("cookie" not in seen.headers for seen in reports)
    assert all(
        seen.headers.get("cookie") == "visited=yes" for seen in server.requests_to("/behind")
    )


def test_shared_connections_keep_the_network_policy(server: LoopbackServer) -> None:
    strict = CheckSettings(allow_private=False, retries=0)
    server.route("/report", Reply(body=REPORT))
    url = server.url("/report", host="docs.example")  # the resolver says 127.0.0.1
    connections = new_connections(strict, resolver=loopback_resolver)
    with new_session(strict, connections=connections) as session:
        result = check_url(CheckTarget(url), strict, session=session)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.POLICY
    assert "docs.example resolves to 127.0.0.1" in result.reason
    assert server.log == []


def test_shared_connections_looser_than_the_check_are_not_used(server: LoopbackServer) -> None:
    strict = CheckSettings(allow_private=False, retries=0)
    loose = replace(strict, allow_private=True)
    server.route("/report", Reply(body=REPORT))
    connections = new_connections(loose, resolver=loopback_resolver)
    with new_session(loose, connections=connections) as session:
        result = check_url(
            CheckTarget(server.url("/report", host="docs.example")), strict, session=session
        )
    assert result.verdict is Verdict.INVALID
    assert server.log == []


def test_checker_threads_share_connections_and_every_verdict_holds() -> None:
    settings = CheckSettings(allow_private=True, retries=0)
    spec = FarmSpec(urls=60, hosts=2, mix=Mix(ok=80, moved=10, gone=10, error=0))
    with running(spec) as farm:
        checker = Checker(settings, concurrency=8, per_host=2)
        expected = {link.url: link.expected for link in farm.links}
        targets = [CheckTarget(url) for url in expected]
        results = list(checker.check_all(targets))  # more targets than the queue holds
        traffic = farm.traffic()
    assert sorted(r.url for r in results) == sorted(expected)
    assert {r.url: r.verdict.value for r in results} == expected
    assert {link.kind for link in farm.links} == {Kind.OK, Kind.MOVED, Kind.GONE}
    # Two hosts, two requests at a time each: four connections at most for 8 threads.
    assert traffic.connections <= 4


def test_redirect_to_a_name_requests_refuses_is_invalid_not_a_crash(
    server: LoopbackServer, settings: CheckSettings, hosts: HostPolicy
) -> None:
    server.route("/away", redirect("http://*.example/page"))
    with new_session(settings, resolver=loopback_resolver) as session:
        result = check_url(CheckTarget(server.url("/away")), settings, session=session, hosts=hosts)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.INVALID_URL
    assert result.final_url == "http://*.example/page"


def test_deadline_watchdog_cuts_an_earlier_deadline_set_after_a_later_one() -> None:
    watchdog = netpolicy._Watchdog()
    late, late_peer = socket.socketpair()
    soon, soon_peer = socket.socketpair()
    with late, late_peer, soon, soon_peer:
        watchdog.watch(time.monotonic() + 3600, SimpleNamespace(sock=late))
        watchdog.watch(time.monotonic() + 0.05, SimpleNamespace(sock=soon))
        soon_peer.settimeout(10)
        assert soon_peer.recv(1) == b""  # shut down at its deadline
        late_peer.setblocking(False)
        with pytest.raises(BlockingIOError):
            late_peer.recv(1)  # still open: its deadline is an hour away


def _watchdog_runs() -> bool:
    from checks import netpolicy

    token = netpolicy._WATCHDOG.watch(time.monotonic() + 60, object())
    netpolicy._WATCHDOG.cancel(token)
    thread = netpolicy._WATCHDOG._thread
    return thread is not None and thread.is_alive()


def test_a_forked_worker_has_a_deadline_watchdog_of_its_own() -> None:
    # The parent's watchdog thread does not survive a fork; the worker must start one.
    assert _watchdog_runs()
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply(_watchdog_runs)
