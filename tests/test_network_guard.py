"""The guard itself: loopback works, anything else is refused and would fail the test."""

from __future__ import annotations

import socket

import pytest

from tests.network_guard import NetworkUsed


def test_outside_names_do_not_resolve() -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.org", 80)
    assert socket.getaddrinfo("localhost", 80)


def test_outside_connections_fail_the_test(loopback_only: list[str]) -> None:
    with socket.socket() as sock, pytest.raises(NetworkUsed):
        sock.connect(("192.0.2.1", 80))
    assert loopback_only == ["('192.0.2.1', 80)"]
    loopback_only.clear()  # this test meant to try; others would fail at teardown
