"""Fixtures for check tests: loopback servers (HTTP and HTTPS), a fake clock, a
strict ``responses`` mock, and a ``check`` function that wires them together."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
import trustme

from checks.hosts import HostPolicy
from checks.model import CheckResult, CheckSettings, CheckTarget
from checks.netpolicy import SockAddr
from tests.checks.server import LoopbackServer


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def loopback_resolver(host: str, port: int) -> Sequence[SockAddr]:
    """Every name resolves to 127.0.0.1 (so tests can use real-looking names)."""
    return [(socket.AF_INET, ("127.0.0.1", port))]


FAST = CheckSettings(
    allow_private=True,
    timeout_s=2.0,
    deadline_s=5.0,
    retries=2,
    backoff_base_s=0.01,
    retry_after_cap_s=5.0,
)


@pytest.fixture
def settings() -> CheckSettings:
    return FAST


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def hosts(fake_time: FakeTime) -> HostPolicy:
    return HostPolicy(per_host=2, clock=fake_time.clock, sleep=fake_time.sleep)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


Check = Callable[..., CheckResult]


@pytest.fixture
def check(settings: CheckSettings, hosts: HostPolicy) -> Iterator[Check]:
    """``check(url, settings=..., **target_fields)`` with a fresh session per call."""
    from checks.check import check_url, new_session

    sessions: list[requests.Session] = []

    def run(url: str, *, settings: CheckSettings = settings, **target: Any) -> CheckResult:
        session = new_session(settings, resolver=loopback_resolver)
        sessions.append(session)
        return check_url(CheckTarget(url=url, **target), settings, session=session, hosts=hosts)

    yield run
    for session in sessions:
        session.close()


# --- TLS ---


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(cert_pem: bytes, key_pem: bytes, tmp: Path) -> ssl.SSLContext:
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(key_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert_file), str(key_file))
    return ctx


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[Callable[[bytes, bytes], LoopbackServer]]:
    """``https_server(cert_chain_pem, key_pem)`` starts an HTTPS loopback server."""
    started: list[LoopbackServer] = []

    def start(cert_pem: bytes, key_pem: bytes) -> LoopbackServer:
        tmp = tmp_path / f"tls{len(started)}"
        tmp.mkdir()
        srv = LoopbackServer(server_context(cert_pem, key_pem, tmp)).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def tls_settings(ca_bundle: str) -> CheckSettings:
    return replace(FAST, ca_bundle=ca_bundle, retries=0)


# --- responses (strict) ---


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """A strict ``responses`` mock: every registered response must be used, and a
    request that matches none fails the test (instead of passing as "broken")."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock
        unmatched = [
            call.request.url
            for call in mock.calls
            if "Connection refused by Responses" in str(call.response)
        ]
        assert not unmatched, f"requests matched no mock: {unmatched}"
