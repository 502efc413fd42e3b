"""``status.md``: the report for people, readable on any Git host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.reports.formats import markdown_text as md
from monitor.reports.formats.base import RenderedFormat, without_surrogates

MARKS = {
    "ok": "✅ ok",
    "moved": "↪️ moved",
    "broken": "❌ broken",
    "soft_404": "❌ soft 404",
    "blocked": "⛔ blocked",
    "transient": "⏳ transient",
    "claim_missing": "❗ claim missing",
    "anchor_missing": "❗ anchor missing",
    "type_mismatch": "❗ type mismatch",
    "tls_error": "🔒 TLS error",
    "invalid": "🚫 invalid",
    None: "… not checked",
}


def cell(value: object) -> str:
    """Make a value safe inside a Markdown table cell (or a list item): one line, shown
    as written."""
    return md.text(value)


def _place(document: str, line: int | None) -> str:
    return f"{document}:{line}" if line else document


class MarkdownFormat(RenderedFormat):
    name = "markdown"
    filename = "status.md"

    def render(self, status: Mapping[str, Any]) -> str:
        totals = status["totals"]
        run = status.get("run") or {}
        lines = [
            "# Citation status",
            "",
            f"Generated {status['generated_at']}"
            + (f" from run {run['id']} ({run['status']})." if run else "."),
            "",
            f"**{totals['failing']} failing** of {totals['sources']} sources "
            f"({totals['checked']} checked).",
            "",
        ]
        if run.get("inconclusive"):
            lines += [f"> **Inconclusive run.** {cell(run.get('note'))}".rstrip(), ""]
        lines += [
            "| Source | Verdict | Why | Checked | Cited at |",
            "|---|---|---|---|---|",
        ]
        for s in status["sources"]:
            cited = ", ".join(_place(c["document"], c["line"]) for c in s["citations"])
            name = md.link(s["id"] or s["url"], s["url"], in_table=True)
            verdict = MARKS.get(s["verdict"]) or cell(s["verdict"])
            lines.append(
                f"| {name} | {verdict} | {cell(s['reason'])} "
                f"| {cell(s['checked_at'])} | {cell(cited)} |"
            )
        details = [s for s in status["sources"] if s["claims"] or s["archive"] or s["hops"]]
        if details:
            lines += ["", "## Details", ""]
        for s in details:
            lines += [f"### {cell(s['id'] or s['url'])}", ""]
            for hop in s["hops"]:
                target = f" {md.code(hop['location'])}" if hop["location"] else ""
                lines.append(f"- {cell(hop['status'])} {md.code(hop['url'])} →{target}")
            for claim in s["claims"]:
                found = {True: "found", False: "**not found**", None: "not checked"}[claim["found"]]
                where = f": “{cell(claim['sentence'])}”" if claim["sentence"] else ""
                cited_as = f" ({cell(claim['cited_as'])})" if claim.get("cited_as") else ""
                evidence = md.code(claim["evidence"]) if claim.get("evidence") else "none"
                lines.append(
                    f"- Claim {md.code(claim['id'])}{cited_as}, evidence {evidence}: {found}{where}"
                )
            archive = s["archive"]
            if archive:
                # A bare address: GitHub links it, and it reads the same in a terminal.
                target = (
                    f" {md.href(archive['url'])} (captured {cell(archive['captured_at'])})"
                    if archive["url"]
                    else ""
                )
                lines.append(f"- Archive: {cell(archive['status'])}{target}")
            lines.append("")
        if status["references"]:
            lines += ["", "## Unresolved references", ""]
            for ref in status["references"]:
                lines.append(
                    f"- {cell(_place(ref['document'], ref['line']))}: “{cell(ref['text'])}” "
                    "has no URL"
                )
        return without_surrogates("\n".join(lines).rstrip()) + "\n"
