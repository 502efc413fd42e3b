"""A removed deep link sent to a directory above it (its section's index) is as gone as
one sent to the home page; ordinary moves are not."""

from __future__ import annotations

import pytest

from checks.model import ClaimSpec, Verdict
from checks.soft404 import soft404_reason
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply

ITEMS = b"".join(b"<li><a href='/reports/r%d'>Report %d</a></li>" % (i, i) for i in range(40))
INDEX = (
    b"<html><head><title>Reports and Publications | County DMH</title></head><body>"
    b"<h1>Reports and Publications</h1><ul>" + ITEMS + b"</ul></body></html>"
)


def reason(requested: str, final: str) -> str | None:
    return soft404_reason(
        requested, final, 200, "Reports", "Reports and publications of the office"
    )


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        ("https://example.gov/reports/2014/csec-fact-sheet.html", "https://example.gov/reports/"),
        ("https://example.gov/reports/2014/csec-fact-sheet.html", "https://example.gov/reports/2014/"),
        ("https://example.gov/reports/2014/csec-fact-sheet.html", "https://www.example.gov/reports"),
        ("http://example.gov/reports/2014/fact-sheet", "https://example.gov/Reports/index.html"),
        ("https://example.gov/data/tables/2019/", "https://example.gov/data/?lang=en"),
        ("https://example.gov/publications/report/en", "https://example.gov/publications/"),
        ("https://example.gov/research/topic/topic.html", "https://example.gov/research/"),
    ],
)  # fmt: skip
def test_redirect_to_a_directory_above_is_a_soft_404(requested: str, final: str) -> None:
    got = reason(requested, final)
    assert got is not None and got.startswith("redirected to a parent page (")


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        ("https://example.gov/reports/2014/a.html", "https://example.gov/reports/2014/b.html"),
        ("https://example.gov/reports/2014", "https://example.gov/reports/2014/annual.html"),
        ("https://example.gov/reports/2014/a.html", "https://other.example/reports/"),
        ("http://example.gov/reports/2014/a.html", "https://example.gov/reports/2014/a.html"),
        ("https://example.gov/reports/2014", "https://example.gov/reports/2014/"),
        ("https://example.gov/reports/2014/", "https://example.gov/reports/2014"),
        ("https://example.gov/reports/index.html", "https://example.gov/reports/"),
        ("https://example.gov/blog/post-title/amp", "https://example.gov/blog/post-title/"),
        ("https://example.gov/reports/2014/a.html", "https://example.gov/reports/?id=2014-a"),
        ("https://example.gov/reports/2014/a.html", "https://example.gov/archive/reports/2014/a.html"),
        ("https://example.gov/research/research.html", "https://example.gov/research/"),
        ("https://example.gov/about/About.aspx", "https://example.gov/about"),
        ("https://example.gov/research/home.html", "https://example.gov/research/"),
        ("https://example.gov/publications/report/en", "https://example.gov/publications/report"),
        ("https://example.gov/publications/report/pt-BR", "https://example.gov/publications/report/"),
        ("https://example.gov/publications/report/en_gb/", "https://example.gov/publications/report"),
    ],
)  # fmt: skip
def test_ordinary_moves_are_not_soft_404s(requested: str, final: str) -> None:
    assert reason(requested, final) is None


def test_deep_link_redirected_to_its_section_index_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/reports/2014/csec-fact-sheet.html",
        Reply(301, headers={"Location": "/reports/"}, content_type=None),
    )
    server.route("/reports/", Reply(body=INDEX))
    result = check(server.url("/reports/2014/csec-fact-sheet.html"))
    assert result.verdict is Verdict.SOFT_404
    assert result.reason == "soft 404: redirected to a parent page (127.0.0.1/reports/)"
    assert result.suggested_url is None


def test_deep_link_moved_to_a_sibling_is_moved(server: LoopbackServer, check: Check) -> None:
    server.route(
        "/reports/2014/fact-sheet.html",
        Reply(301, headers={"Location": "/reports/2014/fact-sheet-2015.html"}, content_type=None),
    )
    server.route("/reports/2014/fact-sheet-2015.html", Reply(body=REPORT))
    result = check(server.url("/reports/2014/fact-sheet.html"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/reports/2014/fact-sheet-2015.html")


YEAR = (
    b"<html><head><title>Youth services, 2023</title></head><body><main><h1>Youth services,"
    b" 2023</h1><p>The county served many children through its programmes this year."
    b" In 2023, 325,000 children were served.</p></main></body></html>"
)


def test_deep_link_folded_into_the_page_above_that_holds_its_claim_is_moved(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/stats/2023", Reply(body=YEAR))
    server.route("/stats/2023/summary", Reply(301, headers={"Location": "/stats/2023"}))
    found = check(server.url("/stats/2023/summary"), claims=(ClaimSpec("c", "325,000"),))
    gone = check(server.url("/stats/2023/summary"), claims=(ClaimSpec("c", "999,999"),))
    assert (found.verdict, found.suggested_url) == (Verdict.MOVED, server.url("/stats/2023"))
    assert (gone.verdict, gone.reason) == (
        Verdict.SOFT_404,
        "soft 404: redirected to a parent page (127.0.0.1/stats/2023)",
    )
