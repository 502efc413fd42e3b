"""Where a redirect sends the reader, read as browsers read it: a Location written
with Windows backslashes, and a Location that names a section of the new page."""

from __future__ import annotations

from checks.http.location import resolve
from checks.model import Verdict
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply

# --- backslashes ---


def test_backslash_location_is_followed_as_browsers_do(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report.asp", Reply(301, headers={"Location": "\\reports\\2019.html"}))
    server.route("/reports/2019.html", Reply(body=REPORT))
    result = check(server.url("/report.asp"))
    assert result.verdict is Verdict.MOVED
    assert result.final_url == server.url("/reports/2019.html")


def test_backslashes_count_before_the_query_only() -> None:
    base = "https://www.example.gov/old/page.asp"
    assert resolve(base, "..\\new\\page.asp?path=a\\b#x\\y") == (
        "https://www.example.gov/new/page.asp?path=a%5Cb#x%5Cy"
    )
    assert resolve(base, "\\\\files.example.gov\\report.pdf") == (
        "https://files.example.gov/report.pdf"
    )


# --- the fragment a redirect names ---


def test_moved_to_a_section_suggests_the_section(server: LoopbackServer, check: Check) -> None:
    server.route("/old-methods", Reply(301, headers={"Location": "/report#methods"}))
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/old-methods"))
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == server.url("/report#methods")


def test_moved_without_a_fragment_keeps_the_cited_one(server: LoopbackServer, check: Check) -> None:
    server.route("/old", Reply(301, headers={"Location": "/report"}))
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/old#intro"))
    assert result.suggested_url == server.url("/report#intro")
