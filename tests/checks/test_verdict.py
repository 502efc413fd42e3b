"""The verdict table and the retry rule, without any network."""

from __future__ import annotations

from dataclasses import replace

import pytest

from checks.model import ErrorKind, RedirectHop, Verdict
from checks.verdict import (
    Evidence,
    decide,
    is_trouble_status,
    moved_target,
    should_retry_error,
    should_retry_status,
    status_text,
    waits_before_retry,
)

URL = "http://example.org/report"
OK_200 = Evidence(requested_url=URL, final_url=URL, status=200)


def hop(url: str, status: int, location: str) -> RedirectHop:
    return RedirectHop(url=url, status=status, location=location, elapsed_ms=1.0)


@pytest.mark.parametrize(
    ("status", "expected", "reason"),
    [
        (200, Verdict.OK, "200 OK"),
        (204, Verdict.OK, "204 No Content"),
        (404, Verdict.BROKEN, "404 Not Found"),
        (410, Verdict.BROKEN, "410 Gone"),
        (400, Verdict.BROKEN, "HTTP 400 Bad Request"),
        (405, Verdict.BROKEN, "HTTP 405 Method Not Allowed"),
        (401, Verdict.BLOCKED, "401 Unauthorized: the server asks for a login"),
        (403, Verdict.BLOCKED, "403 Forbidden: access refused"),
        (429, Verdict.BLOCKED, "429 Too Many Requests: rate limited"),
        (451, Verdict.BLOCKED, "451 Unavailable For Legal Reasons"),
        (999, Verdict.BLOCKED, "999 request refused"),
        (500, Verdict.TRANSIENT, "500 Internal Server Error"),
        (503, Verdict.TRANSIENT, "503 Service Unavailable"),
        (530, Verdict.TRANSIENT, "HTTP 530"),
        (408, Verdict.TRANSIENT, "408 Request Timeout"),
        (600, Verdict.TRANSIENT, "unexpected status HTTP 600"),
    ],
)
def test_status_codes(status: int, expected: Verdict, reason: str) -> None:
    decision = decide(replace(OK_200, status=status))
    assert decision.verdict is expected
    assert decision.reason.startswith(reason)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (ErrorKind.INVALID_URL, Verdict.INVALID),
        (ErrorKind.POLICY, Verdict.INVALID),
        (ErrorKind.TLS, Verdict.TLS_ERROR),
        (ErrorKind.DNS, Verdict.BROKEN),
        (ErrorKind.REFUSED, Verdict.BROKEN),
        (ErrorKind.REDIRECT_LOOP, Verdict.BROKEN),
        (ErrorKind.TOO_MANY_REDIRECTS, Verdict.BROKEN),
        (ErrorKind.MISSING_LOCATION, Verdict.BROKEN),
        (ErrorKind.RESET, Verdict.TRANSIENT),
        (ErrorKind.CONNECT_TIMEOUT, Verdict.TRANSIENT),
        (ErrorKind.READ_TIMEOUT, Verdict.TRANSIENT),
        (ErrorKind.DEADLINE, Verdict.TRANSIENT),
        (ErrorKind.PROTOCOL, Verdict.TRANSIENT),
        (ErrorKind.OTHER, Verdict.TRANSIENT),
    ],
)
def test_error_kinds(kind: ErrorKind, expected: Verdict) -> None:
    ev = Evidence(requested_url=URL, error_kind=kind, error=f"the {kind} text")
    decision = decide(ev)
    assert decision.verdict is expected
    assert f"the {kind} text" in decision.reason


def test_policy_reason_says_it_was_the_policy() -> None:
    ev = Evidence(requested_url=URL, error_kind=ErrorKind.POLICY, error="10.0.0.1 is private")
    assert decide(ev).reason == "refused by the network policy: 10.0.0.1 is private"


def test_precedence_follows_the_documented_order() -> None:
    everything = replace(
        OK_200,
        challenge="bot challenge (Cloudflare)",
        soft_404="page reads as not found",
        type_mismatch="cited as application/pdf, served text/html",
        anchor_missing="anchor #x not found",
        claim_missing="claim c1 not found",
        hops=(hop("http://example.org/report", 301, "https://example.org/report"),),
        final_url="https://example.org/report",
    )
    order = [
        ("error_kind", Verdict.INVALID, ErrorKind.POLICY),
        ("error_kind", Verdict.TLS_ERROR, ErrorKind.TLS),
        ("error_kind", Verdict.BROKEN, ErrorKind.DNS),
    ]
    for _field, expected, kind in order:
        assert decide(replace(everything, error_kind=kind)).verdict is expected
    assert decide(replace(everything, status=404, challenge=None)).verdict is Verdict.BROKEN
    assert decide(everything).verdict is Verdict.BLOCKED
    assert decide(replace(everything, challenge=None, status=503)).verdict is Verdict.TRANSIENT
    remaining = replace(everything, challenge=None)
    for name, expected in [
        ("soft_404", Verdict.SOFT_404),
        ("type_mismatch", Verdict.TYPE_MISMATCH),
        ("anchor_missing", Verdict.ANCHOR_MISSING),
        ("claim_missing", Verdict.CLAIM_MISSING),
    ]:
        assert decide(remaining).verdict is expected
        remaining = replace(remaining, **{name: None})
    assert decide(remaining).verdict is Verdict.MOVED
    assert decide(replace(remaining, hops=())).verdict is Verdict.OK


def test_a_challenge_blocks_even_a_200() -> None:
    decision = decide(replace(OK_200, challenge="bot challenge (Cloudflare)"))
    assert decision.verdict is Verdict.BLOCKED
    assert decision.reason == "200 OK: bot challenge (Cloudflare)"


def test_attempts_and_give_up_reason_are_reported() -> None:
    decision = decide(replace(OK_200, status=503, attempts=3))
    assert decision.reason == "503 Service Unavailable (after 3 attempts)"
    decision = decide(replace(OK_200, status=429, gave_up="asked to retry after 3600 s"))
    assert decision.reason == ("429 Too Many Requests: rate limited; asked to retry after 3600 s")
    assert decide(replace(OK_200, attempts=2)).reason == "200 OK, on attempt 2"


def test_not_modified_is_ok() -> None:
    decision = decide(replace(OK_200, status=304, not_modified=True))
    assert decision.verdict is Verdict.OK
    assert decision.reason == "not modified since the previous check"


def test_moved_keeps_the_cited_fragment() -> None:
    ev = replace(
        OK_200,
        hops=(hop(URL, 308, "https://new.example.org/report"),),
        final_url="https://new.example.org/report",
        fragment="section-2",
    )
    decision = decide(ev)
    assert decision.verdict is Verdict.MOVED
    assert decision.suggested_url == "https://new.example.org/report#section-2"
    assert decision.reason == "moved (308): cite https://new.example.org/report#section-2 instead"


def test_temporary_redirect_is_ok_with_the_hops_named() -> None:
    ev = replace(
        OK_200,
        hops=(hop(URL, 302, "http://example.org/r2"), hop("http://example.org/r2", 307, "x")),
        final_url="http://example.org/current",
    )
    decision = decide(ev)
    assert decision.verdict is Verdict.OK
    assert decision.reason == "200 OK after 2 redirects (302, 307)"
    assert decision.suggested_url is None


@pytest.mark.parametrize(
    ("chain", "final", "expected"),
    [
        # every hop permanent
        ([(URL, 301, "http://example.org/a"), ("http://example.org/a", 308, "http://b/")],
         "http://b/", "http://b/"),
        # a temporary hop to somewhere else
        ([(URL, 301, "http://example.org/a"), ("http://example.org/a", 302, "http://b/")],
         "http://b/", None),
        # temporary, but only an upgrade to https
        ([(URL, 302, "https://example.org/report")], "https://example.org/report",
         "https://example.org/report"),
        # temporary, but only adds a trailing slash
        ([(URL, 302, "http://example.org/report/")], "http://example.org/report/",
         "http://example.org/report/"),
        # both at once
        ([(URL, 307, "https://example.org/report/")], "https://example.org/report/",
         "https://example.org/report/"),
        # upgrade that also changes the host is not just an upgrade
        ([(URL, 302, "https://www.example.org/report")], "https://www.example.org/report",
         None),
        # a downgrade is not an upgrade
        ([("https://example.org/x", 302, "http://example.org/x")], "http://example.org/x", None),
        # a meta refresh counts as permanent
        ([(URL, 200, "http://example.org/new")], "http://example.org/new",
         "http://example.org/new"),
        # a chain that comes back to the cited URL has not moved
        ([(URL, 301, "http://example.org/set-cookie"),
          ("http://example.org/set-cookie", 301, URL)], URL, None),
    ],
)  # fmt: skip
def test_moved_target(chain: list[tuple[str, int, str]], final: str, expected: str | None) -> None:
    hops = [hop(*link) for link in chain]
    assert moved_target(URL if chain[0][0] == URL else chain[0][0], hops, final) == expected


def test_retry_rule() -> None:
    statuses = (200, 301, 404, 408, 429, 500, 501, 503, 999)
    assert [s for s in statuses if is_trouble_status(s)] == [408, 429, 500, 503]
    assert [s for s in statuses if should_retry_status(s, attempt=1)] == [408, 429, 500, 503]
    # A plain 500 gets one more attempt; gateway and overload answers get every one, and
    # so does a 500 that says when to come back.
    assert not should_retry_status(500, attempt=2)
    assert should_retry_status(500, attempt=2, asked_to_wait=True)
    assert all(should_retry_status(s, attempt=2) for s in (429, 502, 503, 504))
    # The 500 is asked again at once; answers that say the server needs time wait.
    assert [s for s in (408, 429, 500, 502, 503, 504) if not waits_before_retry(s)] == [500]
    assert waits_before_retry(500, asked_to_wait=True)
    assert should_retry_error(ErrorKind.READ_TIMEOUT, attempt=3)
    assert should_retry_error(ErrorKind.RESET, attempt=2)
    assert should_retry_error(ErrorKind.REFUSED, attempt=1)
    assert not should_retry_error(ErrorKind.REFUSED, attempt=2)
    for kind in (ErrorKind.DNS, ErrorKind.TLS, ErrorKind.POLICY, ErrorKind.DEADLINE):
        assert not should_retry_error(kind, attempt=1)


def test_status_text() -> None:
    assert status_text(404) == "404 Not Found"
    assert status_text(999) == "HTTP 999"
