"""The published fact sheet carries a mark beside every citation and a verification section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from monitor.publish import render_page

FACT_SHEET = Path(__file__).parents[2] / "content" / "csec-fact-sheet.md"
T = "2026-03-01T08:30:00+00:00"


def entry(url: str, verdict: str | None, line: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": url.split("/")[2],
        "url": url,
        "title": None,
        "publisher": None,
        "verdict": verdict,
        "reason": f"reason for {verdict}",
        "checked_at": T if verdict else None,
        "claims": [],
        "archive": None,
        "citations": [{"document": "csec", "line": line, "text": "", "footnote": None}],
        **extra,
    }


def status() -> dict[str, Any]:
    archive = {
        "status": "verified",
        "url": "https://web.archive.org/web/20140110000000/http://www.justice.gov/oig/reports/FBI/a0908/final.pdf",
        "captured_at": "2014-01-10T00:00:00+00:00",
        "claims_found": ["c1"],
        "candidates": [],
    }
    return {
        "generated_at": T,
        "run": {"inconclusive": False},
        "sources": [
            entry(
                "http://www.justice.gov/oig/reports/FBI/a0908/final.pdf",
                "broken",
                60,
                archive=archive,
            ),
            entry(
                "http://www.sp2.upenn.edu/restes/CSEC_Files/Complete_CSEC_020220.pdf",
                "claim_missing",
                63,
            ),
            entry("http://www.prevent-abuse-now.com/stats", "moved", 11),
            entry("https://oag.ca.gov/human-trafficking", "ok", 47),
            entry("http://www.ncadv.org/files/HumanTrafficking.pdf", "blocked", 51),
            entry(
                "http://www.youthlaw.org/fileadmin/ncyl/youthlaw/publications/Ending-CSEC-A-Call-for-Multi-System_Collaboration-in-CA.pdf",
                None,
                55,
            ),
        ],
    }


def page() -> BeautifulSoup:
    html = render_page(FACT_SHEET.read_text(), status(), "csec", title="CSEC fact sheet")
    return BeautifulSoup(html, "lxml")


def test_every_citation_has_a_mark_with_words_and_time() -> None:
    soup = page()
    marks = {}
    for link in soup.select("article a.citation"):
        mark = link.find_next_sibling("span", class_="mark")
        assert mark is not None, link["href"]
        marks[link["href"]] = mark
    assert len({m.rstrip(".") for m in marks}) == 6
    ok = marks["https://oag.ca.gov/human-trafficking"]
    assert "mark-ok" in ok["class"] and "source checked" in ok.get_text()
    assert "2026-03-01 08:30" in ok["title"]
    blocked = marks["http://www.ncadv.org/files/HumanTrafficking.pdf"]
    assert "could not be verified" in blocked.get_text()


def test_dead_source_gets_robust_link_to_verified_archive() -> None:
    soup = page()
    link = soup.select_one(
        'article a.citation[href="http://www.justice.gov/oig/reports/FBI/a0908/final.pdf"]'
    )
    assert link is not None
    assert link["data-originalurl"] == link["href"]
    assert link["data-versionurl"].startswith("https://web.archive.org/web/20140110000000/")
    assert link["data-versiondate"] == "2014-01-10"
    archived = soup.select("article a.archived")
    assert archived and archived[0]["data-versionurl"] == link["data-versionurl"]


def test_footnotes_render_and_verification_section_lists_sources() -> None:
    soup = page()
    assert soup.select("article section.footnotes li") or soup.select("article .footnotes li")
    section = soup.find("section", class_="verification")
    assert section is not None and "Source verification" in section.get_text()
    assert len(section.select("tbody tr")) == 6
    assert soup.html is not None and soup.html["lang"] == "en"


def test_hostile_reason_is_escaped() -> None:
    s = status()
    s["sources"][3]["reason"] = "<script>alert(1)</script>"
    html = render_page(FACT_SHEET.read_text(), s, "csec", title="t")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_each_statistic_carries_the_state_of_its_footnoted_source() -> None:
    soup = page()
    refs = soup.select("article sup.footnote-ref")
    assert [r.get_text() for r in refs] == ["i", "ii"]
    first = refs[0].find_next_sibling("span", class_="mark")
    second = refs[1].find_next_sibling("span", class_="mark")
    assert first is not None and "mark-dead" in first["class"]  # footnote i: the DOJ report
    assert second is not None and "mark-drifted" in second["class"]  # ii: figure not found
    assert "source unavailable" in first.get_text()
