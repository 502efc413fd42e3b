"""``status.md``: the report for people, readable on any Git host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.reports.formats.base import RenderedFormat

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


def cell(text: object) -> str:
    """Make a value safe inside a Markdown table cell."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ").strip()


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
            lines += [f"> **Inconclusive run.** {run.get('note') or ''}", ""]
        lines += [
            "| Source | Verdict | Why | Checked | Cited at |",
            "|---|---|---|---|---|",
        ]
        for s in status["sources"]:
            cited = ", ".join(f"{c['document']}:{c['line']}" for c in s["citations"])
            name = f"[{cell(s['id'] or s['url'])}]({s['url']})"
            lines.append(
                f"| {name} | {MARKS.get(s['verdict'], s['verdict'])} | {cell(s['reason'])} "
                f"| {cell(s['checked_at'])} | {cell(cited)} |"
            )
        details = [s for s in status["sources"] if s["claims"] or s["archive"] or s["hops"]]
        if details:
            lines += ["", "## Details", ""]
        for s in details:
            lines += [f"### {cell(s['id'] or s['url'])}", ""]
            for hop in s["hops"]:
                lines.append(f"- {hop['status']} {hop['url']} → {hop['location'] or ''}")
            for claim in s["claims"]:
                found = {True: "found", False: "**not found**", None: "not checked"}[claim["found"]]
                where = f": “{cell(claim['sentence'])}”" if claim["sentence"] else ""
                lines.append(
                    f"- Claim `{claim['id']}` ({cell(claim['cited_as'])}), evidence "
                    f"`{cell(claim['evidence'])}`: {found}{where}"
                )
            archive = s["archive"]
            if archive:
                target = (
                    f" {archive['url']} (captured {archive['captured_at']})"
                    if archive["url"]
                    else ""
                )
                lines.append(f"- Archive: {archive['status']}{target}")
            lines.append("")
        if status["references"]:
            lines += ["", "## Unresolved references", ""]
            for ref in status["references"]:
                lines.append(f"- {ref['document']}:{ref['line']}: “{cell(ref['text'])}” has no URL")
        return "\n".join(lines).rstrip() + "\n"
