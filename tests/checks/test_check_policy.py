"""The network policy end to end: private targets refused before any byte is sent,
whether named directly, through DNS, or through a redirect."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
import requests
import responses

from checks import netpolicy
from checks.check import check_url, new_session
from checks.hosts import HostPolicy
from checks.model import CheckSettings, CheckTarget, ErrorKind, Verdict
from checks.netpolicy import GuardedAdapter, SockAddr
from tests.checks.conftest import Check, loopback_resolver
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply


@pytest.fixture
def strict(settings: CheckSettings) -> CheckSettings:
    return replace(settings, allow_private=False)


def test_loopback_address_is_refused_without_a_request(
    server: LoopbackServer, check: Check, strict: CheckSettings
) -> None:
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/report"), settings=strict)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.POLICY
    assert result.reason == "refused by the network policy: 127.0.0.1 is a loopback address"
    assert server.log == []


def test_name_resolving_to_loopback_is_refused_at_connect_time(
    server: LoopbackServer, check: Check, strict: CheckSettings
) -> None:
    server.route("/report", Reply(body=REPORT))
    # The check fixture's resolver maps every name to 127.0.0.1.
    result = check(server.url("/report", host="docs.example"), settings=strict)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.POLICY
    assert result.reason == (
        "refused by the network policy: docs.example resolves to 127.0.0.1, a loopback address"
    )
    assert server.log == []


def test_redirect_to_metadata_address_is_refused(
    mocked: responses.RequestsMock, strict: CheckSettings
) -> None:
    mocked.get(
        "http://public.example/report",
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
    )
    with new_session(strict) as session:
        result = check_url(CheckTarget("http://public.example/report"), strict, session=session)
    assert result.verdict is Verdict.INVALID
    assert result.reason == (
        "refused by the network policy: 169.254.169.254 is a cloud metadata address"
    )
    assert [(h.status, h.location) for h in result.hops] == [
        (302, "http://169.254.169.254/latest/meta-data/")
    ]
    assert len(mocked.calls) == 1


def test_redirect_to_a_name_in_private_space_is_refused_before_connecting(
    mocked: responses.RequestsMock, strict: CheckSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    mocked.get(
        "http://public.example/report",
        status=301,
        headers={"Location": "http://intranet.example/admin"},
    )
    # The second hop goes past the mock to the real adapter, whose guard resolves it.
    mocked.add_passthru("http://intranet.example")
    resolved: list[str] = []
    connects: list[Any] = []

    def resolver(host: str, port: int) -> Sequence[SockAddr]:
        resolved.append(host)
        return [(socket.AF_INET, ("10.0.0.1", port))]

    monkeypatch.setattr(netpolicy, "_connect_first", lambda *a: connects.append(a))
    with new_session(strict, resolver=resolver) as session:
        result = check_url(CheckTarget("http://public.example/report"), strict, session=session)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.POLICY
    assert result.reason == (
        "refused by the network policy: intranet.example resolves to 10.0.0.1, a private address"
    )
    assert resolved == ["intranet.example"]
    assert connects == []
    assert len(mocked.calls) == 1


def test_redirect_carrying_credentials_is_refused(
    mocked: responses.RequestsMock, strict: CheckSettings
) -> None:
    mocked.get(
        "http://public.example/report",
        status=302,
        headers={"Location": "http://user:pw@other.example/"},
    )
    with new_session(strict) as session:
        result = check_url(CheckTarget("http://public.example/report"), strict, session=session)
    assert result.verdict is Verdict.INVALID
    assert result.reason == "refused by the network policy: URL carries user credentials"


def test_redirect_to_another_scheme_is_invalid(
    mocked: responses.RequestsMock, strict: CheckSettings
) -> None:
    mocked.get(
        "http://public.example/report",
        status=302,
        headers={"Location": "ftp://files.example/report.pdf"},
    )
    with new_session(strict) as session:
        result = check_url(CheckTarget("http://public.example/report"), strict, session=session)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.INVALID_URL
    assert result.reason.startswith("unsupported scheme 'ftp'")
    assert result.final_url == "ftp://files.example/report.pdf"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/report.pdf", "unsupported scheme 'ftp'"),
        ("mailto:someone@example.org", "unsupported scheme 'mailto'"),
        ("http://exa mple.org/", "malformed URL"),
        ("http://[::1/", "malformed URL"),
        ("not a url", "malformed URL"),
    ],
)
def test_malformed_and_unsupported_urls_are_invalid(
    check: Check, strict: CheckSettings, url: str, reason: str
) -> None:
    result = check(url, settings=strict)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.INVALID_URL
    assert result.reason.startswith(reason)


def test_a_plain_session_is_given_the_guard(
    server: LoopbackServer, settings: CheckSettings, hosts: HostPolicy
) -> None:
    server.route("/report", Reply(body=REPORT))
    with requests.Session() as session:
        result = check_url(
            CheckTarget(server.url("/report")), settings, session=session, hosts=hosts
        )
        assert isinstance(session.get_adapter(server.url("/report")), GuardedAdapter)
    assert result.verdict is Verdict.OK


def test_a_session_with_a_looser_policy_is_tightened(
    server: LoopbackServer, settings: CheckSettings, strict: CheckSettings, hosts: HostPolicy
) -> None:
    server.route("/report", Reply(body=REPORT))
    url = server.url("/report", host="docs.example")
    with new_session(settings, resolver=loopback_resolver) as loose:  # allow_private=True
        result = check_url(CheckTarget(url), strict, session=loose, hosts=hosts)
    assert result.verdict is Verdict.INVALID
    assert "docs.example resolves to 127.0.0.1" in result.reason
    assert server.log == []


def test_malformed_redirect_location_is_invalid(
    mocked: responses.RequestsMock, strict: CheckSettings
) -> None:
    mocked.get("http://public.example/report", status=302, headers={"Location": "http://[::1/x"})
    with new_session(strict) as session:
        result = check_url(CheckTarget("http://public.example/report"), strict, session=session)
    assert result.verdict is Verdict.INVALID
    assert result.error_kind is ErrorKind.INVALID_URL
    assert result.reason == "malformed URL in redirect: 'http://[::1/x'"
