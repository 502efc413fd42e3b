"""Opening connections: a name whose addresses all drop packets stays within the
check's deadline, and an http:// URL whose host no longer listens for plain http is
tried over https, as browsers do."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

import pytest
import trustme

from checks.check import check_url, new_session
from checks.hosts import HostPolicy
from checks.model import CheckResult, CheckSettings, CheckTarget, ErrorKind, Verdict
from checks.netpolicy import SockAddr
from tests.checks.conftest import FAST
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply, free_port
from tests.checks.test_check_tls import StartHttps, pems


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A loopback port that drops connection attempts: its listener's queue is full
    and nobody accepts, so (on Linux) further SYNs go unanswered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port: int = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    dropped = False
    for _ in range(4):
        filler = socket.socket()
        filler.settimeout(0.2)
        fillers.append(filler)
        try:
            filler.connect(("127.0.0.1", port))
        except TimeoutError:
            dropped = True
            break
    if not dropped:
        pytest.skip("this system answers connections past a full listen queue")
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


def test_addresses_that_drop_packets_share_the_deadline(blackhole: int) -> None:
    settings = replace(FAST, timeout_s=1.0, deadline_s=1.5, retries=0)

    def six_addresses(host: str, port: int) -> Sequence[SockAddr]:
        return [(socket.AF_INET, ("127.0.0.1", blackhole))] * 6

    started = time.monotonic()
    with new_session(settings, resolver=six_addresses) as session:
        result = check_url(
            CheckTarget(f"http://many.example:{blackhole}/report"), settings, session=session
        )
    took = time.monotonic() - started
    assert result.verdict is Verdict.TRANSIENT
    assert result.error_kind is ErrorKind.DEADLINE
    assert took < 2.5  # each address taking the whole connect timeout: 6 s


# --- http:// on a host that serves only https ---


def check_on_ports(
    url: str, settings: CheckSettings, hosts: HostPolicy, ports: dict[int, int]
) -> CheckResult:
    """Check ``url`` with every name on loopback and the default ports mapped."""

    def resolver(host: str, port: int) -> Sequence[SockAddr]:
        return [(socket.AF_INET, ("127.0.0.1", ports.get(port, port)))]

    with new_session(settings, resolver=resolver) as session:
        return check_url(CheckTarget(url), settings, session=session, hosts=hosts)


@pytest.fixture
def secure(ca: trustme.CA, https_server: StartHttps) -> LoopbackServer:
    srv = https_server(*pems(ca.issue_cert("docs.example")))
    srv.route("/oig/report", Reply(body=REPORT))
    return srv


def test_http_refused_but_https_answering_is_moved(
    secure: LoopbackServer, tls_settings: CheckSettings, hosts: HostPolicy
) -> None:
    settings = replace(tls_settings, retries=2)
    ports = {80: free_port(), 443: secure.port}
    result = check_on_ports("http://docs.example/oig/report", settings, hosts, ports)
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == "https://docs.example/oig/report"
    assert [(h.url, h.status, h.location) for h in result.hops] == [
        ("http://docs.example/oig/report", 307, "https://docs.example/oig/report")
    ]
    assert "plain http could not connect (connection refused); https answered" in result.warnings
    assert result.tls_expires_at is not None


def test_http_and_https_both_refused_is_broken_as_before(
    tls_settings: CheckSettings, hosts: HostPolicy
) -> None:
    settings = replace(tls_settings, retries=2)
    ports = {80: free_port(), 443: free_port()}
    result = check_on_ports("http://docs.example/oig/report", settings, hosts, ports)
    assert result.verdict is Verdict.BROKEN
    assert result.reason == "connection refused (after 2 attempts)"
    assert result.final_url == "http://docs.example/oig/report"
    assert result.hops == ()


def test_http_on_a_port_of_its_own_is_not_tried_over_https(
    secure: LoopbackServer, tls_settings: CheckSettings, hosts: HostPolicy
) -> None:
    closed = free_port()
    ports = {443: secure.port}
    result = check_on_ports(f"http://docs.example:{closed}/oig/report", tls_settings, hosts, ports)
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.REFUSED
    assert secure.log == []


def test_https_that_sends_to_another_site_does_not_replace_a_refused_http(
    secure: LoopbackServer, tls_settings: CheckSettings, hosts: HostPolicy
) -> None:
    # The host's default site answers every name it serves by sending to its owner.
    secure.route("/oig/report", Reply(302, headers={"Location": "https://hosting.example/"}))
    ports = {80: free_port(), 443: secure.port}
    result = check_on_ports("http://docs.example/oig/report", tls_settings, hosts, ports)
    assert (result.verdict, result.error_kind) == (Verdict.BROKEN, ErrorKind.REFUSED)
    assert result.final_url == "http://docs.example/oig/report"
    assert result.hops == ()
    assert not any(w.startswith("plain http could not connect") for w in result.warnings)


def test_https_that_adds_www_still_replaces_a_refused_http(
    ca: trustme.CA, https_server: StartHttps, tls_settings: CheckSettings, hosts: HostPolicy
) -> None:
    srv = https_server(*pems(ca.issue_cert("docs.example", "www.docs.example")))
    to_www = Reply(301, headers={"Location": "https://www.docs.example/oig/report"})
    srv.route(
        "/oig/report",
        lambda seen: Reply(body=REPORT) if seen.headers["host"].startswith("www.") else to_www,
    )
    ports = {80: free_port(), 443: srv.port}
    result = check_on_ports("http://docs.example/oig/report", tls_settings, hosts, ports)
    assert result.verdict is Verdict.MOVED
    assert result.final_url == "https://www.docs.example/oig/report"


@pytest.mark.parametrize(
    "cited", ["http://bücher.example/katalog", "http://BÜCHER.example./katalog"]
)
def test_https_on_a_unicode_host_that_adds_a_slash_still_replaces_a_refused_http(
    ca: trustme.CA,
    https_server: StartHttps,
    tls_settings: CheckSettings,
    hosts: HostPolicy,
    cited: str,
) -> None:
    # The redirect's host is sent encoded (xn--...), the cited one is written in
    # Unicode (or with the root's trailing dot): the same site all the same.
    srv = https_server(*pems(ca.issue_cert("xn--bcher-kva.example")))
    srv.route("/katalog", Reply(301, headers={"Location": "/katalog/"}))
    srv.route("/katalog/", Reply(body=REPORT))
    ports = {80: free_port(), 443: srv.port}
    result = check_on_ports(cited, tls_settings, hosts, ports)
    assert result.verdict is Verdict.MOVED
    assert (result.final_url or "").startswith("https://xn--bcher-kva.example")
    assert (result.final_url or "").endswith("/katalog/")


def test_http_reached_from_another_site_is_not_upgraded(
    secure: LoopbackServer, server: LoopbackServer, tls_settings: CheckSettings, hosts: HostPolicy
) -> None:
    server.route("/oig/report", Reply(301, headers={"Location": "http://docs.example/oig/report"}))
    refused = free_port()

    def resolver(host: str, port: int) -> Sequence[SockAddr]:
        ports = {("old.example", 80): server.port, ("docs.example", 80): refused}
        return [(socket.AF_INET, ("127.0.0.1", ports.get((host, port), secure.port)))]

    with new_session(tls_settings, resolver=resolver) as session:
        target = CheckTarget("http://old.example/oig/report")
        result = check_url(target, tls_settings, session=session, hosts=hosts)
    assert (result.verdict, result.error_kind) == (Verdict.BROKEN, ErrorKind.REFUSED)
    assert secure.log == []
