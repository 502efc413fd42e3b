"""Telling a dead web from a dead network of our own.

When most distinct hosts fail at the network level at once, the failures say more about
the monitor's own connection than about the sources, so the run is inconclusive.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from checks.model import CheckResult, ErrorKind

MIN_HOSTS = 3
FAILING_SHARE = 0.8


class OfflineTally:
    """Per-host tally kept as results stream in (memory grows with hosts, not checks).

    ``planned_hosts``: the hosts of every URL the run will check, so that the tally can
    tell when the run is :attr:`settled`; results of other hosts are then left out.
    """

    def __init__(self, planned_hosts: Iterable[str] | None = None) -> None:
        self._hosts: dict[str, bool] = {}  # host -> every check of it failed at network level
        self._planned = None if planned_hosts is None else {h.lower() for h in planned_hosts if h}
        self._reachable = 0  # hosts not (or no longer) failing at the network level

    def add(self, result: CheckResult) -> None:
        host = host_of(result.url)
        if not host or (self._planned is not None and host not in self._planned):
            return
        if result.error_kind is ErrorKind.INTERNAL:
            return  # our own check failed: it says nothing of the network
        failed = result.error_kind is not None and result.error_kind.is_network_level
        answered = result.status is not None
        # A host counts as reachable if any check of it got an HTTP answer.
        before = self._hosts.get(host, True)
        after = self._hosts[host] = before and failed and not answered
        if before and not after:
            self._reachable += 1

    @property
    def offline(self) -> bool:
        """True when at least ``FAILING_SHARE`` of at least ``MIN_HOSTS`` hosts failed at
        the network level (DNS, refused, reset, connect timeout) and none answered."""
        if len(self._hosts) < MIN_HOSTS:
            return False
        failing = sum(1 for failed in self._hosts.values() if failed)
        return failing / len(self._hosts) >= FAILING_SHARE

    @property
    def settled(self) -> bool:
        """True when the run can no longer turn out :attr:`offline`, whatever its
        remaining results: it has too few hosts, or too many of them have been reached
        already. Never without the planned hosts."""
        if self._planned is None:
            return False
        hosts = len(self._planned)
        if hosts < MIN_HOSTS:
            return True
        return (hosts - self._reachable) / hosts < FAILING_SHARE


def host_of(url: str) -> str:
    """The host a URL's checks are counted under, lower-case; empty when it has none."""
    return (urlsplit(url).hostname or "").lower()


def looks_offline(results: Iterable[CheckResult]) -> bool:
    """:attr:`OfflineTally.offline` over ``results``."""
    tally = OfflineTally()
    for result in results:
        tally.add(result)
    return tally.offline
