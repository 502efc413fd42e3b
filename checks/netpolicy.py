"""Address policy: which URLs and addresses a check may reach.

Registry URLs are not trusted input: a cited URL (or a redirect from it) could point at
the machine running the monitor, its LAN or a cloud metadata service. Unless the
registry allows private targets, every hop is vetted twice: its URL before the request
(scheme, credentials, literal addresses) and the address actually connected to, which
:class:`AddressGuard` resolves, checks and hands to the socket itself so that a name
cannot resolve to one address for the check and another for the connection (DNS
rebinding).

The connection layer at the end of this module (:class:`GuardedAdapter`) is where that
happens; it also cuts off a server that drips its response headers past the check's
deadline (:func:`response_deadline`). One adapter can serve every thread of a run: its
pools hand a host's connections from one check to the next, and a connection carries
nothing of a check but the vetted address it was opened to.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import ipaddress
import itertools
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import SplitResult, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from checks.http.wire import HeadResponse

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection, BaseHTTPSConnection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# (family, sockaddr) pairs as socket.getaddrinfo gives them; a resolver returns these
# so that tests can map names to any address without a DNS server.
SockAddr = tuple[socket.AddressFamily, tuple[str, int] | tuple[str, int, int, int]]
Resolver = Callable[[str, int], Sequence[SockAddr]]

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Ranges refused whatever `ipaddress` says of them: some it calls global although they
# point into private space (6to4 and local-use NAT64 can embed 169.254.169.254;
# 192.0.0.0/24 is the gh-113171 class of misclassification), and CPython patch releases
# have changed the classification of others.
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "64:ff9b:1::/48",
        "2002::/16",
        "2001:20::/28",
        "5f00::/16",
        "3fff::/20",
        "fc00::/7",
        "fe80::/10",
    )
)

# RFC 6052: DNS64 answers for IPv4-only names with this prefix and the IPv4 address in
# the last 32 bits; the prefix must never carry a non-global IPv4 address, so the
# address it carries decides. (Operators' own NAT64 prefixes, such as the local-use
# 64:ff9b:1::/48, place the IPv4 address elsewhere: they stay refused.)
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")

_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

# What str.isspace() calls whitespace (the same set as \s) and the C0 controls.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")

# RFC 6761: names under .invalid never resolve. Answering locally keeps a DNS-failure
# check fast (and testable) on a machine whose resolver is slow or offline.
_NEVER_RESOLVES = ("invalid",)


class PolicyViolation(Exception):
    """The URL or the address it leads to is refused by the network policy."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidURL(Exception):
    """The URL cannot be checked at all (malformed or an unsupported scheme)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def address_refusal(ip: IPAddress) -> str | None:
    """What kind of non-public address this is (``"a loopback address"``), or None.

    None means a public address that checks may contact. IPv4-mapped IPv6 addresses
    are judged as the IPv4 address they carry, and so are NAT64 addresses of the
    well-known prefix: on an IPv6-only network every IPv4-only site resolves to one.
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64_WELL_KNOWN:
        kind = address_refusal(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return None if kind is None else f"{kind} through NAT64"
    if ip in _METADATA:
        return "a cloud metadata address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
    )
    for matched, kind in checks:
        if matched:
            return kind
    for net in _EXTRA_BLOCKED:
        if ip.version == net.version and ip in net:
            return f"in the special-purpose range {net}"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


def parse_http_url(url: str) -> SplitResult:
    """Split a URL that a check can fetch, or raise :class:`InvalidURL` saying why."""
    if not url or _SPACE_OR_CONTROL.search(url):
        raise InvalidURL("malformed URL: contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise InvalidURL("malformed URL: no scheme")
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidURL(f"unsupported scheme {scheme!r} (only http and https are checked)")
    if not parts.hostname:
        raise InvalidURL("malformed URL: no host name")
    if port == 0:
        raise InvalidURL("malformed URL: port 0")
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise InvalidURL(f"malformed URL: host name {parts.hostname!r} is not valid") from None
    return parts


def vet_url(url: str, *, allow_private: bool) -> SplitResult:
    """Check a URL before any request is sent for it.

    Raises :class:`InvalidURL` for URLs that cannot be fetched and
    :class:`PolicyViolation` for URLs the policy refuses: credentials in the URL, or a
    literal address in private space. Names are vetted when connecting, by
    :class:`AddressGuard`, against the address actually used.
    """
    parts = parse_http_url(url)
    if parts.username is not None or parts.password is not None:
        # Citations never need credentials; sending them to whatever the URL names
        # (or a redirect leads to) would leak them.
        raise PolicyViolation("URL carries user credentials")
    if allow_private:
        return parts
    host = parts.hostname or ""
    literal = _literal_address(host)
    if literal is not None:
        kind = address_refusal(literal)
        if kind is not None:
            raise PolicyViolation(f"{_shown(literal)} is {kind}")
    elif host.rstrip(".").lower().split(".")[-1] == "localhost":
        raise PolicyViolation(f"{host} is a loopback name")
    return parts


def system_resolver(host: str, port: int) -> Sequence[SockAddr]:
    """Resolve with the operating system's resolver (TCP addresses only)."""
    infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)
    return [
        (family, (str(sockaddr[0]), *sockaddr[1:]))
        for family, _, _, _, sockaddr in infos
        if family in (socket.AF_INET, socket.AF_INET6)
    ]


@dataclass(frozen=True)
class AddressGuard:
    """Resolves a host once and returns only addresses the policy allows.

    Used by the connection layer, so the checked address is the one connected to.
    """

    allow_private: bool = False
    resolver: Resolver = system_resolver

    def resolve(self, host: str, port: int) -> list[SockAddr]:
        """Addresses to connect to for ``host``.

        Raises ``socket.gaierror`` when the name does not resolve and
        :class:`PolicyViolation` when any of its addresses is refused: a name that
        resolves partly into private space is refused outright rather than raced.
        """
        bare = host.strip("[]")
        literal = _literal_address(bare)
        if literal is not None:
            family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
            sockaddr: tuple[str, int] | tuple[str, int, int, int] = (
                (bare, port, 0, 0) if literal.version == 6 else (bare, port)
            )
            addresses: list[SockAddr] = [(family, sockaddr)]
        else:
            if bare.rstrip(".").lower().rsplit(".", 1)[-1] in _NEVER_RESOLVES:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            addresses = list(self.resolver(bare, port))
            if not addresses:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if not self.allow_private:
            for _, addr in addresses:
                ip = ipaddress.ip_address(addr[0].split("%", 1)[0])
                kind = address_refusal(ip)
                if kind is not None:
                    if literal is not None:
                        raise PolicyViolation(f"{_shown(ip)} is {kind}")
                    raise PolicyViolation(f"{bare} resolves to {_shown(ip)}, {kind}")
        return addresses


def _shown(ip: IPAddress) -> IPAddress:
    # An IPv4-mapped address reads better as the IPv4 address it carries.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


# --- Connection layer: connect only to vetted addresses ------------------------------


class _GuardedConnectionMixin:
    """Replaces urllib3's socket creation: resolve through the guard, then connect.

    TLS (SNI and hostname verification) and the Host header still use the URL's name,
    because urllib3 takes those from ``self.host``, not from the socket.
    """

    # Fails closed: a connection made outside a guarded pool refuses private space.
    guard: AddressGuard = AddressGuard(allow_private=False)
    # http.client's response, reading header blocks without the email parser.
    response_class: type[http.client.HTTPResponse] = HeadResponse
    host: str
    port: int
    timeout: Any
    source_address: tuple[str, int] | None
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            addresses = self.guard.resolve(self.host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, cast(Any, self), exc) from exc
        try:
            sock = _connect_first(
                addresses,
                self.timeout,
                self.source_address,
                self.socket_options,
                getattr(_deadline, "at", None),
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from exc
        except OSError as exc:
            raise NewConnectionError(
                cast(Any, self), f"Failed to establish a new connection: {exc}"
            ) from exc
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        # Socket timeouts bound each read, not a server dripping its headers byte by
        # byte; the watchdog cuts the connection at the caller's deadline.
        at = getattr(_deadline, "at", None)
        if at is None:
            return cast(Any, super()).getresponse(*args, **kwargs)
        token = _WATCHDOG.watch(at, self)
        try:
            return cast(Any, super()).getresponse(*args, **kwargs)
        finally:
            _WATCHDOG.cancel(token)


_deadline = threading.local()


@contextmanager
def response_deadline(at: float) -> Iterator[None]:
    """Within this block, guarded connections of this thread stop waiting for a
    response at ``at`` (a ``time.monotonic`` value): the connection is shut down."""
    previous = getattr(_deadline, "at", None)
    _deadline.at = at
    try:
        yield
    finally:
        _deadline.at = previous


class _Watchdog:
    """One background thread that shuts down connections past their deadline."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Any]] = []
        self._live: set[int] = set()
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, at: float, conn: Any) -> int:
        with self._cond:
            token = next(self._ids)
            heapq.heappush(self._heap, (at, token, conn))
            self._live.add(token)
            if len(self._heap) > 2 * len(self._live) + 1024:
                self._heap = [entry for entry in self._heap if entry[1] in self._live]
                heapq.heapify(self._heap)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="check-deadline-watchdog", daemon=True
                )
                self._thread.start()
            if self._heap[0][1] == token:
                # Only a new earliest deadline changes how long the thread may sleep.
                # Waking it for every request (whose deadline is almost always later
                # than one already queued) cost a thread switch per request.
                self._cond.notify()
            return token

    def cancel(self, token: int) -> None:
        with self._cond:
            self._live.discard(token)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                at, token, conn = self._heap[0]
                delay = at - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(token)
                sock = getattr(conn, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


def _watchdog_after_fork() -> None:
    # A forked child inherits the watchdog without its thread (and perhaps with its
    # lock held by that thread at the fork): it starts afresh.
    _WATCHDOG.__init__()  # type: ignore[misc]


os.register_at_fork(after_in_child=_watchdog_after_fork)


# Each address of a name gets at least this long to connect, however many follow, as
# Go's dialer does when it shares a deadline among a name's addresses.
_MIN_CONNECT_S = 2.0


def _connect_first(
    addresses: Sequence[SockAddr],
    timeout: Any,
    source_address: tuple[str, int] | None,
    socket_options: Any,
    deadline: float | None = None,
) -> socket.socket:
    """A socket connected to the first address that answers.

    Without a ``deadline`` (a ``time.monotonic`` value) each address gets the whole
    ``timeout``. With one, the time left is shared among the addresses still to try,
    so that a name whose addresses all drop packets cannot keep the check past it.
    """
    error: OSError | None = None
    usual = timeout is None or isinstance(timeout, int | float)
    for index, (family, sockaddr) in enumerate(addresses):
        wait = timeout
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no time left to connect")
            share = max(left / (len(addresses) - index), min(_MIN_CONNECT_S, left))
            wait = min(timeout, share) if isinstance(timeout, int | float) else share
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if wait is None or isinstance(wait, int | float):
                sock.settimeout(wait)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            if wait is not timeout and usual:
                sock.settimeout(timeout)  # the TLS handshake keeps its own timeout
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error if error is not None else OSError("no address to connect to")


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection
    guard: AddressGuard = AddressGuard(allow_private=False)

    def _new_conn(self) -> BaseHTTPConnection:
        conn = super()._new_conn()
        if isinstance(conn, _GuardedConnectionMixin):
            conn.guard = self.guard
        return conn


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection
    guard: AddressGuard = AddressGuard(allow_private=False)

    def _new_conn(self) -> BaseHTTPSConnection:
        conn = super()._new_conn()
        if isinstance(conn, _GuardedConnectionMixin):
            conn.guard = self.guard
        return conn


class _GuardedPoolManager(PoolManager):
    def __init__(self, guard: AddressGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard = guard
        self.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        if isinstance(pool, _GuardedHTTPPool | _GuardedHTTPSPool):
            pool.guard = self.guard
        return pool


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections go only to addresses the guard allows.

    It does not retry (``max_retries=0``): retries are decided by the check, which
    knows why a request failed.
    """

    def __init__(self, guard: AddressGuard, *, pool_connections: int, pool_maxsize: int) -> None:
        self.guard = guard
        super().__init__(
            pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=0
        )

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """Build the pool manager with guarded connection pools."""
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _GuardedPoolManager(
            self.guard, num_pools=connections, maxsize=maxsize, block=block, **pool_kwargs
        )

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Proxies would connect to the proxy's address, bypassing the guard."""
        raise PolicyViolation("proxies are not used for checks")


def ensure_guarded(session: requests.Session, guard: AddressGuard) -> None:
    """Make sure every http(s) request of ``session`` goes through a guard like ``guard``.

    A session whose adapters already enforce the same policy is left alone (keeping its
    pools); anything else gets a guarded adapter mounted, keeping a guarded adapter's
    resolver.
    """
    for prefix in ("http://", "https://"):
        adapter = session.adapters.get(prefix)
        wanted = guard
        if isinstance(adapter, GuardedAdapter):
            if adapter.guard.allow_private == guard.allow_private:
                continue
            # Same resolver, the policy of these settings.
            wanted = AddressGuard(guard.allow_private, adapter.guard.resolver)
        session.mount(prefix, GuardedAdapter(wanted, pool_connections=16, pool_maxsize=4))
