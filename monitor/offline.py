"""Telling a dead web from a dead network of our own.

When most distinct hosts fail at the network level at once, the failures say more about
the monitor's own connection than about the sources, so the run is inconclusive.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from checks.model import CheckResult

MIN_HOSTS = 3
FAILING_SHARE = 0.8


def looks_offline(results: Iterable[CheckResult]) -> bool:
    """True when at least ``FAILING_SHARE`` of at least ``MIN_HOSTS`` hosts failed at the
    network level (DNS, refused, reset, connect timeout) and none answered at all."""
    hosts: dict[str, bool] = {}
    for result in results:
        host = (urlsplit(result.url).hostname or "").lower()
        if not host:
            continue
        failed = result.error_kind is not None and result.error_kind.is_network_level
        answered = result.status is not None
        # A host counts as reachable if any check of it got an HTTP answer.
        hosts[host] = hosts.get(host, True) and failed and not answered
    if len(hosts) < MIN_HOSTS:
        return False
    failing = sum(1 for failed in hosts.values() if failed)
    return failing / len(hosts) >= FAILING_SHARE
