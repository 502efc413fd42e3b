"""Status codes, HEAD fallback, redirects, retries and conditional requests, judged
end to end against a loopback server."""

from __future__ import annotations

from dataclasses import replace

from checks.check import check_url, new_session
from checks.hosts import HostPolicy
from checks.model import CheckSettings, CheckTarget, ErrorKind, Verdict
from tests.checks.conftest import FAST, Check, FakeTime
from tests.checks.pages import CHALLENGE, HOME, REPORT
from tests.checks.server import LoopbackServer, Raw, Reply, Seen, reset_connection, zeros


def redirect(status: int, location: str | None, headers: dict[str, str] | None = None) -> Reply:
    extra = dict(headers or {})
    if location is not None:
        extra["Location"] = location
    return Reply(status, headers=extra, content_type=None)


def methods(server: LoopbackServer, path: str) -> list[str]:
    return [seen.method for seen in server.requests_to(path)]


# --- plain answers ---


def test_200_is_ok_with_the_evidence_recorded(server: LoopbackServer, check: Check) -> None:
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/report"))
    assert result.verdict is Verdict.OK
    assert result.reason == "200 OK"
    assert result.status == 200
    assert result.final_url == server.url("/report")
    assert result.hops == ()
    assert result.bytes_read == len(REPORT)
    assert result.content_type == "text/html; charset=utf-8"
    assert result.fingerprint
    assert result.attempts == 1
    assert result.error_kind is None
    assert result.elapsed_ms is not None and result.elapsed_ms > 0


def test_user_agent_names_the_monitor(server: LoopbackServer, check: Check) -> None:
    server.route("/report", Reply(body=REPORT))
    check(server.url("/report"))
    seen = server.requests_to("/report")[0]
    assert seen.headers["user-agent"] == CheckSettings().user_agent
    assert seen.headers["accept-encoding"] == "gzip, deflate"


def test_per_host_headers_replace_the_user_agent_for_that_host_only(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/report", Reply(body=REPORT))
    browserish = replace(settings, host_headers={"docs.example": {"User-Agent": "Mozilla/5.0"}})
    check(server.url("/report", host="docs.example"), settings=browserish)
    check(server.url("/report"), settings=browserish)
    agents = [seen.headers["user-agent"] for seen in server.requests_to("/report")]
    assert agents == ["Mozilla/5.0", CheckSettings().user_agent]


def test_404_and_410_are_broken(server: LoopbackServer, check: Check) -> None:
    server.route("/gone", Reply(410, body=b"<title>Gone</title>gone"))
    server.route("/missing", Reply(404, body=b"<title>Not here</title>nothing"))
    gone, missing = check(server.url("/gone")), check(server.url("/missing"))
    assert (gone.verdict, gone.reason, gone.status) == (Verdict.BROKEN, "410 Gone", 410)
    assert (missing.verdict, missing.reason) == (Verdict.BROKEN, "404 Not Found")
    assert len(server.requests_to("/missing")) == 1  # a 404 is not retried


def test_other_4xx_is_broken_with_the_status(server: LoopbackServer, check: Check) -> None:
    server.route("/bad", Reply(400, body=b"bad request"))
    result = check(server.url("/bad"))
    assert (result.verdict, result.reason) == (Verdict.BROKEN, "HTTP 400 Bad Request")


def test_403_and_999_are_blocked(server: LoopbackServer, check: Check) -> None:
    server.route("/forbidden", Reply(403, body=b"<p>Forbidden</p>"))
    server.route("/linkedin", Reply(999, body=b""))
    forbidden, linkedin = check(server.url("/forbidden")), check(server.url("/linkedin"))
    assert forbidden.verdict is Verdict.BLOCKED
    assert forbidden.reason.startswith("403 Forbidden: access refused")
    assert linkedin.verdict is Verdict.BLOCKED
    assert linkedin.reason.startswith("bot wall (status 999")


def test_bot_challenge_is_blocked_with_the_vendor_and_not_retried(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/cf", Reply(403, headers={"cf-mitigated": "challenge"}, body=CHALLENGE))
    result = check(server.url("/cf"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "403 Forbidden: bot challenge (Cloudflare)"
    assert len(server.requests_to("/cf")) == 1


def test_challenge_served_as_503_is_blocked_not_transient(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/cf503", Reply(503, headers={"cf-mitigated": "challenge"}, body=CHALLENGE))
    result = check(server.url("/cf503"))
    assert result.verdict is Verdict.BLOCKED
    assert "Cloudflare" in result.reason
    assert len(server.requests_to("/cf503")) == 1


# --- HEAD first ---


def test_head_405_falls_back_to_get(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/nohead", lambda s: Reply(405) if s.method == "HEAD" else Reply(body=REPORT))
    result = check(server.url("/nohead"), settings=replace(settings, head_first=True))
    assert (result.verdict, result.reason) == (Verdict.OK, "200 OK")
    assert methods(server, "/nohead") == ["HEAD", "GET"]


def test_head_404_but_get_200_is_ok(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/headlies", lambda s: Reply(404) if s.method == "HEAD" else Reply(body=REPORT))
    result = check(server.url("/headlies"), settings=replace(settings, head_first=True))
    assert result.verdict is Verdict.OK
    assert methods(server, "/headlies") == ["HEAD", "GET"]


def test_head_is_enough_when_nothing_needs_the_body(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/report"), settings=replace(settings, head_first=True))
    assert (result.verdict, result.bytes_read) == (Verdict.OK, 0)
    assert methods(server, "/report") == ["HEAD"]


def test_head_is_not_used_when_a_fragment_needs_the_body(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/report#intro"), settings=replace(settings, head_first=True))
    assert result.verdict is Verdict.OK
    assert methods(server, "/report") == ["GET"]


# --- redirects ---


def test_301_is_moved_with_the_final_url_suggested(server: LoopbackServer, check: Check) -> None:
    server.route("/old", redirect(301, "/new"))
    server.route("/new", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/new")
    assert result.reason == f"moved (301): cite {server.url('/new')} instead"
    assert [(h.url, h.status, h.location) for h in result.hops] == [
        (server.url("/old"), 301, server.url("/new"))
    ]
    assert result.final_url == server.url("/new")


def test_308_chain_is_moved(server: LoopbackServer, check: Check) -> None:
    server.route("/a", redirect(308, "/b"))
    server.route("/b", redirect(301, "/c"))
    server.route("/c", Reply(body=REPORT))
    result = check(server.url("/a#methods"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/c") + "#methods"
    assert [h.status for h in result.hops] == [308, 301]


def test_temporary_redirect_chain_is_ok_with_hops(server: LoopbackServer, check: Check) -> None:
    server.route("/t1", redirect(302, "/t2"))
    server.route("/t2", redirect(307, "/t3"))
    server.route("/t3", Reply(body=REPORT))
    result = check(server.url("/t1"))
    assert result.verdict is Verdict.OK
    assert result.reason == "200 OK after 2 redirects (302, 307)"
    assert result.suggested_url is None
    assert [(h.status, h.location) for h in result.hops] == [
        (302, server.url("/t2")),
        (307, server.url("/t3")),
    ]


def test_relative_location_is_resolved_against_the_hop(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/docs/2019/report", redirect(302, "../2020/report?v=2"))
    server.route("/docs/2020/report", Reply(body=REPORT))
    result = check(server.url("/docs/2019/report"))
    assert result.verdict is Verdict.OK
    assert result.hops[0].location == server.url("/docs/2020/report?v=2")
    assert result.final_url == server.url("/docs/2020/report?v=2")


def test_redirect_loop_is_broken(server: LoopbackServer, check: Check) -> None:
    server.route("/loop-a", redirect(302, "/loop-b"))
    server.route("/loop-b", redirect(302, "/loop-a"))
    result = check(server.url("/loop-a"))
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.REDIRECT_LOOP
    a, b = server.url("/loop-a"), server.url("/loop-b")
    assert result.reason == f"redirect loop: {a} -> {b} -> {a}"
    assert len(result.hops) == 2
    assert len(server.requests_to("/loop-a")) == 1


def test_more_than_max_redirects_is_broken(server: LoopbackServer, check: Check) -> None:
    def next_hop(seen: Seen) -> Reply:
        n = int(seen.path.rsplit("/", 1)[1])
        return redirect(302, f"/hop/{n + 1}")

    server.fallback = next_hop
    result = check(server.url("/hop/0"))
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.TOO_MANY_REDIRECTS
    assert result.reason == "more than 10 redirects"
    assert len(result.hops) == 11
    assert len(server.log) == 11


def test_redirect_without_location_is_broken(server: LoopbackServer, check: Check) -> None:
    server.route("/nowhere", redirect(302, None))
    result = check(server.url("/nowhere"))
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.MISSING_LOCATION
    assert result.reason == "302 Found redirect without a Location header"
    assert result.status == 302


def test_redirect_to_the_site_root_is_a_soft_404(server: LoopbackServer, check: Check) -> None:
    server.route("/reports/2019/labour-market.html", redirect(302, "/"))
    server.route("/", Reply(body=HOME))
    result = check(server.url("/reports/2019/labour-market.html"))
    assert result.verdict is Verdict.SOFT_404
    assert result.reason.startswith("soft 404: ")
    assert "home" in result.reason or "root" in result.reason
    assert result.hops[0].location == server.url("/")


def test_meta_refresh_is_followed_as_a_hop(server: LoopbackServer, check: Check) -> None:
    moved = b'<html><head><meta http-equiv="refresh" content="0; url=/new-home"></head></html>'
    server.route("/old-home", Reply(body=moved))
    server.route("/new-home", Reply(body=REPORT))
    result = check(server.url("/old-home"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/new-home")
    assert [(h.status, h.location) for h in result.hops] == [(200, server.url("/new-home"))]


def test_slow_meta_refresh_is_not_a_redirect(server: LoopbackServer, check: Check) -> None:
    page = REPORT.replace(b"<head>", b'<head><meta http-equiv="refresh" content="300">')
    server.route("/live", Reply(body=page))
    result = check(server.url("/live"))
    assert (result.verdict, result.hops) == (Verdict.OK, ())


def test_cookie_gate_redirect_works(server: LoopbackServer, check: Check) -> None:
    server.route("/gate", redirect(302, "/behind", {"Set-Cookie": "visited=yes; Path=/"}))
    server.route(
        "/behind",
        lambda s: (
            Reply(body=REPORT)
            if "visited=yes" in s.headers.get("cookie", "")
            else Reply(403, body=b"no cookie")
        ),
    )
    result = check(server.url("/gate"))
    assert result.verdict is Verdict.OK
    assert server.requests_to("/behind")[0].headers["cookie"] == "visited=yes"


def test_coming_back_with_a_new_cookie_is_not_a_loop(server: LoopbackServer, check: Check) -> None:
    def article(seen: Seen) -> Reply:
        if "session=1" in seen.headers.get("cookie", ""):
            return Reply(body=REPORT)
        return redirect(302, "/set-cookie")

    server.route("/article", article)
    server.route("/set-cookie", redirect(302, "/article", {"Set-Cookie": "session=1; Path=/"}))
    result = check(server.url("/article"))
    assert result.verdict is Verdict.OK
    assert [h.status for h in result.hops] == [302, 302]


def test_cookies_do_not_outlive_one_check(
    server: LoopbackServer, settings: CheckSettings, hosts: HostPolicy
) -> None:
    server.route("/set", Reply(headers={"Set-Cookie": "tracker=1; Path=/"}, body=REPORT))
    server.route("/report", Reply(body=REPORT))
    with new_session(settings) as session:
        check_url(CheckTarget(server.url("/set")), settings, session=session, hosts=hosts)
        check_url(CheckTarget(server.url("/report")), settings, session=session, hosts=hosts)
    assert "cookie" not in server.requests_to("/report")[0].headers


# --- retries ---


def test_429_with_retry_after_then_200_is_ok_after_waiting(
    server: LoopbackServer, check: Check, fake_time: FakeTime
) -> None:
    server.sequence(
        "/limited", Reply(429, headers={"Retry-After": "2"}, body=b""), Reply(body=REPORT)
    )
    result = check(server.url("/limited"))
    assert result.verdict is Verdict.OK
    assert result.attempts == 2
    assert result.reason == "200 OK, on attempt 2"
    assert len(server.requests_to("/limited")) == 2
    assert sum(fake_time.sleeps) >= 2.0


def test_retry_after_beyond_the_cap_gives_up_as_blocked(
    server: LoopbackServer, check: Check, fake_time: FakeTime
) -> None:
    server.route("/limited", Reply(429, headers={"Retry-After": "3600"}, body=b""))
    result = check(server.url("/limited"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == (
        "429 Too Many Requests: rate limited; asked to retry after 3600 s, longer than the"
        " 5 s a check waits"
    )
    assert result.attempts == 1
    assert len(server.requests_to("/limited")) == 1
    assert fake_time.sleeps == []


def test_503_once_then_200_is_ok(server: LoopbackServer, check: Check) -> None:
    server.sequence("/flaky", Reply(503, body=b"busy"), Reply(body=REPORT))
    result = check(server.url("/flaky"))
    assert (result.verdict, result.attempts) == (Verdict.OK, 2)


def test_503_always_is_transient_after_all_attempts(
    server: LoopbackServer, check: Check, fake_time: FakeTime
) -> None:
    server.route("/down", Reply(503, body=b"<p>busy</p>"))
    result = check(server.url("/down"))
    assert result.verdict is Verdict.TRANSIENT
    assert result.reason == "503 Service Unavailable (after 3 attempts)"
    assert result.attempts == 3
    assert len(server.requests_to("/down")) == 3
    # exponential backoff between attempts, each at least the base
    assert len(fake_time.sleeps) >= 2
    assert all(s >= 0.005 for s in fake_time.sleeps)


def test_500_is_asked_once_more_only(
    server: LoopbackServer, check: Check, fake_time: FakeTime
) -> None:
    server.route("/broken", Reply(500, body=b"<p>oops</p>"))
    result = check(server.url("/broken"))
    assert result.verdict is Verdict.TRANSIENT
    assert result.reason == "500 Internal Server Error (after 2 attempts)"
    assert len(server.requests_to("/broken")) == 2
    assert fake_time.sleeps == [], "a plain 500 is asked again at once"


def test_a_500_that_says_when_to_come_back_gets_every_retry(
    server: LoopbackServer, check: Check, fake_time: FakeTime
) -> None:
    server.route("/later", Reply(500, headers={"Retry-After": "1"}, body=b"<p>later</p>"))
    result = check(server.url("/later"))
    assert result.verdict is Verdict.TRANSIENT
    assert len(server.requests_to("/later")) == 3
    assert sum(fake_time.sleeps) >= 2.0, "each retry waited as long as it was asked"


def test_the_last_500_of_each_page_counts_towards_a_burst(
    server: LoopbackServer, check: Check, hosts: HostPolicy
) -> None:
    # Two broken pages, each asked twice: four server errors from one host is a burst,
    # which slows the host's other pages for a moment.
    server.route("/a", Reply(500, body=b"<p>oops</p>"))
    server.route("/b", Reply(500, body=b"<p>oops</p>"))
    check(server.url("/a"))
    check(server.url("/b"))
    host = server.url("/").split("/")[2]
    assert hosts.wait_s(host) > 0


def test_500_once_then_200_is_ok(server: LoopbackServer, check: Check) -> None:
    server.sequence("/blip", Reply(500, body=b"oops"), Reply(body=REPORT))
    result = check(server.url("/blip"))
    assert (result.verdict, result.attempts) == (Verdict.OK, 2)


def test_persistent_429_is_blocked_not_broken(server: LoopbackServer, check: Check) -> None:
    server.route("/limited", Reply(429, headers={"Retry-After": "1"}, body=b""))
    result = check(server.url("/limited"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "429 Too Many Requests: rate limited (after 3 attempts)"


# --- conditional requests ---


def test_validators_are_recorded_and_a_304_is_not_modified(
    server: LoopbackServer, check: Check
) -> None:
    def conditional(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'}, content_type=None)
        return Reply(
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"},
            body=REPORT,
        )

    server.route("/report", conditional)
    first = check(server.url("/report"))
    assert (first.verdict, first.not_modified, first.etag) == (Verdict.OK, False, '"v1"')
    assert first.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    second = check(server.url("/report"), etag=first.etag, last_modified=first.last_modified)
    assert second.verdict is Verdict.OK
    assert second.not_modified is True
    assert second.reason == "not modified since the previous check"
    assert second.status == 304
    assert (second.etag, second.last_modified) == ('"v1"', first.last_modified)
    sent = server.requests_to("/report")[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_head_network_error_falls_back_to_get(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route(
        "/nohead", lambda s: Raw(reset_connection) if s.method == "HEAD" else Reply(body=REPORT)
    )
    result = check(server.url("/nohead"), settings=replace(settings, head_first=True))
    assert (result.verdict, result.attempts) == (Verdict.OK, 1)
    assert methods(server, "/nohead") == ["HEAD", "GET"]


def test_redirect_body_is_not_read_past_a_small_cap(server: LoopbackServer, check: Check) -> None:
    endless = 2 * 1024 * 1024 * 1024
    server.route(
        "/moving",
        Reply(302, headers={"Location": "/report"}, body=zeros(endless), length=endless),
    )
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/moving"))
    assert result.verdict is Verdict.OK
    assert server.bytes_sent < 16 * 1024 * 1024


def test_check_url_works_without_a_session_or_host_policy(
    server: LoopbackServer, settings: CheckSettings
) -> None:
    server.route("/report", Reply(body=REPORT))
    result = check_url(CheckTarget(server.url("/report#intro")), settings)
    assert (result.verdict, result.reason) == (Verdict.OK, "200 OK")
    assert result.url == server.url("/report#intro")


def test_a_failing_page_does_not_stall_its_hosts_other_pages(
    server: LoopbackServer, check: Check, hosts: HostPolicy, fake_time: FakeTime
) -> None:
    server.route("/down", Reply(503, body=b"<p>busy</p>"))
    slow = replace(FAST, backoff_base_s=1.0)
    result = check(server.url("/down"), settings=slow)
    assert result.verdict is Verdict.TRANSIENT and result.attempts == 3
    host = server.url("/").split("/")[2]
    # The failing URL waited out its own backoff; the host is only slowed a little.
    assert hosts.paused_s(host) <= 0.2 + 1e-6
    assert sum(fake_time.sleeps) >= 1.0


def test_a_host_that_asks_to_slow_down_pauses_every_thread(
    server: LoopbackServer, check: Check, hosts: HostPolicy
) -> None:
    server.route("/busy", Reply(429, body=b"slow down", headers={"Retry-After": "20"}))
    check(server.url("/busy"))
    host = server.url("/").split("/")[2]
    assert hosts.paused_s(host) >= 20
