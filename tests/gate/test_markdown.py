"""status.md and the job summary as GitHub renders them, with text taken from the web.

Rendered by markdown-it (CommonMark with GitHub's tables), then read back as HTML.
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from monitor.gate.policy import GatePolicy, evaluate
from monitor.gate.summary import job_summary
from monitor.reports.formats.markdown import MarkdownFormat
from monitor.reports.formats.markdown_text import code, href, link, text
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import T, source

_GFM = MarkdownIt("commonmark").enable("table")

# What real pages and servers put in titles, reasons and addresses.
PIPE_URL = "https://search.example.gov/results?q=child|youth&lang=en"
SPACE_URL = "https://www.example.org/Documents/CSEC Fact Sheet (2014).pdf"
TITLE_REASON = (
    'page reads as "not found" (title: "<Error> Page Not Found | HHS.gov '
    '[Home](https://phish.example/)")'
)
CRLF_REASON = "HTTP/1.1 500 Internal Server Error\r\nServer: Apache\r\n\r\nretry later"


def html(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(_GFM.render(markdown), "html.parser")


def table_rows(markdown: str, heading: str) -> list[list[Tag]]:
    """The body rows of the table with a column headed ``heading``."""
    for table in html(markdown).find_all("table"):
        if heading in [th.get_text() for th in table.find_all("th")]:
            return [row.find_all("td") for row in table.find("tbody").find_all("tr")]
    raise AssertionError(f"no table headed {heading!r}")


def flat(value: str) -> str:
    return " ".join(value.split())


def test_status_table_keeps_one_row_per_source_whatever_the_web_says(
    make_status: MakeStatus,
) -> None:
    status = make_status(
        source("search", PIPE_URL, "broken", reason=CRLF_REASON),
        source("sheet-pdf", SPACE_URL, "soft_404", reason=TITLE_REASON),
        source("fine", "https://ok.example/", "ok", reason="200 OK"),
    )
    rows = table_rows(MarkdownFormat().render(status), "Why")
    assert len(rows) == 3 and all(len(r) == 5 for r in rows)
    search, sheet, fine = rows

    anchor = search[0].find("a")
    assert anchor is not None and anchor.get_text() == "search"
    assert anchor["href"] == "https://search.example.gov/results?q=child%7Cyouth&lang=en"
    assert search[2].get_text() == flat(CRLF_REASON)

    anchor = sheet[0].find("a")
    assert anchor is not None
    assert anchor["href"] == (
        "https://www.example.org/Documents/CSEC%20Fact%20Sheet%20%282014%29.pdf"
    )
    # The title's markup is shown as text, never made into HTML or a link.
    assert sheet[2].get_text() == TITLE_REASON
    assert sheet[2].find("a") is None and sheet[2].find("error") is None
    assert fine[2].get_text() == "200 OK"


def test_details_show_evidence_and_hops_as_written(make_status: MakeStatus) -> None:
    status = make_status(source("s", "http://a.example/r", "claim_missing"))
    entry: dict[str, Any] = status["sources"][0]
    entry["claims"] = [
        {
            "id": "sold-per-year",
            "statement": "100,000 children",
            "evidence": "/100,000|100 000/",
            "cited_as": "footnote i",
            "found": True,
            "sentence": "An estimated 100,000 | children\nper year",
        },
        {"id": "tick", "evidence": "the `quoted` figure", "found": None, "sentence": None},
    ]
    entry["hops"] = [
        {"url": "http://a.example/r", "status": 301, "location": "https://a.example/r (old)"},
    ]
    doc = html(MarkdownFormat().render(status))
    items = [li for li in doc.find_all("li")]
    codes = [c.get_text() for li in items for c in li.find_all("code")]
    assert "/100,000|100 000/" in codes
    assert "the `quoted` figure" in codes
    assert "https://a.example/r (old)" in codes
    claim = next(li for li in items if "sold-per-year" in li.get_text())
    assert "“An estimated 100,000 | children per year”" in claim.get_text()


def test_reference_not_found_in_the_document_has_no_line(make_status: MakeStatus) -> None:
    status = make_status(source("s", "https://a.example/", "ok"))
    status["references"] = [
        {"id": "tay", "document": "sheet", "text": "TAY webpage", "line": None, "note": None},
        {"id": "fs", "document": "sheet", "text": "CSEC Fact Sheet", "line": 12, "note": None},
    ]
    markdown = MarkdownFormat().render(status)
    assert "- sheet: “TAY webpage” has no URL" in markdown
    assert "- sheet:12: “CSEC Fact Sheet” has no URL" in markdown
    assert "None" not in markdown


def test_job_summary_shows_page_titles_as_text(make_status: MakeStatus) -> None:
    status = make_status(
        source("sheet-pdf", SPACE_URL, "soft_404", reason=TITLE_REASON, cited=[("sheet", 9)])
    )
    summary = job_summary(evaluate(status, GatePolicy(), now=T), status)
    [row] = table_rows(summary, "Why")
    assert len(row) == 6
    assert row[4].get_text() == TITLE_REASON
    assert row[4].find("a") is None and row[4].find("error") is None


def test_helpers() -> None:
    assert text("a | b\r\n<c> [d](e) `f` \\") == "a \\| b \\<c\\> \\[d\\](e) \\`f\\` \\\\"
    assert text("x" * 10, 5) == "xxxx…"
    assert href("https://a.example/a b(c)|<d>") == "https://a.example/a%20b%28c%29%7C%3Cd%3E"
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"
    assert code("a|b", in_table=True) == "`a\\|b`"
    assert link("x", "javascript:alert(1)") == "x (`javascript:alert(1)`)"
    assert link("x", None) == "x"
