"""The address policy: which URLs and addresses a check may reach."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence

import pytest

from checks.netpolicy import (
    AddressGuard,
    InvalidURL,
    PolicyViolation,
    Resolver,
    SockAddr,
    address_refusal,
    vet_url,
)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("100.64.0.1", "in the special-purpose range 100.64.0.0/10"),
        ("0.0.0.0", "the unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a private address"),
        ("192.0.0.192", "in the special-purpose range 192.0.0.0/24"),
        ("198.18.0.1", "a private address"),
        ("::1", "a loopback address"),
        ("::", "the unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("fc00::5", "a private address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("64:ff9b::a9fe:a9fe", "a cloud metadata address through NAT64"),
        ("2002:a9fe:a9fe::1", "in the special-purpose range 2002::/16"),
    ],
)
def test_non_public_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("example.org/page", "no scheme"),
        ("http:///path", "no host name"),
        ("http://exa mple.org/", "whitespace"),
        ("http://example.org/a\u00a0b", "whitespace"),  # no-break space
        ("http://example.org/a\u2028b", "whitespace"),  # line separator
        ("http://example.org/a\x85b", "whitespace"),  # next line
        ("http://example.org/a\x1fb", "control characters"),
        ("http://example.org/a\x00b", "control characters"),
        ("http://example.org:99999/", "malformed URL"),
        ("http://[::1/", "malformed URL"),
    ],
)
def test_unfetchable_urls_are_invalid(url: str, reason: str) -> None:
    with pytest.raises(InvalidURL) as info:
        vet_url(url, allow_private=False)
    assert reason in info.value.reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:10.0.0.1]/", "10.0.0.1 is a private address"),
        ("http://localhost:8000/", "localhost is a loopback name"),
        ("http://user:secret@example.org/", "URL carries user credentials"),
    ],
)
def test_policy_refuses_private_literals_and_credentials(url: str, reason: str) -> None:
    with pytest.raises(PolicyViolation) as info:
        vet_url(url, allow_private=False)
    assert reason in info.value.reason


def test_allow_private_lets_loopback_through_but_not_credentials() -> None:
    assert vet_url("http://127.0.0.1:8080/x", allow_private=True).port == 8080
    with pytest.raises(PolicyViolation):
        vet_url("http://u:p@127.0.0.1/", allow_private=True)


def _resolver(table: dict[str, list[str]], calls: list[str]) -> Resolver:
    def resolve(host: str, port: int) -> Sequence[SockAddr]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out: list[SockAddr] = []
        for ip in table[host]:
            if ":" in ip:
                out.append((socket.AF_INET6, (ip, port, 0, 0)))
            else:
                out.append((socket.AF_INET, (ip, port)))
        return out

    return resolve


def test_guard_refuses_a_name_that_resolves_into_private_space() -> None:
    calls: list[str] = []
    guard = AddressGuard(False, _resolver({"intranet.example": ["10.0.0.1"]}, calls))
    with pytest.raises(PolicyViolation) as info:
        guard.resolve("intranet.example", 80)
    assert info.value.reason == "intranet.example resolves to 10.0.0.1, a private address"
    assert calls == ["intranet.example"]


def test_guard_refuses_a_name_with_any_private_address_among_public_ones() -> None:
    calls: list[str] = []
    table = {"mixed.example": ["93.184.216.34", "::1"]}
    guard = AddressGuard(False, _resolver(table, calls))
    with pytest.raises(PolicyViolation, match="::1, a loopback address"):
        guard.resolve("mixed.example", 443)


def test_guard_returns_public_addresses_to_connect_to() -> None:
    calls: list[str] = []
    guard = AddressGuard(False, _resolver({"docs.example": ["93.184.216.34"]}, calls))
    assert guard.resolve("docs.example", 443) == [(socket.AF_INET, ("93.184.216.34", 443))]


def test_guard_answers_invalid_names_without_asking_the_resolver() -> None:
    calls: list[str] = []
    guard = AddressGuard(True, _resolver({}, calls))
    with pytest.raises(socket.gaierror):
        guard.resolve("nonexistent.invalid", 80)
    assert calls == []


def test_guard_checks_literal_addresses_without_resolving() -> None:
    calls: list[str] = []
    guard = AddressGuard(False, _resolver({}, calls))
    with pytest.raises(PolicyViolation, match=r"169\.254\.169\.254 is a cloud metadata address"):
        guard.resolve("169.254.169.254", 80)
    assert calls == []
