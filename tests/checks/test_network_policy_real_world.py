"""The network policy against what real networks and archives produce: DNS64 answers on
IPv6-only hosts, and mementos that a Memento archive lists on other hosts."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
import requests

from checks import netpolicy
from checks.archive import ArchiveLimiter, find_fallback
from checks.archive.config import ArchiveConfig
from checks.check import check_url, new_session
from checks.hosts import HostPolicy
from checks.model import ArchiveStatus, CheckSettings, CheckTarget, Verdict
from checks.netpolicy import AddressGuard, PolicyViolation, SockAddr, address_refusal
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply, Seen

# --- DNS64: an IPv4-only site seen from an IPv6-only network ---------------------------

# What a DNS64 resolver answers for an IPv4-only name whose A record is 93.184.216.34:
# the synthesised AAAA in the well-known NAT64 prefix, and the A record itself.
DNS64_ANSWER: list[SockAddr] = [
    (socket.AF_INET6, ("64:ff9b::5db8:d822", 443, 0, 0)),
    (socket.AF_INET, ("93.184.216.34", 443)),
]


def test_a_dns64_answer_for_a_public_site_is_connected_to() -> None:
    guard = AddressGuard(allow_private=False, resolver=lambda host, port: DNS64_ANSWER)
    assert guard.resolve("www.ipv4-only.example", 443) == DNS64_ANSWER


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("64:ff9b::a9fe:a9fe", "a cloud metadata address through NAT64"),
        ("64:ff9b::7f00:1", "a loopback address through NAT64"),
        ("64:ff9b::a00:1", "a private address through NAT64"),
        ("64:ff9b::6440:1", "in the special-purpose range 100.64.0.0/10 through NAT64"),
        ("64:ff9b::", "the unspecified address through NAT64"),
        ("64:ff9b:1::a9fe:a9fe", "in the special-purpose range 64:ff9b:1::/48"),
    ],
)
def test_a_nat64_address_is_judged_by_the_ipv4_address_it_carries(address: str, kind: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == kind


def test_a_dns64_name_carrying_a_private_address_is_still_refused() -> None:
    def resolver(host: str, port: int) -> Sequence[SockAddr]:
        return [(socket.AF_INET6, ("64:ff9b::a00:5", port, 0, 0))]

    with pytest.raises(PolicyViolation) as info:
        AddressGuard(allow_private=False, resolver=resolver).resolve("intranet.example", 80)
    assert info.value.reason == (
        "intranet.example resolves to 64:ff9b::a00:5, a private address through NAT64"
    )


def test_a_source_reached_through_dns64_is_checked(
    server: LoopbackServer,
    settings: CheckSettings,
    hosts: HostPolicy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.route("/report", Reply(body=REPORT))
    strict = replace(settings, allow_private=False)
    connect_first = netpolicy._connect_first
    offered: list[SockAddr] = []

    def through_nat64(addresses: Sequence[SockAddr], *rest: Any) -> socket.socket:
        # The NAT64 gateway of the network: here, the loopback server.
        offered.extend(addresses)
        return connect_first([(socket.AF_INET, ("127.0.0.1", server.port))], *rest)

    def dns64(host: str, port: int) -> Sequence[SockAddr]:
        return [(socket.AF_INET6, ("64:ff9b::5db8:d822", port, 0, 0))]

    monkeypatch.setattr(netpolicy, "_connect_first", through_nat64)
    url = server.url("/report", host="www.ipv4-only.example")
    with new_session(strict, resolver=dns64) as session:
        result = check_url(CheckTarget(url), strict, session=session, hosts=hosts)
    assert result.verdict is Verdict.OK, result.reason
    assert offered == [(socket.AF_INET6, ("64:ff9b::5db8:d822", server.port, 0, 0))]
    assert len(server.requests_to("/report")) == 1


# --- Mementos listed on hosts other than the configured archive -------------------------

SOURCE = "https://www.example.org/report"
MEMENTO_DATE = "Sat, 30 May 2015 10:10:10 GMT"


@pytest.fixture
def gate() -> Iterator[LoopbackServer]:
    """A Memento archive (the configured one) on loopback."""
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    """Another service on the network, which a TimeMap names as holding a memento."""
    srv = LoopbackServer().start()
    srv.route(
        "/latest/meta-data/", Reply(body=b"secret", headers={"Memento-Datetime": MEMENTO_DATE})
    )
    yield srv
    srv.stop()


def _lists(gate: LoopbackServer, *mementos: str, older: str | None = None) -> None:
    """The archive's TimeMap lists ``mementos`` (and ``older``, a year before them)."""
    lines = [f'<{SOURCE}>; rel="original"'] + [
        f'<{uri}>; rel="memento"; datetime="{MEMENTO_DATE}"' for uri in mementos
    ]
    if older is not None:
        lines.append(f'<{older}>; rel="memento"; datetime="Fri, 30 May 2014 10:10:10 GMT"')

    def timemap(_seen: Seen) -> Reply:
        return Reply(body=",\n".join(lines).encode(), content_type="application/link-format")

    gate.route(f"/gate/timemap/link/{SOURCE}", timemap)


def _lookup(gate: LoopbackServer, **changes: Any) -> Any:
    config = replace(
        ArchiveConfig(wayback=None, memento=(gate.url("/gate/"),), timeout_s=3.0), **changes
    )
    with requests.Session() as session:
        return find_fallback(
            CheckTarget(SOURCE),
            config,
            session=session,
            limiter=ArchiveLimiter.from_config(config),
        )


def test_a_memento_listed_at_a_private_address_is_not_fetched(
    gate: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    listed = elsewhere.url("/latest/meta-data/")
    _lists(gate, listed)
    fallback = _lookup(gate)
    assert elsewhere.log == []
    assert fallback.status is ArchiveStatus.NONE
    assert fallback.url is None
    assert [(c.url, c.reason) for c in fallback.candidates] == [
        (listed, "refused by the network policy: 127.0.0.1 is a loopback address")
    ]


def test_a_memento_host_resolving_into_private_space_is_refused_at_connect_time(
    gate: LoopbackServer, elsewhere: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = elsewhere.url("/latest/meta-data/", host="mementos.example")
    _lists(gate, listed)
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # A public-looking name whose DNS answer is a loopback address.
        return real_getaddrinfo(
            "127.0.0.1" if host == "mementos.example" else host, *args, **kwargs
        )

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    fallback = _lookup(gate)
    assert elsewhere.log == []
    assert [c.reason for c in fallback.candidates] == [
        "refused by the network policy: mementos.example resolves to 127.0.0.1, a loopback address"
    ]


def test_a_refused_memento_does_not_hide_a_good_one_on_the_archive(
    gate: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    on_archive = gate.url("/gate/20140530101010/report")
    gate.route(
        "/gate/20140530101010/report",
        Reply(body=REPORT, headers={"Memento-Datetime": "Fri, 30 May 2014 10:10:10 GMT"}),
    )
    # Without an access date the newest memento, the one elsewhere, comes first.
    _lists(gate, elsewhere.url("/latest/meta-data/"), older=on_archive)
    fallback = _lookup(gate)
    assert elsewhere.log == []
    assert fallback.status is ArchiveStatus.VERIFIED
    assert fallback.url == on_archive


def test_mementos_elsewhere_skip_environment_proxies(
    gate: LoopbackServer, elsewhere: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = LoopbackServer().start()
    try:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url("/"))
        # The configured archive is reached directly, as its operator set up.
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        _lists(gate, elsewhere.url("/latest/meta-data/", host="mementos.example"))
        real_getaddrinfo = socket.getaddrinfo

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            return real_getaddrinfo(
                "127.0.0.1" if host == "mementos.example" else host, *args, **kwargs
            )

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        # Private targets allowed (an intranet): the memento is fetched, but from the
        # address its name resolves to, which the policy vetted, not through a proxy.
        _lookup(gate, allow_private=True)
    finally:
        proxy.stop()
    assert proxy.log == []
    assert [seen.path for seen in elsewhere.log] == ["/latest/meta-data/"]
