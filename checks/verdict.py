"""The verdict table: what a check's evidence means, decided in one place.

:func:`decide` turns the evidence of one check into a :class:`~checks.model.Verdict`
and a reason a person can read. The retry rule sits beside it, because "worth another
try" and "inconclusive" are two views of the same classification. Outside this module
and :mod:`checks.http`, no code looks at HTTP status codes.
"""

from __future__ import annotations

import enum
import http
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from checks.model import ErrorKind, RedirectHop, Verdict

PERMANENT_REDIRECTS = frozenset({301, 308})
# 408 Request Timeout and 425 Too Early say "try again", like a 5xx.
_RETRY_4XX = frozenset({408, 425})
# Access refused or throttled: the page may well exist. 999 is LinkedIn's (and a few
# others') answer to clients it takes for bots; 451 is a legal block.
BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 451, 999})
GONE_STATUSES = frozenset({404, 410})

_INVALID_KINDS = frozenset({ErrorKind.POLICY, ErrorKind.INVALID_URL})
_BROKEN_KINDS = frozenset(
    {
        ErrorKind.DNS,
        ErrorKind.REFUSED,
        ErrorKind.REDIRECT_LOOP,
        ErrorKind.TOO_MANY_REDIRECTS,
        ErrorKind.MISSING_LOCATION,
    }
)
_RETRY_KINDS = frozenset(
    {
        ErrorKind.CONNECT_TIMEOUT,
        ErrorKind.READ_TIMEOUT,
        ErrorKind.RESET,
        ErrorKind.PROTOCOL,
        ErrorKind.REFUSED,
    }
)


# --- status classes (the only place besides checks.http that reads status codes) ---


def is_success(status: int) -> bool:
    """2xx: the server answered with the resource."""
    return 200 <= status < 300


def is_not_modified(status: int) -> bool:
    """304: the conditional request found the resource unchanged."""
    return status == 304


def is_redirect(status: int) -> bool:
    """3xx other than 304: a redirect (followed when it names a Location)."""
    return 300 <= status < 400 and status != 304


def is_client_error(status: int) -> bool:
    """4xx: used to fall back from HEAD to GET, since many servers mishandle HEAD."""
    return 400 <= status < 500


def status_text(status: int) -> str:
    """``404 Not Found`` style text for a status code."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


# --- the retry rule ---


def is_trouble_status(status: int) -> bool:
    """Whether a response with this status says the server or the client's rate is in
    trouble (429, 408 and the like, 5xx but 501): worth asking again, and counted
    against its host when it is the last answer."""
    return status == 429 or status in _RETRY_4XX or (500 <= status < 600 and status != 501)


def should_retry_status(status: int, *, attempt: int, asked_to_wait: bool = False) -> bool:
    """Whether a response with this status is worth another attempt (``attempt``
    counts from 1; ``asked_to_wait``: it carried ``Retry-After``).

    A plain 500 is asked once more only: a page that fails for a moment answers the
    second time, while one whose code is broken fails every time, however long it is
    given. Gateway and overload answers (502, 503, 504), 429, and any answer that says
    when to come back get every retry.
    """
    if status == 500 and not asked_to_wait:
        return attempt == 1
    return is_trouble_status(status)


def waits_before_retry(status: int, *, asked_to_wait: bool = False) -> bool:
    """Whether asking again after a response with this status first waits out a
    backoff (``asked_to_wait``: it carried ``Retry-After``, which is always obeyed).

    A plain 500 is asked again at once: a page that failed for a moment answers the
    next request, and one whose code is broken fails again however long it is given,
    so a wait would only lengthen the run. Gateway and overload answers and 429 say
    that the server needs time, and get it.
    """
    return status != 500 or asked_to_wait


def should_retry_error(kind: ErrorKind, *, attempt: int) -> bool:
    """Whether a network failure is worth another attempt (``attempt`` counts from 1).

    A refused connection is retried once only: a server restarting refuses for a
    moment, a host with nothing listening refuses forever.
    """
    if kind is ErrorKind.REFUSED:
        return attempt == 1
    return kind in _RETRY_KINDS


# --- the verdict table ---


class ChallengeProof(enum.IntEnum):
    """What shows that an answer is a bot wall, weakest first. The stronger the proof,
    the more of the answer's own status it explains away."""

    # A CAPTCHA widget or "verify you are human" wording: ordinary pages, error pages
    # included, carry them too.
    WORDING = 1
    # A bot-defence vendor's challenge page markers (or its header with a refusal).
    VENDOR = 2
    # The vendor's own header naming the answer a challenge (cf-mitigated,
    # x-amzn-waf-action, x-sucuri-block), or a redirect to a challenge interstitial.
    EXPLICIT = 3


@dataclass(frozen=True)
class Evidence:
    """What one check observed. Every field is optional; absent means "not seen"."""

    requested_url: str
    final_url: str | None = None
    status: int | None = None
    error_kind: ErrorKind | None = None
    error: str | None = None  # human text for error_kind
    hops: tuple[RedirectHop, ...] = ()
    attempts: int = 1
    not_modified: bool = False
    challenge: str | None = None  # bot challenge / bot wall detected
    challenge_proof: ChallengeProof = ChallengeProof.WORDING  # how the challenge was seen
    gave_up: str | None = None  # why retrying stopped early (e.g. Retry-After too long)
    soft_404: str | None = None  # soft-404, parked domain or catch-all host
    type_mismatch: str | None = None
    # The page served stands in front of the source: only a browser running its
    # scripts, or a person logging in, gets past it.
    needs_browser: str | None = None
    # The page served says the site is down for maintenance: it will be back.
    unavailable: str | None = None
    anchor_missing: str | None = None
    claim_missing: str | None = None
    fragment: str | None = None  # carried over to the suggested URL


@dataclass(frozen=True)
class Decision:
    """A verdict, the reason for it, and the URL to cite instead when it moved."""

    verdict: Verdict
    reason: str
    suggested_url: str | None = None


Rule = Callable[[Evidence], Decision | None]


def decide(ev: Evidence) -> Decision:
    """The verdict for one check, by explicit precedence (first matching rule wins).

    1. ``invalid``         the URL is malformed, unsupported or refused by the policy
    2. ``tls_error``       the certificate failed verification, or the handshake did
                           (the server hung up in it on every attempt)
    3. ``broken``          404/410 or another 4xx (unless a vendor's bot challenge
                           answered with it: for 404/410, only one the vendor names
                           explicitly); DNS failure; connection refused; redirect loop,
                           too many redirects, redirect without Location
    4. ``blocked``         401, 403, 407, 429, 451, 999, or a bot challenge page
                           with any other status
    5. ``transient``       5xx, 408, 425; timeouts, resets, protocol errors, deadline;
                           or a 2xx "down for maintenance" page standing in for the source
    6. ``soft_404``        answers 2xx but the page is gone (not-found text, redirect to
                           the site root, parked domain, catch-all host)
    7. ``type_mismatch``   not the kind of document cited
    8. ``blocked``         the page is a stand-in that needs a browser or a login (an
                           application shell written by scripts, a password form)
    9. ``anchor_missing``  the ``#fragment`` is not in the page
    10. ``claim_missing``  the cited evidence (or text fragment) is not in the page
    11. ``moved``          works, but every redirect was permanent (or an upgrade to
                           https / a trailing slash): cite the final URL instead
    12. ``ok``             everything as expected (2xx, or 304 not modified)

    Failures that say nothing about the source (blocked, transient) rank below hard
    evidence that it is gone, and content findings only count once the page was
    actually served.
    """
    for rule in _RULES:
        decision = rule(ev)
        if decision is not None:
            return decision
    raise AssertionError(f"no rule matched {ev!r}")  # the ok rule always matches


def _invalid(ev: Evidence) -> Decision | None:
    if ev.error_kind in _INVALID_KINDS:
        prefix = "refused by the network policy: " if ev.error_kind is ErrorKind.POLICY else ""
        return Decision(Verdict.INVALID, prefix + (ev.error or "URL cannot be checked"))
    return None


def _tls(ev: Evidence) -> Decision | None:
    if ev.error_kind is ErrorKind.TLS:
        return Decision(Verdict.TLS_ERROR, ev.error or "TLS: handshake failed")
    return None


def _broken(ev: Evidence) -> Decision | None:
    if ev.error_kind in _BROKEN_KINDS:
        return Decision(Verdict.BROKEN, _with_attempts(ev.error or str(ev.error_kind), ev))
    if ev.error_kind is None and ev.status is not None and not _status_is_the_walls(ev):
        if ev.status in GONE_STATUSES:
            return Decision(Verdict.BROKEN, status_text(ev.status))
        if (
            is_client_error(ev.status)
            and ev.status not in BLOCKED_STATUSES
            and ev.status not in _RETRY_4XX
        ):
            return Decision(Verdict.BROKEN, f"HTTP {status_text(ev.status)}")
    return None


def _status_is_the_walls(ev: Evidence) -> bool:
    """Whether the answer's status belongs to a bot wall rather than to the page.

    A vendor's wall answers with whatever status the vendor picked (AWS WAF's CAPTCHA
    is a 405, some challenges are 400s or even 404s), which then says nothing about
    whether the source is gone. A CAPTCHA widget or "human check" wording alone does
    not explain a client error away: sites load such widgets on every page, their
    error pages included. A 404 or 410 is the page's own answer unless the vendor says
    in so many words that it is a challenge.
    """
    if ev.challenge is None:
        return False
    if ev.status in GONE_STATUSES:
        return ev.challenge_proof >= ChallengeProof.EXPLICIT
    return ev.challenge_proof >= ChallengeProof.VENDOR


def _blocked(ev: Evidence) -> Decision | None:
    if ev.error_kind is not None:
        return None
    if ev.challenge is not None:
        if ev.status is None or ev.status == 999:
            return Decision(Verdict.BLOCKED, ev.challenge)
        return Decision(Verdict.BLOCKED, f"{status_text(ev.status)}: {ev.challenge}")
    if ev.status is None or ev.status not in BLOCKED_STATUSES:
        return None
    meaning = {
        401: "the server asks for a login",
        403: "access refused (the site may refuse automated checks)",
        407: "a proxy asks for a login",
        429: "rate limited",
        451: "unavailable for legal reasons",
        999: "request refused (a status some sites send to clients they take for bots)",
    }[ev.status]
    text = f"{ev.status} {meaning}" if ev.status == 999 else f"{status_text(ev.status)}: {meaning}"
    if ev.gave_up:
        text += f"; {ev.gave_up}"
    return Decision(Verdict.BLOCKED, _with_attempts(text, ev))


def _transient(ev: Evidence) -> Decision | None:
    if ev.error_kind is not None:
        return Decision(Verdict.TRANSIENT, _with_attempts(ev.error or str(ev.error_kind), ev))
    if ev.status is None or is_success(ev.status) or is_not_modified(ev.status):
        return None
    if is_redirect(ev.status):
        # A redirect that was not followed ends as a policy or loop error above; one
        # left here is a server quirk worth a second look, not evidence of death.
        return Decision(Verdict.TRANSIENT, f"unexpected {status_text(ev.status)}")
    text = status_text(ev.status)
    if not (500 <= ev.status < 600 or ev.status in _RETRY_4XX):
        text = f"unexpected status {text}"
    if ev.gave_up:
        text += f"; {ev.gave_up}"
    return Decision(Verdict.TRANSIENT, _with_attempts(text, ev))


def _unavailable(ev: Evidence) -> Decision | None:
    if not ev.unavailable:
        return None
    if ev.status is None:
        return Decision(Verdict.TRANSIENT, ev.unavailable)
    return Decision(Verdict.TRANSIENT, f"{status_text(ev.status)}: {ev.unavailable}")


def _soft_404(ev: Evidence) -> Decision | None:
    if ev.soft_404:
        return Decision(Verdict.SOFT_404, f"soft 404: {ev.soft_404}")
    return None


def _type_mismatch(ev: Evidence) -> Decision | None:
    if ev.type_mismatch:
        return Decision(Verdict.TYPE_MISMATCH, ev.type_mismatch)
    return None


def _needs_browser(ev: Evidence) -> Decision | None:
    if not ev.needs_browser:
        return None
    if ev.status is None:
        return Decision(Verdict.BLOCKED, ev.needs_browser)
    return Decision(Verdict.BLOCKED, f"{status_text(ev.status)}: {ev.needs_browser}")


def _anchor_missing(ev: Evidence) -> Decision | None:
    if ev.anchor_missing:
        return Decision(Verdict.ANCHOR_MISSING, ev.anchor_missing)
    return None


def _claim_missing(ev: Evidence) -> Decision | None:
    if ev.claim_missing:
        return Decision(Verdict.CLAIM_MISSING, ev.claim_missing)
    return None


def _moved(ev: Evidence) -> Decision | None:
    if ev.not_modified or not ev.hops or ev.final_url is None:
        return None
    target = moved_target(ev.requested_url, ev.hops, ev.final_url)
    if target is None:
        return None
    suggested = _with_fragment(target, landing_fragment(ev.hops, ev.fragment))
    kinds = sorted({_hop_kind(hop) for hop in ev.hops})
    return Decision(
        Verdict.MOVED,
        f"moved ({', '.join(kinds)}): cite {suggested} instead",
        suggested_url=suggested,
    )


def _ok(ev: Evidence) -> Decision:
    if ev.not_modified:
        return Decision(Verdict.OK, "not modified since the previous check")
    text = status_text(ev.status) if ev.status is not None else "reachable"
    if ev.hops:
        n = len(ev.hops)
        kinds = ", ".join(sorted({_hop_kind(hop) for hop in ev.hops}))
        text += f" after {n} redirect{'s' if n > 1 else ''} ({kinds})"
    return _with_attempts_decision(Verdict.OK, text, ev)


_RULES: Sequence[Rule] = (
    _invalid,
    _tls,
    _broken,
    _blocked,
    _transient,
    _unavailable,
    _soft_404,
    _type_mismatch,
    _needs_browser,
    _anchor_missing,
    _claim_missing,
    _moved,
    _ok,
)


# --- redirects ---


def moved_target(requested_url: str, hops: Sequence[RedirectHop], final_url: str) -> str | None:
    """The URL to cite instead, when the redirect chain says the source moved.

    A chain counts as a move when every hop is permanent (301, 308, an instant meta
    refresh) or only upgrades the URL (http to https, an added trailing slash, or
    both). Temporary redirects (302, 303, 307) to other places are how many sites
    serve a stable URL, so they do not make a citation stale.
    """
    if _strip_fragment(final_url) == _strip_fragment(requested_url):
        return None
    for hop in hops:
        if not (is_permanent(hop) or _is_upgrade(hop.url, hop.location or "")):
            return None
    return final_url


def landing_fragment(hops: Sequence[RedirectHop], fragment: str | None) -> str | None:
    """The fragment a browser ends the chain at: the cited one, unless a redirect's
    Location names its own, which replaces it from there on (RFC 9110, 10.2.2): a page
    merged into a section of a longer one is cited with that section's fragment."""
    for hop in hops:
        named = urlsplit(hop.location or "").fragment
        if named:
            fragment = named
    return fragment


def is_permanent(hop: RedirectHop) -> bool:
    """A permanent redirect, or a page that sends the reader on (a short refresh or a
    stub page's script redirect, recorded with the page's 2xx status).

    Only short refreshes and stub pages are followed at all; a page whose whole job is
    to send readers elsewhere has moved, as far as a citation is concerned.
    """
    return hop.status in PERMANENT_REDIRECTS or is_success(hop.status)


def _hop_kind(hop: RedirectHop) -> str:
    # A 2xx hop is the page's own doing: a meta refresh, a Refresh header or a script.
    if is_success(hop.status):
        return "page redirect"
    return str(hop.status)


def _is_upgrade(url: str, location: str) -> bool:
    a, b = urlsplit(url), urlsplit(location)
    if not b.scheme:
        return False
    if (a.hostname or "").lower() != (b.hostname or "").lower() or a.query != b.query:
        return False
    scheme_ok = a.scheme == b.scheme or (a.scheme == "http" and b.scheme == "https")
    port_ok = a.port == b.port or (a.port in (None, 80) and b.port in (None, 443))
    path_ok = a.path == b.path or (a.path or "/").rstrip("/") + "/" == b.path
    changed = a.scheme != b.scheme or a.path != b.path
    return scheme_ok and port_ok and path_ok and changed


def _strip_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def _with_fragment(url: str, fragment: str | None) -> str:
    if not fragment or urlsplit(url).fragment:
        return url
    return f"{_strip_fragment(url)}#{fragment}"


def _with_attempts(text: str, ev: Evidence) -> str:
    return f"{text} (after {ev.attempts} attempts)" if ev.attempts > 1 else text


def _with_attempts_decision(verdict: Verdict, text: str, ev: Evidence) -> Decision:
    if ev.attempts > 1:
        text += f", on attempt {ev.attempts}"
    return Decision(verdict, text)
