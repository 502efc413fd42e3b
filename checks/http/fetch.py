"""Fetching one URL the careful way: hop by hop, bounded, retried, classified.

:func:`fetch` follows redirects itself (recording every hop, reading ``Location`` and
short refreshes as browsers do (:mod:`checks.http.location`), detecting loops, trying
https when plain http cannot connect), retries what is worth retrying with backoff
through the run's :class:`~checks.hosts.HostPolicy`, and reads bodies under caps
(:mod:`checks.http.body`), keeping what came when one breaks off. Requests are prepared by
:mod:`checks.http.request` and sent through the session's guarded adapter. Failures are
classified by :mod:`checks.http.errors`.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict

from checks import netpolicy, tls, verdict
from checks.hosts import HostPaused, HostPolicy
from checks.http.body import body_cap, read_stream
from checks.http.errors import FetchFailure, classify_exception
from checks.http.fetched import Fetched
from checks.http.location import (
    BadLocation,
    header_text,
    refresh_target,
    resolve,
    site_host,
    without_fragment,
)
from checks.http.mediatype import HTML_TYPES, media_type, sniffed_media_type
from checks.http.request import prepare
from checks.http.retryafter import retry_after_s
from checks.model import CheckSettings, ErrorKind, RedirectHop

# Failures to open a connection at all: a host that no longer listens for plain http
# may well serve https, which browsers then load instead.
_CONNECT_FAILURES = frozenset({ErrorKind.REFUSED, ErrorKind.CONNECT_TIMEOUT})
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
    cut_short: FetchFailure | None = None  # the body broke off; ``body`` is what came


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
        self.upgrades_tried: set[str] = set()
        self.https_upgrade: str | None = None
        self.tls_expires_at: datetime | None = None
        self.tls_host: str | None = None
        self.verify: bool | str = settings.ca_bundle or settings.verify_tls
        netpolicy.ensure_guarded(session, netpolicy.AddressGuard(settings.allow_private))

    def run(self, method: str) -> Fetched:
        current = self.url
        seen: set[tuple[str, str, frozenset[tuple[str, str, str, str]]]] = set()
        while True:
            try:
                current, answer = self._hop(method, current, seen)
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
            current = without_fragment(target)

    def _next_url(self, method: str, current: str, answer: _Answer) -> str | None:
        """Where a response sends the reader next: a redirect or a short refresh."""
        status = answer.status
        try:
            if verdict.is_redirect(status):
                location = header_text(answer.headers.get("location", "")).strip()
                if not location:
                    text = f"{verdict.status_text(status)} redirect without a Location header"
                    raise FetchFailure(ErrorKind.MISSING_LOCATION, text)
                return resolve(current, location)
            if verdict.is_success(status):
                body = answer.body if method == "GET" else b""
                return refresh_target(current, answer.headers, body)
        except BadLocation as exc:
            text = f"malformed URL in redirect: {exc.location[:200]!r}"
            raise FetchFailure(ErrorKind.INVALID_URL, text) from None
        return None

    def _hop(
        self,
        method: str,
        url: str,
        seen: set[tuple[str, str, frozenset[tuple[str, str, str, str]]]],
    ) -> tuple[str, _Answer]:
        """The answer for ``url``, or for its https form when plain http could not
        connect and https answers (then that URL comes back with it)."""
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
        secure = self._https_form(url)
        try:
            return url, self._request(method, url, upgradable=secure is not None)
        except FetchFailure as failure:
            if secure is None or failure.kind not in _CONNECT_FAILURES:
                raise
            answer = self._try_https(method, url, secure, failure, seen)
            if answer is not None:
                return secure, answer
            if self.deadline.remaining() <= 0 or not (
                self._retries(method) >= 1 and verdict.should_retry_error(failure.kind, attempt=1)
            ):
                raise failure from None
        # https did not answer either: plain http gets the rest of its attempts.
        self.attempts += 1
        return url, self._request(method, url, first_attempt=2)

    def _https_form(self, url: str) -> str | None:
        """The https URL a browser would try when ``url`` (plain http on the default
        port) cannot connect, as browsers' HTTPS upgrades do; None for any other URL or
        once tried."""
        parts = urlsplit(url)
        if self.probe or parts.scheme.lower() != "http" or url in self.upgrades_tried:
            return None
        try:
            port = parts.port
        except ValueError:
            return None
        if port not in (None, 80):
            return None  # a service on a port of its own has no https twin to guess
        netloc = parts.netloc.rsplit(":", 1)[0] if port == 80 else parts.netloc
        return parts._replace(scheme="https", netloc=netloc).geturl()

    def _try_https(
        self,
        method: str,
        url: str,
        secure: str,
        failure: FetchFailure,
        seen: set[tuple[str, str, frozenset[tuple[str, str, str, str]]]],
    ) -> _Answer | None:
        """One request to ``secure`` after ``url`` could not connect; its answer, or
        None when it gets none either, or one from another site than the cited one."""
        self.upgrades_tried.add(url)
        key = (method, secure, self._cookie_state())
        if key in seen or not _same_site(secure, self.url):
            return None
        seen.add(key)
        try:
            answer = self._request(method, secure, retries=0)
            sent_to = self._next_url(method, secure, answer)
        except FetchFailure:
            seen.discard(key)
            return None
        if sent_to is not None and not _same_site(sent_to, self.url):
            # A server's default site (its certificate valid for every name it hosts)
            # sending every visitor to its owner's page: not the cited site.
            seen.discard(key)
            return None
        # Recorded as browsers show their own upgrade: a 307 "internal redirect".
        self.hops.append(RedirectHop(url, 307, secure, 0.0))
        self.https_upgrade = failure.message
        return answer

    # --- one hop, with retries ---

    def _retries(self, method: str) -> int:
        # A failing HEAD is not retried: the GET that replaces it has its own retries.
        return self.settings.retries if method == "GET" and not self.probe else 0

    def _request(
        self,
        method: str,
        url: str,
        *,
        retries: int | None = None,
        first_attempt: int = 1,
        upgradable: bool = False,
    ) -> _Answer:
        """The answer for ``url``, asked again as the retry rule says (``retries``
        replaces the settings' number). ``upgradable``: a first failure to connect
        ends at once, so that https can be tried before plain http is asked again."""
        host = urlsplit(url).netloc.lower()
        if retries is None:
            retries = self._retries(method)
        attempt = first_attempt - 1
        kept: _Answer | None = None  # the last body that broke off after some bytes
        closed_in_handshake = 0  # attempts the server hung up on in the TLS handshake
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
                    if failure.in_handshake:
                        closed_in_handshake += 1
                    if (
                        attempt > retries
                        or not verdict.should_retry_error(failure.kind, attempt=attempt)
                        or (upgradable and attempt == 1 and failure.kind in _CONNECT_FAILURES)
                    ):
                        tries = attempt - first_attempt + 1
                        return _give_up(failure, kept, closed_in_handshake, tries)
                    error = failure
                else:
                    status = response.status_code
                    headers = _lower_headers(response.headers)
                    retry_after = retry_after_s(headers.get("retry-after"), self.now())
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
                            answer = self._read(method, response, headers)
                        finally:
                            _finish(method, response)
                        cut = answer.cut_short
                        if cut is None:
                            return answer
                        partial = _worth_keeping(answer, kept)
                        if attempt > retries or not verdict.should_retry_error(
                            cut.kind, attempt=attempt
                        ):
                            if partial is None:
                                raise cut
                            return partial
                        # The body broke off: ask again, keeping what came in case
                        # there is no time for another attempt.
                        kept, error = partial, cut
                    else:
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
                    tries = attempt - first_attempt + 1
                    return _give_up(error, kept, closed_in_handshake, tries)
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
        cap: int | Callable[[bytes], int]
        if verdict.is_success(status):
            settings = self.settings

            def cap(head: bytes) -> int:
                # The cap of what the body is: a PDF served as octet-stream gets
                # the PDF cap, an HTML page labelled PDF the HTML one.
                return body_cap(sniffed_media_type(mime, head), settings)

        elif mime in HTML_TYPES or mime is None:
            cap = min(ERROR_BODY_CAP, body_cap(mime, self.settings))
        else:
            return _Answer(status, headers, b"", elapsed_ms)
        read = read_stream(
            response, headers, cap, self.deadline.remaining, self.settings.timeout_s, self._classify
        )
        cut = read.error if isinstance(read.error, FetchFailure) else None
        if cut is not None and cut.kind is ErrorKind.DEADLINE:
            raise cut  # no time left: what came is no answer
        return _Answer(status, headers, read.data, elapsed_ms, read.truncated_at, read.problem, cut)

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
        in_handshake = kind is ErrorKind.RESET and tls.is_closed_during_handshake(exc)
        return FetchFailure(kind, message, in_handshake=in_handshake)

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
            body_cut=answer.cut_short.message if answer and answer.cut_short else None,
            https_upgrade=self.https_upgrade,
            tls_expires_at=self.tls_expires_at,
            tls_host=self.tls_host,
        )


def _give_up(
    failure: FetchFailure, kept: _Answer | None, closed_in_handshake: int, tries: int
) -> _Answer:
    """End a request whose last attempt (of ``tries``) failed: with the part of a body
    an earlier attempt brought, when there is one, else by raising the failure.

    A server that hangs up during the TLS handshake once may be overloaded, and is
    asked again; one that does so on every attempt refuses this client's TLS (no
    certificate for the name asked, a protocol it will not speak), which no retry
    will change: that is a TLS failure, not a reset.
    """
    if kept is not None:
        return kept
    if tries < 2 or closed_in_handshake < tries or not failure.in_handshake:
        raise failure
    text = "TLS: the server closed the connection during the TLS handshake on every attempt"
    raise FetchFailure(ErrorKind.TLS, f"{text} ({tries} attempts)") from failure


def _worth_keeping(answer: _Answer, earlier: _Answer | None) -> _Answer | None:
    """What stands for a page whose body broke off: ``answer`` when some of its body
    came, or an error answer (its status is the evidence, not its body); else an
    earlier attempt's part of the body, or None.

    A success whose body never began says nothing about the page: headers alone are
    what a server sends before it fails, and an empty body would pass for a page.
    """
    if answer.body or not verdict.is_success(answer.status):
        return answer
    return earlier


def _same_site(url: str, other: str) -> bool:
    """Whether two URLs name the same host, ``www.`` or not."""
    try:
        return site_host(url) == site_host(other)
    except ValueError:
        return False


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
