"""A digest as words: subject, plain text and HTML (Jinja2), Slack blocks, webhook JSON.

Everything here is pure: the same digest always renders to the same bytes, so a message
kept in the outbox and sent again later says exactly what it said when composed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.notify.digest import Digest, DigestItem, ItemKind

SUBJECT_PREFIX = "[citation monitor]"
PAYLOAD_TYPE = "citation_monitor.digest"
# Slack refuses a section text over 3000 characters and a message over 50 blocks.
SLACK_SECTION_LIMIT = 3000
SLACK_BLOCK_LIMIT = 50

HEADINGS: Mapping[ItemKind, tuple[str, str]] = {
    ItemKind.NEW_DEAD: (
        "Sources that stopped working",
        "Confirmed dead after repeated checks. Please update or replace these citations.",
    ),
    ItemKind.CLAIM_MISSING: (
        "Sources that no longer hold the cited claim",
        "The page still answers, but the evidence for the claim was not found in it.",
    ),
    ItemKind.REMINDER: (
        "Still dead (reminder)",
        "Reported before and still failing.",
    ),
    ItemKind.RECOVERED: (
        "Working again",
        "These sources answer as expected again; nothing to do.",
    ),
}

_loader = PackageLoader("monitor.notify", "templates")
_TEXT = Environment(
    loader=_loader,
    auto_reload=False,  # packaged templates do not change while the program runs
    autoescape=False,  # plain text: nothing to escape, and nothing is interpreted
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=StrictUndefined,
)
_HTML = Environment(
    loader=_loader,
    auto_reload=False,
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)


def subject(digest: Digest) -> str:
    """``[citation monitor] 2 sources need attention in <document title>``."""
    attention = digest.attention
    recovered = len(digest.items) - attention
    parts = []
    if attention:
        parts.append(f"{_count(attention, 'source')} need{'s' if attention == 1 else ''} attention")
    if recovered:
        parts.append(
            f"{recovered} recovered" if attention else f"{_count(recovered, 'source')} recovered"
        )
    titles = digest.document_titles
    where = ""
    if len(titles) == 1:
        where = f" in {titles[0]}"
    elif len(titles) == 2:
        where = f" in {titles[0]} and {titles[1]}"
    elif titles:
        where = f" in {len(titles)} documents"
    # Titles come from the registry; a header must stay on one line.
    return " ".join(f"{SUBJECT_PREFIX} {', '.join(parts)}{where}".split())


def summary(digest: Digest) -> str:
    """One sentence saying what the digest holds."""
    phrases = {
        ItemKind.NEW_DEAD: "stopped working",
        ItemKind.CLAIM_MISSING: "no longer backing the cited claim",
        ItemKind.REMINDER: "still dead",
        ItemKind.RECOVERED: "working again",
    }
    parts = []
    for kind, phrase in phrases.items():
        count = sum(1 for i in digest.items if i.kind is kind)
        if count:
            parts.append(f"{_count(count, 'source')} {phrase}")
    return "Among the sources you look after: " + "; ".join(parts) + "."


def text(digest: Digest) -> str:
    """The plain-text body."""
    return _TEXT.get_template("digest.txt.j2").render(_context(digest))


def html(digest: Digest) -> str:
    """The HTML body (autoescaped)."""
    return _HTML.get_template("digest.html.j2").render(_context(digest))


def webhook_payload(digest: Digest, key: str) -> dict[str, Any]:
    """The generic JSON body (Standard Webhooks style: type, timestamp, data)."""
    return {
        "type": PAYLOAD_TYPE,
        "timestamp": digest.generated_at.isoformat(),
        "data": {
            "id": key,
            "run_id": digest.run_id,
            "owner": {"id": digest.owner_id, "name": digest.owner_name},
            "subject": subject(digest),
            "counts": {
                kind.value: sum(1 for i in digest.items if i.kind is kind) for kind in ItemKind
            },
            "items": [_item_data(item) for item in digest.items],
        },
    }


def slack_payload(digest: Digest) -> dict[str, Any]:
    """A Slack incoming-webhook message: fallback text plus mrkdwn section blocks."""
    blocks: list[dict[str, Any]] = [_section(f"*{_slack_escape(subject(digest))}*")]
    for kind, items in _by_kind(digest):
        heading, intro = HEADINGS[kind]
        blocks.append(_section(f"*{_slack_escape(heading)}*\n{_slack_escape(intro)}"))
        blocks.extend(_section(_slack_item(item)) for item in items)
    if len(blocks) > SLACK_BLOCK_LIMIT:
        left = len(blocks) - (SLACK_BLOCK_LIMIT - 1)
        blocks = blocks[: SLACK_BLOCK_LIMIT - 1]
        blocks.append(_section(f"…and {left} more; the email digest lists them all."))
    # The fallback text (notifications, previews) is mrkdwn as well.
    return {"text": _slack_escape(subject(digest)), "blocks": blocks}


# --- shared view of a digest ----------------------------------------------------------


def _context(digest: Digest) -> dict[str, Any]:
    sections = []
    for kind, items in _by_kind(digest):
        heading, intro = HEADINGS[kind]
        sections.append(
            {
                "heading": heading,
                "intro": intro,
                "entries": [_item_view(item, digest.generated_at) for item in items],
            }
        )
    return {
        "owner": digest.owner_name,
        "subject": subject(digest),
        "summary": summary(digest),
        "sections": sections,
        "run_id": digest.run_id,
        "generated": when(digest.generated_at),
    }


def _by_kind(digest: Digest) -> list[tuple[ItemKind, list[DigestItem]]]:
    groups = [(kind, [i for i in digest.items if i.kind is kind]) for kind in ItemKind]
    return [(kind, items) for kind, items in groups if items]


def _item_view(item: DigestItem, now: datetime) -> dict[str, Any]:
    return {
        "name": item.title or item.url,
        "url": item.url,
        "href": _href(item.url),
        "problem": problem(item),
        "problem_label": "Latest check" if item.kind is ItemKind.RECOVERED else "What is wrong",
        "since": (
            f"{when(item.failing_since)} ({age(item.failing_since, now)})"
            if item.failing_since and item.kind is not ItemKind.RECOVERED
            else None
        ),
        "change": item.change,
        "citations": [
            {"where": where(c.document_title or c.document, c.line), **_citation_rest(c)}
            for c in item.citations
        ],
        "archive": (
            {
                "url": item.archive.url,
                "href": _href(item.archive.url),
                "captured": day(item.archive.captured_at),
            }
            if item.archive
            else None
        ),
    }


def _citation_rest(citation: Any) -> dict[str, Any]:
    return {"text": citation.text, "statements": list(citation.statements)}


def _item_data(item: DigestItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "source_id": item.source_id,
        "url": item.url,
        "title": item.title,
        "verdict": item.verdict,
        "reason": item.reason,
        "health": item.health,
        "change": item.change,
        "failing_since": item.failing_since.isoformat() if item.failing_since else None,
        "citations": [
            {
                "document": c.document,
                "document_title": c.document_title,
                "line": c.line,
                "text": c.text,
                "statements": list(c.statements),
            }
            for c in item.citations
        ],
        "archive": (
            {
                "url": item.archive.url,
                "captured_at": (
                    item.archive.captured_at.isoformat() if item.archive.captured_at else None
                ),
            }
            if item.archive
            else None
        ),
    }


def problem(item: DigestItem) -> str:
    """``broken: 404 Not Found``: the verdict and the check's reason."""
    if item.verdict and item.reason:
        return f"{item.verdict}: {item.reason}"
    return item.verdict or item.reason or "unknown"


def where(document: str | None, line: int | None) -> str:
    if not document:
        return "the registry"
    return f"{document}, line {line}" if line else document


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d") if moment else "date unknown"


def age(since: datetime, now: datetime) -> str:
    """``12 days``, ``5 hours``: how long ago, roughly."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds >= 86400:
        return _count(int(seconds // 86400), "day")
    if seconds >= 3600:
        return _count(int(seconds // 3600), "hour")
    return _count(max(int(seconds // 60), 0), "minute")


def _href(url: str) -> str | None:
    # Only web links become clickable; anything else is shown as text.
    return url if url.lower().startswith(("http://", "https://")) else None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- Slack ------------------------------------------------------------------------------


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(mrkdwn)}}


def _fit(value: str) -> str:
    """Cut a section's text at a line boundary so it stays under Slack's limit."""
    if len(value) <= SLACK_SECTION_LIMIT:
        return value
    kept: list[str] = []
    size = 0
    for line in value.split("\n"):
        if size + len(line) + 1 > SLACK_SECTION_LIMIT - 2:
            break
        kept.append(line)
        size += len(line) + 1
    if not kept:  # one very long line
        return value[: SLACK_SECTION_LIMIT - 1] + "…"
    return "\n".join(kept) + "\n…"


def _slack_escape(value: str) -> str:
    # Slack's control characters in mrkdwn; everything else is shown as written.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    if _href(url) is None:
        return _slack_escape(label)
    target = _slack_escape(url).replace("|", "%7C")
    return f"<{target}|{_slack_escape(label).replace('|', '¦')}>"


def _slack_item(item: DigestItem) -> str:
    lines = [f"*{_slack_link(item.url, item.title or item.url)}*"]
    lines.append(f"`{_slack_escape(item.verdict or 'unknown')}` {_slack_escape(item.reason or '')}")
    if item.failing_since and item.kind is not ItemKind.RECOVERED:
        lines.append(f"Failing since {_slack_escape(when(item.failing_since))}")
    for c in item.citations:
        place = _slack_escape(where(c.document_title or c.document, c.line))
        lines.append(f"• Cited in {place}")
        lines.extend(f"    _Claim:_ {_slack_escape(s)}" for s in c.statements)
    if item.archive:
        captured = day(item.archive.captured_at)
        link = _slack_link(item.archive.url, f"archived copy captured {captured}")
        lines.append(f"Cite this instead: {link}")
    return "\n".join(lines)
