"""Fetching one URL the careful way: hop by hop, bounded, retried, classified.

:func:`fetch` follows redirects itself (recording every hop, resolving relative
``Location`` headers, detecting loops, following short meta refreshes), retries what is
worth retrying with backoff through the run's :class:`~checks.hosts.HostPolicy`, and
reads bodies under caps (:mod:`checks.http.body`). Requests are prepared by
:mod:`checks.http.request` and sent through the session's guarded adapter. Failures are
classified by :mod:`checks.http.errors`.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict

from checks import netpolicy, tls, verdict
from checks.hosts import HostPaused, HostPolicy
from checks.http.body import CHUNK, HTML_TYPES, body_cap, media_type, read_body
from checks.http.errors import FetchFailure, classify_exception
from checks.http.refresh import META_REFRESH_MAX_DELAY_S, meta_refresh
from checks.http.request import prepare
from checks.model import CheckSettings, ErrorKind, RedirectHop

# Error pages are read only far enough to recognise a bot challenge.
ERROR_BODY_CAP = 64 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"
# Only encodings decoded by checks.http.body, under the decompression cap.
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT_LANGUAGE = "en;q=1.0, *;q=0.5"
# Backoff jitter needs no private generator per fetch (seeding one costs more than
# the whole jitter); Random's methods are safe to share between threads.
_SHARED_RNG = random.Random()
# A forked worker draws its own jitter and probe paths, not its parent's sequence.
os.register_at_fork(after_in_child=_SHARED_RNG.seed)


@dataclass(frozen=True)
class Fetched:
    """The outcome of fetching one URL (after redirects), or the failure that ended it."""

    url: str
    final_url: str
    method: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    hops: tuple[RedirectHop, ...] = ()
    attempts: int = 1
    elapsed_ms: float = 0.0
    error_kind: ErrorKind | None = None
    error: str | None = None
    gave_up: str | None = None  # why retrying stopped before the retry budget ran out
    truncated_at: int | None = None  # the body hit this cap and was cut there
    body_problem: str | None = None  # the body could not be decoded
    tls_expires_at: datetime | None = None
    tls_host: str | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx response with no failure while reading it."""
        return (
            self.error_kind is None and self.status is not None and verdict.is_success(self.status)
        )

    @property
    def not_modified(self) -> bool:
        """A 304 answer to a conditional request."""
        return (
            self.error_kind is None
            and self.status is not None
            and (verdict.is_not_modified(self.status))
        )

    @property
    def content_type(self) -> str | None:
        """The Content-Type header as served."""
        return self.headers.get("content-type")

    @property
    def mime(self) -> str | None:
        """The media type without parameters, lower case."""
        return media_type(self.content_type)


def fetch(
    url: str,
    settings: CheckSettings,
    session: requests.Session,
    hosts: HostPolicy,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    rng: random.Random | None = None,
    probe: bool = False,
) -> Fetched:
    """Fetch ``url`` (no fragment) following redirects one hop at a time.

    ``method`` is ``GET`` or ``HEAD``; a HEAD that fails (4xx, 5xx or a network error
    other than DNS/refused/TLS/policy) is repeated as GET. ``headers`` are added to
    every request (e.g. conditional-request validators). One deadline
    (``settings.deadline_s``) covers the whole fetch from its first request: every
    hop, retry wait, response header and body byte. Never raises for anything a
    server can do.

    A ``probe`` (a made-up URL asked to learn how the host answers) gets one attempt,
    and an error answer to it does not slow the host down for real checks.
    """
    fetcher = _Fetcher(url, settings, session, hosts, dict(headers or {}), now, rng, probe)
    return fetcher.run(method.upper())


class _Deadline:
    """The time budget of one fetch, counted from its first request.

    Waiting for a host's turn before that (concurrency slots, politeness spacing)
    is the run's queueing, not the source's slowness, so it does not count.
    """

    def __init__(self, seconds: float) -> None:
        self.start: float | None = None
        self.seconds = seconds

    def begin(self) -> None:
        if self.start is None:
            self.start = time.monotonic()

    def remaining(self) -> float:
        if self.start is None:
            return self.seconds
        return self.seconds - (time.monotonic() - self.start)

    def at(self) -> float:
        return time.monotonic() + self.remaining()

    def elapsed_ms(self) -> float:
        return 0.0 if self.start is None else (time.monotonic() - self.start) * 1000.0


@dataclass
class _Answer:
    """One response, headers and (capped) body already read."""

    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float
    truncated_at: int | None = None
    body_problem: str | None = None


class _Fetcher:
    def __init__(
        self,
        url: str,
        settings: CheckSettings,
        session: requests.Session,
        hosts: HostPolicy,
        headers: dict[str, str],
        now: Callable[[], datetime],
        rng: random.Random | None,
        probe: bool,
    ) -> None:
        self.url = url
        self.settings = settings
        self.session = session
        self.hosts = hosts
        self.base_headers = {
            "User-Agent": settings.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
            "Accept-Language": ACCEPT_LANGUAGE,
            **headers,
        }
        self.now = now
        self.rng = rng or _SHARED_RNG
        self.probe = probe
        self.deadline = _Deadline(settings.deadline_s)
        self.jar = RequestsCookieJar()  # cookies live for one check only
        self.hops: list[RedirectHop] = []
        self.attempts = 1
        self.gave_up: str | None = None
        self.tls_expires_at: datetime | None = None
        self.tls_host: str | None = None
        self.verify: bool | str = settings.ca_bundle or settings.verify_tls
        netpolicy.ensure_guarded(session, netpolicy.AddressGuard(settings.allow_private))

    def run(self, method: str) -> Fetched:
        current = self.url
        seen: set[tuple[str, str, frozenset[tuple[str, str, str, str]]]] = set()
        while True:
            try:
                answer = self._hop(method, current, seen)
            except FetchFailure as exc:
                if method == "HEAD" and _head_may_be_at_fault(exc.kind):
                    method = "GET"
                    continue
                status = self.hops[-1].status if exc.kind is ErrorKind.REDIRECT_LOOP else None
                return self._result(current, method, status, failure=exc)
            status = answer.status
            if method == "HEAD" and status >= 400:
                # Many servers mishandle HEAD (405, 501, 404, 403, 500...): ask again.
                method = "GET"
                continue
            try:
                target = self._next_url(method, current, answer)
            except FetchFailure as exc:
                return self._result(current, method, status, answer, exc)
            if status == 303 and method != "HEAD":
                method = "GET"  # 303 See Other: fetch the other resource with GET
            if target is None:
                return self._result(current, method, status, answer)
            self.hops.append(RedirectHop(current, status, target, round(answer.elapsed_ms, 1)))
            if len(self.hops) > self.settings.max_redirects:
                text = f"more than {self.settings.max_redirects} redirects"
                failure = FetchFailure(ErrorKind.TOO_MANY_REDIRECTS, text)
                return self._result(target, method, status, answer, failure)
            current = _defragment(target)

    def _next_url(self, method: str, current: str, answer: _Answer) -> str | None:
        """Where a response sends the reader next: a redirect or a short meta refresh."""
        status = answer.status
        if verdict.is_redirect(status):
            location = answer.headers.get("location", "").strip()
            if not location:
                text = f"{verdict.status_text(status)} redirect without a Location header"
                raise FetchFailure(ErrorKind.MISSING_LOCATION, text)
            return _resolve(current, location)
        if verdict.is_success(status) and method == "GET":
            return _meta_refresh_target(current, answer)
        return None

    def _hop(
        self,
        method: str,
        url: str,
        seen: set[tuple[str, str, frozenset[tuple[str, str, str, str]]]],
    ) -> _Answer:
        try:
            netpolicy.vet_url(url, allow_private=self.settings.allow_private)
        except netpolicy.InvalidURL as exc:
            raise FetchFailure(ErrorKind.INVALID_URL, exc.reason) from exc
        except netpolicy.PolicyViolation as exc:
            raise FetchFailure(ErrorKind.POLICY, exc.reason) from exc
        # The cookies are part of the key: "set a cookie, come back" is not a loop.
        key = (method, url, self._cookie_state())
        if key in seen:
            chain = " -> ".join([hop.url for hop in self.hops] + [url])
            raise FetchFailure(ErrorKind.REDIRECT_LOOP, f"redirect loop: {chain}")
        seen.add(key)
        return self._request(method, url)

    # --- one hop, with retries ---

    def _request(self, method: str, url: str) -> _Answer:
        host = urlsplit(url).netloc.lower()
        # A failing HEAD is not retried: the GET that replaces it has its own retries.
        retries = self.settings.retries if method == "GET" and not self.probe else 0
        attempt = 0
        while True:
            attempt += 1
            error: FetchFailure | None = None
            status: int | None = None
            retry_after: float | None = None
            with self._slot(host):
                self.deadline.begin()
                if self.deadline.remaining() <= 0:
                    raise FetchFailure(ErrorKind.DEADLINE, self._deadline_text())
                try:
                    response = self._send(method, url)
                except FetchFailure as failure:
                    if attempt > retries or not verdict.should_retry_error(
                        failure.kind, attempt=attempt
                    ):
                        raise
                    error = failure
                else:
                    status = response.status_code
                    headers = _lower_headers(response.headers)
                    retry_after = _retry_after_s(headers.get("retry-after"), self.now)
                    trouble = verdict.is_trouble_status(status)
                    again = (
                        trouble
                        and attempt <= retries
                        and verdict.should_retry_status(
                            status, attempt=attempt, asked_to_wait=retry_after is not None
                        )
                        and not _challenge_in_headers(headers)
                    )
                    if not trouble:
                        self.hosts.reward(host)
                    elif not self.probe and not again:
                        # The last try (or a challenge, which asking again won't lift):
                        # still slow every thread down for this host, as much as it
                        # asked, or a little after a server error.
                        if retry_after is not None or status == 429:
                            self.hosts.penalise(host, retry_after or self._backoff(attempt))
                        else:
                            self.hosts.slow_down(host)
                    if not again:
                        try:
                            return self._read(method, response, headers)
                        finally:
                            _finish(method, response)
                    response.close()
            # Outside the slot: decide whether and how long to wait, then try again.
            delay = self._backoff(attempt)
            if status is not None and not verdict.waits_before_retry(
                status, asked_to_wait=retry_after is not None
            ):
                delay = 0.0
            if error is None and retry_after is not None:
                assert status is not None  # a response carried the Retry-After
                if retry_after > self.settings.retry_after_cap_s:
                    self.hosts.penalise(host, retry_after)
                    self.gave_up = (
                        f"asked to retry after {retry_after:.0f} s, longer than the "
                        f"{self.settings.retry_after_cap_s:g} s a check waits"
                    )
                    return _Answer(status, headers, b"", 0.0)
                delay = max(delay, retry_after)
            if error is None and (retry_after is not None or status == 429):
                # The host asked every client to slow down: every thread waits.
                self.hosts.penalise(host, delay)
                wait = self.hosts.wait_s(host)
            else:
                # A server error or a timeout on this URL: it waits out its own
                # backoff; the host's other pages only slow down a little.
                self.hosts.slow_down(host)
                wait = max(delay, self.hosts.wait_s(host))
            if wait >= self.deadline.remaining():
                if error is not None:
                    raise error
                assert status is not None
                self.gave_up = "no time left before the deadline for another attempt"
                return _Answer(status, headers, b"", 0.0)
            if delay and (error is not None or (retry_after is None and status != 429)):
                self.hosts.sleep(delay)
            self.attempts += 1

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        """The host's slot, or a failure without a request when another check was asked
        to leave the host alone for longer than this one may still take."""
        with ExitStack() as stack:
            try:
                stack.enter_context(self.hosts.slot(host, self.deadline.remaining()))
            except HostPaused as paused:
                raise FetchFailure(
                    ErrorKind.DEADLINE,
                    f"not tried: {host} asked for a pause of {paused.seconds:.0f} s (rate limited)",
                ) from None
            yield

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_base_s * 2.0 ** (attempt - 1)
        return min(self.settings.retry_after_cap_s, base * (0.5 + self.rng.random() / 2))

    def _send(self, method: str, url: str) -> requests.Response:
        remaining = self.deadline.remaining()
        timeout = max(0.001, min(self.settings.timeout_s, remaining))
        # The adapter, not Session.send: with allow_redirects=False the session still
        # prepares the next hop and reads the whole redirect body, past every cap.
        adapter = self.session.get_adapter(url)
        try:
            prepared = prepare(method, url, self._headers(url), self.jar)
        except requests.exceptions.InvalidURL as exc:
            # A name the URL check lets through but requests refuses ("http://*.x/"),
            # possibly from a redirect: the server's doing, so a verdict, not a crash.
            raise self._classify(exc) from exc
        started = time.monotonic()
        try:
            with netpolicy.response_deadline(self.deadline.at()):
                response = adapter.send(
                    prepared,
                    stream=True,
                    timeout=(timeout, timeout),
                    verify=self.verify,
                    cert=None,
                    proxies={},
                )
        except Exception as exc:
            raise self._classify(exc) from exc
        response.elapsed = timedelta(seconds=time.monotonic() - started)
        if _sets_cookies(response.headers):
            extract_cookies_to_jar(self.jar, prepared, response.raw)  # type: ignore[no-untyped-call]
        expires = tls.peer_not_after(response.raw)
        if expires is not None and (self.tls_expires_at is None or expires < self.tls_expires_at):
            self.tls_expires_at = expires
            self.tls_host = urlsplit(url).hostname
        return response

    def _read(self, method: str, response: requests.Response, headers: dict[str, str]) -> _Answer:
        elapsed_ms = response.elapsed.total_seconds() * 1000.0
        status = response.status_code
        if method == "HEAD" or verdict.is_not_modified(status):
            return _Answer(status, headers, b"", elapsed_ms)
        mime = media_type(headers.get("content-type"))
        if verdict.is_success(status):
            cap = body_cap(mime, self.settings)
        elif mime in HTML_TYPES or mime is None:
            cap = min(ERROR_BODY_CAP, body_cap(mime, self.settings))
        else:
            return _Answer(status, headers, b"", elapsed_ms)
        body, truncated_at, problem = read_body(
            response, headers, cap, self.deadline.remaining, self.settings.timeout_s, self._classify
        )
        return _Answer(status, headers, body, elapsed_ms, truncated_at, problem)

    def _headers(self, url: str) -> dict[str, str]:
        if not self.settings.host_headers:
            return self.base_headers  # only read: prepare copies what it sends
        headers = dict(self.base_headers)
        headers.update(_host_headers(urlsplit(url).hostname or "", self.settings))
        return headers

    def _cookie_state(self) -> frozenset[tuple[str, str, str, str]]:
        return frozenset((c.name, c.value or "", c.domain, c.path) for c in self.jar)

    def _classify(self, exc: BaseException) -> FetchFailure:
        kind, message = classify_exception(exc, timeout_s=self.settings.timeout_s)
        # Whatever broke at the deadline (a timeout, or the watchdog cutting the
        # connection) broke because of the deadline.
        if self.deadline.remaining() <= 0.05 and kind not in (ErrorKind.TLS, ErrorKind.POLICY):
            return FetchFailure(ErrorKind.DEADLINE, self._deadline_text())
        return FetchFailure(kind, message)

    def _deadline_text(self) -> str:
        return f"gave up at the {self.settings.deadline_s:g} s deadline for one check"

    def _result(
        self,
        url: str,
        method: str,
        status: int | None,
        answer: _Answer | None = None,
        failure: FetchFailure | None = None,
    ) -> Fetched:
        return Fetched(
            url=self.url,
            final_url=url,
            method=method,
            status=status,
            headers=answer.headers if answer else {},
            body=answer.body if answer and failure is None else b"",
            hops=tuple(self.hops),
            attempts=self.attempts,
            elapsed_ms=round(self.deadline.elapsed_ms(), 1),
            error_kind=failure.kind if failure else None,
            error=failure.message if failure else None,
            gave_up=self.gave_up,
            truncated_at=answer.truncated_at if answer else None,
            body_problem=answer.body_problem if answer else None,
            tls_expires_at=self.tls_expires_at,
            tls_host=self.tls_host,
        )


def _head_may_be_at_fault(kind: ErrorKind) -> bool:
    return kind in (
        ErrorKind.CONNECT_TIMEOUT,
        ErrorKind.READ_TIMEOUT,
        ErrorKind.RESET,
        ErrorKind.PROTOCOL,
        ErrorKind.OTHER,
    )


def _challenge_in_headers(headers: Mapping[str, str]) -> bool:
    return headers.get("cf-mitigated", "").lower() == "challenge"


def _host_headers(hostname: str, settings: CheckSettings) -> dict[str, str]:
    """Headers configured for this host or one of its parent domains."""
    labels = hostname.lower().rstrip(".").split(".")
    merged: dict[str, str] = {}
    for i in range(len(labels) - 1, -1, -1):  # parents first, the host itself last
        merged.update(settings.host_headers.get(".".join(labels[i:]), {}))
    return merged


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _sets_cookies(headers: CaseInsensitiveDict[str]) -> bool:
    """Whether a response carries cookies: only then is the cookie machinery needed."""
    return "set-cookie" in headers or "set-cookie2" in headers


def _resolve(base: str, location: str) -> str:
    """The absolute URL a redirect points to (fragment kept for the record)."""
    try:
        # Servers send raw spaces and non-ASCII in Location; requote like browsers do.
        return requests.utils.requote_uri(urljoin(base, location))
    except (ValueError, requests.exceptions.InvalidURL):
        raise FetchFailure(
            ErrorKind.INVALID_URL, f"malformed URL in redirect: {location[:200]!r}"
        ) from None


def _defragment(url: str) -> str:
    return url.partition("#")[0]


def _retry_after_s(value: str | None, now: Callable[[], datetime]) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


def _meta_refresh_target(url: str, answer: _Answer) -> str | None:
    mime = media_type(answer.headers.get("content-type"))
    if mime not in HTML_TYPES or not answer.body:
        return None
    found = meta_refresh(answer.body[:CHUNK].decode("utf-8", errors="replace"))
    if found is None:
        return None
    delay, target = found
    if target is None or delay > META_REFRESH_MAX_DELAY_S:
        return None
    resolved = _resolve(url, target)
    if _defragment(resolved) == _defragment(url):
        return None
    return resolved


def _finish(method: str, response: requests.Response) -> None:
    """Done with a response: an answer that has no body by protocol (HEAD, 204, 304)
    gives its connection back for the next request to the host, which is what makes a
    run of conditional requests cheap; any other is closed, since reading the rest of
    a body only to reuse the socket is what the caps exist to avoid."""
    if method == "HEAD" or response.status_code in (204, 304):
        try:
            response.raw.drain_conn()
            response.raw.release_conn()
            return
        except Exception:  # a broken connection is simply closed below
            pass
    response.close()
