"""Where a response sends the reader: non-ASCII Location headers, Unicode host names and
the Refresh header, read as a browser reads them."""

from __future__ import annotations

import pytest

from checks.model import Verdict
from tests.checks.conftest import Check
from tests.checks.pages import HOME, REPORT
from tests.checks.server import LoopbackServer, Reply


def raw_utf8(text: str) -> str:
    """``text`` as the header value http.server writes as UTF-8 bytes (it writes each
    character of a header value as one Latin-1 byte)."""
    return text.encode("utf-8").decode("latin-1")


def redirect(status: int, location: str) -> Reply:
    return Reply(status, headers={"Location": location}, content_type=None)


def test_raw_utf8_location_is_read_as_utf8(server: LoopbackServer, check: Check) -> None:
    server.route("/old", redirect(301, raw_utf8("/caf\u00e9")))
    server.route("/caf%C3%A9", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/caf%C3%A9")
    assert [seen.path for seen in server.log[:2]] == ["/old", "/caf%C3%A9"]


def test_raw_utf8_location_with_a_space_is_requoted(server: LoopbackServer, check: Check) -> None:
    server.route("/old", redirect(302, raw_utf8("/caf\u00e9 menu")))
    server.route("/caf%C3%A9%20menu", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.OK
    assert result.final_url == server.url("/caf%C3%A9%20menu")


def test_latin1_location_that_is_not_utf8_stays_latin1(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/old", redirect(301, "/caf\u00e9"))  # the single byte 0xE9
    server.route("/caf%C3%A9", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.MOVED
    assert result.final_url == server.url("/caf%C3%A9")


@pytest.mark.parametrize(
    "location",
    [
        raw_utf8("http://b\u00fccher.example:{port}/katalog"),
        "http://b%C3%BCcher.example:{port}/katalog",
    ],
)
def test_unicode_host_in_a_redirect_is_idna_encoded(
    server: LoopbackServer, check: Check, location: str
) -> None:
    server.route("/old", redirect(301, location.format(port=server.port)))
    server.route(
        "/katalog",
        lambda seen: (
            Reply(body=REPORT)
            if seen.headers["host"].startswith("xn--bcher-kva.example")
            else Reply(404, body=b"<title>Not here</title>wrong host")
        ),
    )
    result = check(server.url("/old", host="shop.example"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == f"http://xn--bcher-kva.example:{server.port}/katalog"


# --- the Refresh header ---


def test_refresh_header_to_the_site_root_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/reports/2019-annual", Reply(headers={"Refresh": "0; url=/"}, body=b""))
    server.route("/", Reply(body=HOME))
    result = check(server.url("/reports/2019-annual"))
    assert result.verdict is Verdict.SOFT_404
    assert "home page" in result.reason
    assert [(h.status, h.location) for h in result.hops] == [(200, server.url("/"))]


def test_refresh_header_to_a_new_place_is_moved(server: LoopbackServer, check: Check) -> None:
    server.route("/old-report", Reply(headers={"Refresh": "0;url=/reports/2023"}, body=b"<p>..."))
    server.route("/reports/2023", Reply(body=REPORT))
    result = check(server.url("/old-report"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/reports/2023")


def test_refresh_header_comes_before_a_meta_refresh(server: LoopbackServer, check: Check) -> None:
    page = b'<html><head><meta http-equiv="refresh" content="0; url=/by-meta"></head></html>'
    server.route("/old", Reply(headers={"Refresh": "0; url=/by-header"}, body=page))
    server.route("/by-header", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.final_url == server.url("/by-header")
    assert server.requests_to("/by-meta") == []


def test_slow_refresh_header_is_not_a_redirect(server: LoopbackServer, check: Check) -> None:
    server.route("/live", Reply(headers={"Refresh": "300"}, body=REPORT))
    result = check(server.url("/live"))
    assert (result.verdict, result.hops) == (Verdict.OK, ())
