"""Judge one cited URL: the public entry of the checks package.

:func:`check_url` fetches the URL (:mod:`checks.http`), reads what came back
(:mod:`checks.content`, :mod:`checks.soft404`, :mod:`checks.botwall`,
:mod:`checks.anchors`), and lets :func:`checks.verdict.decide` name the verdict.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests

from checks import http, netpolicy, tls, verdict
from checks.anchors import anchor_present
from checks.botwall import (
    SHELL_LETTERS,
    Challenge,
    consent_wall_reason,
    find_challenge,
    interstitial_reason,
    login_wall_reason,
    maintenance_reason,
    script_shell_reason,
)
from checks.content import ContentAnalysis, analyse
from checks.hosts import HostPolicy
from checks.http.charset import bom_codec
from checks.model import (
    CheckResult,
    CheckSettings,
    CheckTarget,
    ErrorKind,
    ExpectOrigin,
    Verdict,
)
from checks.soft404 import (
    PageSummary,
    catch_all_reason,
    parked_reason,
    random_sibling_url,
    soft404_reason,
)

log = logging.getLogger(__name__)

# Verdicts under which a catch-all probe can still change the outcome: the page was
# served, and a host that answers every path the same way would explain it.
_PROBE_WHEN = frozenset({Verdict.OK, Verdict.MOVED, Verdict.ANCHOR_MISSING, Verdict.CLAIM_MISSING})
_PASSWORD_FIELD = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password", re.I)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*charset\s*=\s*["']?([-\w.:]+)""", re.I)


# Jitter and probe paths need no private generator per check (seeding one costs more
# than using it); Random's methods are safe to share between threads.
_SHARED_RNG = random.Random()
# A forked worker draws its own jitter and probe paths, not its parent's sequence.
os.register_at_fork(after_in_child=_SHARED_RNG.seed)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def new_connections(
    settings: CheckSettings,
    *,
    resolver: netpolicy.Resolver | None = None,
    max_hosts: int = 64,
    per_host: int = 32,
) -> netpolicy.GuardedAdapter:
    """Connection pools to share between the sessions of a run's worker threads.

    Thread-safe. Each host gets one pool of up to ``per_host`` idle connections
    (at least the number of threads, so that no connection a thread gives back is
    thrown away); the ``max_hosts`` most recently used hosts keep theirs. Every
    connection goes only to an address the settings' network policy allows, vetted
    when it is made, and carries no state from one request to the next (cookies
    live in each check).
    """
    guard = netpolicy.AddressGuard(
        allow_private=settings.allow_private, resolver=resolver or netpolicy.system_resolver
    )
    return netpolicy.GuardedAdapter(guard, pool_connections=max_hosts, pool_maxsize=per_host)


def new_session(
    settings: CheckSettings,
    *,
    resolver: netpolicy.Resolver | None = None,
    connections: netpolicy.GuardedAdapter | None = None,
) -> requests.Session:
    """A session for one worker thread, with the settings' identity and policy.

    Connections go only to addresses the network policy allows (resolved once and
    connected to directly); no environment proxies, ``.netrc`` or shared cookies.
    ``connections`` (from :func:`new_connections`, made for the same settings) are
    shared with other threads' sessions; without them the session gets its own.
    ``resolver`` replaces the system resolver (tests map names without DNS) when the
    session makes its own connections.
    """
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = settings.user_agent
    session.verify = settings.ca_bundle or settings.verify_tls
    # Each check keeps its own cookie jar; the session's must never collect any.
    session.cookies.set_policy(_NoCookies())
    adapter = connections
    if adapter is None:
        adapter = new_connections(settings, resolver=resolver, per_host=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _NoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Cookie, request: object) -> bool:
        return False


def check_url(
    target: CheckTarget,
    settings: CheckSettings,
    *,
    session: requests.Session | None = None,
    hosts: HostPolicy | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> CheckResult:
    """Check one URL and say what a careful reader would conclude.

    ``session`` should come from :func:`new_session` (one per thread); one is made
    (and closed) when absent. ``hosts`` is the run's shared politeness state; a
    private one is used when absent. Never raises (but for an interrupt or a lack of
    memory): what a server does is a verdict, and a fault of the check's own a
    ``transient`` one with the error kind ``internal``.
    """
    owned = session is None
    active = session if session is not None else new_session(settings)
    try:
        return _Check(target, settings, active, hosts or HostPolicy(), now).run()
    except MemoryError:
        raise  # the process, not this page, is in trouble
    except Exception as exc:
        # A fault of ours on one page must not end the run of every other source, nor
        # count against this one: not judged, said plainly, and logged to be mended.
        # Health and the offline tally pass it over; the gate fails on it.
        log.exception("checking %s failed", target.url)
        return CheckResult(
            url=target.url,
            verdict=Verdict.TRANSIENT,
            reason=f"the check itself failed ({type(exc).__name__}): not judged this time",
            checked_at=now(),
            source_id=target.source_id,
            error=f"{type(exc).__name__}: {exc}"[:500],
            error_kind=ErrorKind.INTERNAL,
        )
    finally:
        if owned:
            active.close()


@dataclass
class _Page:
    """What was read from a served page."""

    html: str | None = None  # decoded markup, for HTML pages only
    title: str | None = None
    text: str = ""
    analysis: ContentAnalysis | None = None
    warnings: list[str] = field(default_factory=list)


class _Check:
    def __init__(
        self,
        target: CheckTarget,
        settings: CheckSettings,
        session: requests.Session,
        hosts: HostPolicy,
        now: Callable[[], datetime],
    ) -> None:
        self.target = target
        self.settings = settings
        self.session = session
        self.hosts = hosts
        self.now = now
        self.rng = _SHARED_RNG
        self.base, _, self.fragment = target.url.partition("#")

    def run(self) -> CheckResult:
        checked_at = self.now()
        fetched = http.fetch(
            self.base,
            self.settings,
            self.session,
            self.hosts,
            method="HEAD" if self._head_is_enough() else "GET",
            headers=self._conditional_headers(),
            now=self.now,
            rng=self.rng,
        )
        page = self._read_page(fetched)
        warnings = list(page.warnings)
        evidence = self._evidence(fetched, page, warnings)
        decision = verdict.decide(evidence)
        if decision.verdict in _PROBE_WHEN and self._worth_probing(fetched, page):
            catch_all = self._catch_all(fetched, page)
            if catch_all is not None:
                decision = verdict.decide(_replace(evidence, soft_404=catch_all))
        warnings.extend(self._tls_warnings(fetched))
        analysis = page.analysis
        # What the body turned out to be, judged as the type check judges it: a later
        # check expects what this one read, not what the label claimed.
        read = bool(fetched.body) and fetched.body_problem is None
        return CheckResult(
            url=self.target.url,
            verdict=decision.verdict,
            reason=decision.reason,
            checked_at=checked_at,
            source_id=self.target.source_id,
            status=fetched.status,
            final_url=fetched.final_url,
            suggested_url=decision.suggested_url,
            hops=fetched.hops,
            elapsed_ms=fetched.elapsed_ms,
            bytes_read=len(fetched.body),
            content_type=fetched.content_type,
            document_type=fetched.document_type if read else None,
            fingerprint=analysis.fingerprint if analysis else None,
            claims=analysis.findings if analysis else (),
            error_kind=fetched.error_kind,
            error=fetched.error,
            attempts=fetched.attempts,
            tls_expires_at=fetched.tls_expires_at,
            warnings=tuple(dict.fromkeys(warnings)),
            etag=self._validator(fetched, "etag", self.target.etag),
            last_modified=self._validator(fetched, "last-modified", self.target.last_modified),
            not_modified=fetched.not_modified,
        )

    @staticmethod
    def _validator(fetched: http.Fetched, header: str, previous: str | None) -> str | None:
        # A 304 may omit validators; the previous ones then still describe the page.
        return fetched.headers.get(header) or (previous if fetched.not_modified else None)

    # --- request shape ---

    def _head_is_enough(self) -> bool:
        t = self.target
        return (
            self.settings.head_first
            and not t.claims
            and not self.fragment
            and not t.expect_content_type
        )

    def _conditional_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.target.etag:
            headers["If-None-Match"] = self.target.etag
        if self.target.last_modified:
            headers["If-Modified-Since"] = self.target.last_modified
        return headers

    # --- reading the page ---

    def _read_page(self, fetched: http.Fetched) -> _Page:
        page = _Page()
        if fetched.truncated_at is not None:
            page.warnings.append(f"body truncated at {fetched.truncated_at} bytes")
        if fetched.https_upgrade is not None:
            page.warnings.append(
                f"plain http could not connect ({fetched.https_upgrade}); https answered"
            )
        if fetched.body_cut is not None:
            page.warnings.append(
                f"body truncated: {fetched.body_cut} (after {len(fetched.body)} bytes)"
            )
        body, read_as = _readable(fetched)
        if body and fetched.document_type in http.HTML_TYPES:
            page.html = _decode_html(body, read_as)
        if not fetched.succeeded or fetched.method != "GET":
            return page
        if fetched.body_problem is not None:
            page.warnings.append(f"content not checkable: {fetched.body_problem}")
            return page
        fragment = _landing_fragment(fetched, self.fragment)
        url = f"{fetched.final_url}#{fragment}" if fragment else fetched.final_url
        page.analysis = _analyse(body, read_as, url, self.target, page)
        if page.analysis is not None:
            extracted = page.analysis.extracted
            page.title = extracted.title
            # Everything visible: a "not found" line can sit outside the main content.
            page.text = extracted.full_text or extracted.text
            page.warnings.extend(page.analysis.warnings)
        return page

    def _evidence(
        self, fetched: http.Fetched, page: _Page, warnings: list[str]
    ) -> verdict.Evidence:
        ev = verdict.Evidence(
            requested_url=self.base,
            final_url=fetched.final_url,
            status=fetched.status,
            error_kind=fetched.error_kind,
            error=fetched.error,
            hops=fetched.hops,
            attempts=fetched.attempts,
            not_modified=fetched.not_modified,
            gave_up=fetched.gave_up,
            fragment=self.fragment or None,
        )
        if _downgraded(fetched):
            warnings.append("redirected from https to http")
        if fetched.status is None or fetched.error_kind is not None:
            return ev
        wall = self._challenge(fetched, page)
        if wall is not None:
            ev = _replace(ev, challenge=wall.reason, challenge_proof=wall.proof)
        if not fetched.succeeded or fetched.method != "GET":
            mismatch = None
            if fetched.succeeded:  # a HEAD answer: the header is all there is
                mismatch = _type_mismatch(self.target, fetched.mime, None, "", evidence_found=False)
            return _replace(ev, type_mismatch=mismatch)
        html = page.html or ""
        found = self._evidence_found(page)
        soft = soft404_reason(
            self.base,
            fetched.final_url,
            fetched.status,
            page.title if page.html is not None else None,
            page.text if page.html is not None else "",
            html=page.html,
            evidence_found=found,
        ) or parked_reason(
            page.text if page.html is not None else "",
            html,
            fetched.headers,
            fetched.final_url,
            requested_url=self.base,
        )
        return _replace(
            ev,
            soft_404=soft,
            type_mismatch=_type_mismatch(
                self.target,
                fetched.mime,
                None if fetched.body_problem is not None else fetched.body,
                html,
                evidence_found=found,
            ),
            needs_browser=None if found else _needs_browser(page),
            unavailable=None
            if found
            else maintenance_reason(
                self.base,
                fetched.final_url,
                [hop.status for hop in fetched.hops],
                page.title if page.html is not None else None,
                page.text if page.html is not None else "",
                page.html,
            ),
            anchor_missing=self._anchor_missing(fetched, page, warnings),
            claim_missing=self._claims_missing(fetched, page, warnings),
        )

    def _challenge(self, fetched: http.Fetched, page: _Page) -> Challenge | None:
        assert fetched.status is not None
        found = find_challenge(fetched.status, fetched.headers, page.html or "")
        if found is not None and found.proof >= verdict.ChallengeProof.EXPLICIT:
            return found
        locations = [hop.location for hop in fetched.hops if hop.location]
        interstitial = interstitial_reason(self.base, locations)
        if interstitial is None and not self._evidence_found(page):
            # A page holding what was cited from it is no consent page, whatever its URL.
            interstitial = consent_wall_reason(self.base, locations, fetched.final_url)
        if interstitial is None:
            return found
        # The chain itself went through the wall: as plain as a vendor's own header,
        # and stronger than wording or markers the same page may also carry, which
        # must not weaken the verdict the chain alone would give.
        return Challenge(interstitial, verdict.ChallengeProof.EXPLICIT)

    def _evidence_found(self, page: _Page) -> bool:
        """Whether the page holds every claim cited from it: its own content, which
        no stand-in page or probe can overrule."""
        analysis = page.analysis
        return bool(
            self.target.claims
            and analysis is not None
            and analysis.extracted.unreadable is None
            and not analysis.missing
        )

    def _anchor_missing(
        self, fetched: http.Fetched, page: _Page, warnings: list[str]
    ) -> str | None:
        # A browser lands at the fragment a redirect named, if one did.
        anchor = _landing_fragment(fetched, self.fragment).split(":~:", 1)[0]
        # "#/route" and "#!state" are read by scripts, "#a=b" is state: not anchors.
        if not anchor or page.html is None or anchor[0] in "/!" or "=" in anchor:
            return None
        if anchor_present(page.html, anchor):
            return None
        read = _incomplete_at(fetched)
        if read is not None:
            warnings.append(f"anchor #{anchor} not in the first {read} bytes")
            return None
        return f"anchor #{anchor} not found in the page"

    def _claims_missing(
        self, fetched: http.Fetched, page: _Page, warnings: list[str]
    ) -> str | None:
        analysis = page.analysis
        if analysis is None:
            if self.target.claims:
                warnings.append("claims not checkable: the content could not be read")
            return None
        if analysis.extracted.unreadable is not None:
            if self.target.claims or analysis.text_fragment is not None:
                warnings.append(f"claims not checkable: {analysis.extracted.unreadable}")
            return None
        problems: list[str] = []
        if analysis.missing:
            ids = ", ".join(analysis.missing)
            problems.append(f"claim{'s' if len(analysis.missing) > 1 else ''} not found: {ids}")
        if analysis.text_fragment is False:
            problems.append("text fragment not found")
        if not problems:
            return None
        read = _incomplete_at(fetched)
        if read is not None:
            # The evidence may sit past the cut; do not call a live source stale.
            warnings.append(f"{'; '.join(problems)} in the first {read} bytes")
            return None
        return "; ".join(problems)

    # --- catch-all probe ---

    def _worth_probing(self, fetched: http.Fetched, page: _Page) -> bool:
        if not fetched.succeeded or fetched.method != "GET" or page.html is None:
            return False
        parts = urlsplit(fetched.final_url)
        if parts.path in ("", "/") and not parts.query:
            return False  # the site root is what a catch-all serves; it is alive
        return not self._evidence_found(page)

    def _catch_all(self, fetched: http.Fetched, page: _Page) -> str | None:
        parts = urlsplit(fetched.final_url)
        directory = parts.path.rsplit("/", 1)[0] + "/"
        key = f"catch-all {parts.scheme}://{parts.netloc.lower()}{directory}"
        probe = self.hosts.probe_once(key, lambda: self._probe(fetched.final_url))
        if probe is None or not 200 <= probe.status < 300:
            # The usual case: the random path is missing, so this page is evidence.
            # Fingerprinting the page (the costly part) is only worth it otherwise.
            return None
        assert fetched.status is not None
        summary = PageSummary.of(fetched.status, fetched.final_url, page.title, page.text)
        return catch_all_reason(summary, probe, requested_url=self.base)

    def _probe(self, url: str) -> PageSummary | None:
        probe_url = random_sibling_url(url, self.rng)
        fetched = http.fetch(
            probe_url,
            self.settings,
            self.session,
            self.hosts,
            now=self.now,
            rng=self.rng,
            probe=True,
        )
        if fetched.status is None or fetched.error_kind is not None:
            return None  # no answer: no evidence either way
        title, text = None, ""
        if fetched.succeeded and fetched.body and fetched.document_type in http.HTML_TYPES:
            scratch = _Page()
            body, read_as = _readable(fetched)
            analysis = _analyse(body, read_as, fetched.final_url, None, scratch)
            if analysis is not None:
                extracted = analysis.extracted
                title, text = extracted.title, extracted.full_text or extracted.text
        return PageSummary.of(fetched.status, fetched.final_url, title, text)

    def _tls_warnings(self, fetched: http.Fetched) -> list[str]:
        if fetched.tls_expires_at is None:
            return []
        warning = tls.expiry_warning(
            fetched.tls_host or "",
            fetched.tls_expires_at,
            self.now(),
            self.settings.tls_warn_days,
        )
        return [warning] if warning else []


def _analyse(
    body: bytes,
    content_type: str | None,
    url: str,
    target: CheckTarget | None,
    page: _Page,
) -> ContentAnalysis | None:
    claims = target.claims if target is not None else ()
    try:
        return analyse(body, content_type, url, claims)
    except Exception as exc:
        # A parser tripped over what the server sent; the fetch verdict still stands.
        log.exception("content analysis failed for %s", url)
        page.warnings.append(f"content could not be analysed ({type(exc).__name__})")
        return None


def _replace(ev: verdict.Evidence, **changes: Any) -> verdict.Evidence:
    return dataclasses.replace(ev, **changes)


def _needs_browser(page: _Page) -> str | None:
    """Why the served page stands in front of the source (a script shell, a login
    form), or None."""
    if page.html is None:
        return None
    # Only a page with almost no text of its own can be a shell: parsing every page
    # again to find out would cost more than the rest of its check.
    letters = itertools.islice((c for c in page.text if c.isalpha()), SHELL_LETTERS)
    if sum(1 for _ in letters) < SHELL_LETTERS:
        shell = script_shell_reason(page.html)
        if shell is not None:
            return shell
    return login_wall_reason(page.html)


def _landing_fragment(fetched: http.Fetched, cited: str) -> str:
    """The fragment the reader ends at: the cited one, or one a redirect named."""
    return verdict.landing_fragment(fetched.hops, cited or None) or ""


def _incomplete_at(fetched: http.Fetched) -> int | None:
    """How many bytes of a body that was not read to its end were read, or None."""
    if fetched.truncated_at is not None:
        return fetched.truncated_at
    return len(fetched.body) if fetched.body_cut is not None else None


def _read_as(fetched: http.Fetched) -> str | None:
    """The content type to read the body as: the served one, or what the body turned
    out to be (an HTML error page served as ``application/pdf``), its charset kept."""
    served = fetched.effective_content_type
    found = fetched.document_type
    if found is None or found == fetched.mime:
        return served
    _, _, parameters = (served or "").partition(";")
    return f"{found};{parameters}" if parameters else found


def _readable(fetched: http.Fetched) -> tuple[bytes, str | None]:
    """The body to read and the content type to read it as: a page declared UTF-8
    that holds Windows-1252 bytes is read with those bytes repaired."""
    return http.repair_declared_utf8(fetched.body, _read_as(fetched))


def _decode_html(body: bytes, content_type: str | None) -> str:
    bom = bom_codec(body)
    if bom is not None:
        # A byte order mark outranks the charset declared, as in browsers.
        return body.decode("utf-8-sig" if bom == "utf-8" else "utf-16", errors="replace")
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        match = _META_CHARSET.search(body[:4096])
        charset = match.group(1).decode("ascii", "replace") if match else None
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _type_mismatch(
    target: CheckTarget,
    label: str | None,
    body: bytes | None,
    html: str,
    *,
    evidence_found: bool,
) -> str | None:
    """Why the served document is not the kind expected of ``target``, or None when it
    fits.

    ``label`` is the served media type; ``body`` the body read, or None when it is
    unknown (a HEAD answer, a body that could not be decoded): then the label is all
    there is to judge. An empty body (or one of white space only) is never the
    document cited, whether a type was expected or not. A body says what it is over its
    label, so a PDF served as ``application/octet-stream`` fits a PDF citation and an
    HTML page labelled ``application/pdf`` does not. The reason names where the
    expectation comes from: the citation, or what earlier checks were served.

    ``evidence_found`` says the page holds every claim cited from it: then a type only
    learned from earlier checks is not held against it (a cited type still is).
    """
    want = http.media_type(target.expect_content_type)
    if body is not None and not body.strip():
        # Nothing to read, whatever was cited: a page whose code failed before it
        # wrote anything answers 200 all the same.
        if want is None:
            return "served an empty body where a document is cited"
        return _mismatch_reason(target, want, "an empty body")
    if want is None:
        return None
    if evidence_found and target.expect_origin is ExpectOrigin.LEARNED:
        # A learned type is there to catch a login or landing page standing in for
        # the document; a page holding all that was cited from it is the document,
        # republished in another format.
        return None
    served = label if body is None else http.sniffed_media_type(label, body)
    if _compatible(want, served):
        return None
    shown = served or "no content type"
    if served != label:
        shown += f" (labelled {label or 'with no content type'})"
    if served in http.HTML_TYPES and _PASSWORD_FIELD.search(html):
        shown += " (login page?)"
    return _mismatch_reason(target, want, shown)


def _mismatch_reason(target: CheckTarget, want: str, shown: str) -> str:
    if target.expect_origin is not ExpectOrigin.LEARNED:
        return f"cited as {want}, served {shown}"
    # No type was cited: the owner needs to hear that the monitor itself saw the
    # document change, and when it last saw it as it was.
    kind = "a PDF" if want in http.PDF_TYPES else want
    seen = target.expect_seen_at
    until = f"until {seen.date().isoformat()}" if seen is not None else "before"
    return f"served {kind} {until}, now {shown}"


_EQUIVALENT = (http.HTML_TYPES, http.PDF_TYPES, frozenset({"text/xml", "application/xml"}))


def _compatible(want: str, served: str | None) -> bool:
    if served is None:
        return False
    if want == served or (want.endswith("/*") and served.startswith(want[:-1])):
        return True
    return any(want in group and served in group for group in _EQUIVALENT)


def _downgraded(fetched: http.Fetched) -> bool:
    urls: Sequence[str] = [hop.url for hop in fetched.hops] + [fetched.final_url]
    schemes = [u.partition(":")[0].lower() for u in urls]
    return any(a == "https" and b == "http" for a, b in itertools.pairwise(schemes))
