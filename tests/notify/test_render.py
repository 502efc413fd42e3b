"""Words of a digest: subject, text, HTML, Slack blocks, webhook JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser

from monitor.notify import render
from monitor.notify.digest import AffectedCitation, ArchiveCopy, Digest, DigestItem, ItemKind
from tests.notify.project import ARCHIVE_URL, T0, at

SHEET = AffectedCitation("sheet", "CSEC Fact Sheet", 12, "FBI report", ("100,000 children",))
BRIEF = AffectedCitation("brief", "Policy Brief", 4, "the study", ("300,000 at risk",))


def item(kind: ItemKind, source_id: str, *citations: AffectedCitation, **kw: object) -> DigestItem:
    values: dict[str, object] = {
        "kind": kind,
        "source_id": source_id,
        "url": f"https://{source_id}.example.org/report.pdf",
        "title": f"Report {source_id}",
        "verdict": "broken",
        "reason": "404 Not Found",
        "health": "dead",
        "change": "broken: 3 failing checks over 3.0 days",
        "failing_since": at(-12),
        "citations": citations or (SHEET,),
        "archive": None,
    }
    values.update(kw)
    return DigestItem(**values)  # type: ignore[arg-type]


def digest(*items: DigestItem) -> Digest:
    return Digest("web", "Web team", 7, T0, items)


def test_the_subject_counts_sources_and_names_the_document() -> None:
    two = digest(item(ItemKind.NEW_DEAD, "a"), item(ItemKind.REMINDER, "b"))
    assert render.subject(two) == ("[citation monitor] 2 sources need attention in CSEC Fact Sheet")
    one_and_back = digest(item(ItemKind.NEW_DEAD, "a", BRIEF), item(ItemKind.RECOVERED, "b"))
    assert render.subject(one_and_back) == (
        "[citation monitor] 1 source needs attention, 1 recovered in Policy Brief and "
        "CSEC Fact Sheet"
    )
    back = digest(item(ItemKind.RECOVERED, "b"))
    assert render.subject(back) == "[citation monitor] 1 source recovered in CSEC Fact Sheet"


def test_the_subject_stays_on_one_line_whatever_the_title() -> None:
    odd = replace(SHEET, document_title="Fact\nSheet  2026")
    assert render.subject(digest(item(ItemKind.NEW_DEAD, "a", odd))) == (
        "[citation monitor] 1 source needs attention in Fact Sheet 2026"
    )


def test_text_names_what_broke_since_when_where_and_what_to_cite_instead() -> None:
    dead = item(
        ItemKind.NEW_DEAD, "fbi", archive=ArchiveCopy(ARCHIVE_URL, T0 - timedelta(days=4000))
    )
    body = render.text(digest(dead, item(ItemKind.RECOVERED, "oag", failing_since=None)))
    assert "Hello Web team," in body
    assert "SOURCES THAT STOPPED WORKING" in body and "WORKING AGAIN" in body
    assert "What is wrong: broken: 404 Not Found" in body
    assert "Failing since: 2026-02-18 06:00 UTC (12 days)" in body
    assert 'Cited in CSEC Fact Sheet, line 12 ("FBI report")' in body
    assert "Claim: 100,000 children" in body
    assert "captured 2015-03-20" in body and ARCHIVE_URL in body
    assert body.index("SOURCES THAT STOPPED WORKING") < body.index("WORKING AGAIN")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_registry_text_and_links_only_web_urls() -> None:
    hostile = replace(SHEET, statements=("<script>alert(1)</script> & more",))
    dead = item(
        ItemKind.NEW_DEAD,
        "fbi",
        hostile,
        title="<b>Report</b>",
        archive=ArchiveCopy(ARCHIVE_URL, T0),
    )
    odd = item(ItemKind.NEW_DEAD, "odd", url="javascript:alert(1)")
    page = render.html(digest(dead, odd))
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert "<script>alert(1)</script> & more" in "".join(parsed.text)
    assert ARCHIVE_URL in parsed.links
    assert "https://fbi.example.org/report.pdf" in parsed.links
    assert not any(link.startswith("javascript:") for link in parsed.links)


def test_slack_payload_has_fallback_text_and_mrkdwn_sections_within_limits() -> None:
    long_claim = replace(SHEET, statements=("x" * 4000,))
    items = [item(ItemKind.NEW_DEAD, f"s{i:02}") for i in range(60)]
    items.append(item(ItemKind.NEW_DEAD, "long", long_claim))
    payload = render.slack_payload(digest(*items))
    assert payload["text"].startswith("[citation monitor] 61 sources need attention")
    blocks = payload["blocks"]
    assert len(blocks) == render.SLACK_BLOCK_LIMIT
    assert all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in blocks)
    assert all(len(b["text"]["text"]) <= render.SLACK_SECTION_LIMIT for b in blocks)
    assert "more" in blocks[-1]["text"]["text"]


def test_slack_item_escapes_control_characters_and_links_the_archive() -> None:
    dead = item(
        ItemKind.NEW_DEAD,
        "fbi",
        title="Crimes <against> children & more",
        archive=ArchiveCopy(ARCHIVE_URL, T0),
    )
    text = render.slack_payload(digest(dead))["blocks"][2]["text"]["text"]
    assert "Crimes &lt;against&gt; children &amp; more" in text
    assert f"<{ARCHIVE_URL}|archived copy captured 2026-03-02>" in text


def test_slack_fallback_text_escapes_control_characters_too() -> None:
    odd = replace(SHEET, document_title="Children & Youth <Draft>")
    payload = render.slack_payload(digest(item(ItemKind.NEW_DEAD, "a", odd)))
    assert payload["text"] == (
        "[citation monitor] 1 source needs attention in Children &amp; Youth &lt;Draft&gt;"
    )


def test_the_webhook_payload_is_json_with_every_item() -> None:
    dead = item(ItemKind.NEW_DEAD, "fbi", archive=ArchiveCopy(ARCHIVE_URL, T0))
    payload = render.webhook_payload(digest(dead), "run7:web:webhook")
    again = json.loads(json.dumps(payload))
    assert again["type"] == "citation_monitor.digest"
    data = again["data"]
    assert data["id"] == "run7:web:webhook" and data["owner"] == {"id": "web", "name": "Web team"}
    assert data["counts"]["new_dead"] == 1
    [entry] = data["items"]
    assert entry["archive"] == {"url": ARCHIVE_URL, "captured_at": T0.isoformat()}
    assert entry["citations"][0]["line"] == 12
