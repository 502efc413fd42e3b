"""Markdown to HTML with each citation's status attached (marks, Robust Links)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape
from mdit_py_plugins.footnote import footnote_plugin

from monitor.publish.marks import MarkKind, mark_for


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "typographer": False})
    md.enable(["linkify", "table", "strikethrough"])
    md.use(footnote_plugin)
    return md


def _normal(url: str) -> str:
    return url.rstrip(".,;)")


def render_document(markdown: str, sources: Sequence[Mapping[str, Any]]) -> str:
    """The document body as HTML, with a mark after every link to a known source.

    A source that is dead or drifted and has a verified archived copy gets Robust Links
    attributes and a visible link to the archived copy.
    """
    by_url = {_normal(s["url"]): s for s in sources}
    md = _parser()
    tokens = md.parse(markdown)
    for block in tokens:
        if block.type == "inline" and block.children:
            block.children = _with_marks(block.children, by_url)
    html: str = md.renderer.render(tokens, md.options, {})
    return html


def _with_marks(children: list[Token], by_url: Mapping[str, Mapping[str, Any]]) -> list[Token]:
    out: list[Token] = []
    open_source: Mapping[str, Any] | None = None
    for token in children:
        if token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            open_source = by_url.get(_normal(href))
            if open_source is not None:
                _decorate_link(token, open_source)
        out.append(token)
        if token.type == "link_close" and open_source is not None:
            html = Token("html_inline", "", 0)
            html.content = mark_html(open_source)
            out.append(html)
            open_source = None
    return out


def _verified_archive(source: Mapping[str, Any]) -> Mapping[str, Any] | None:
    archive = source.get("archive")
    if archive and archive.get("status") == "verified" and archive.get("url"):
        return archive  # type: ignore[no-any-return]
    return None


def _decorate_link(token: Token, source: Mapping[str, Any]) -> None:
    kind = mark_for(source.get("verdict")).kind
    token.attrSet("class", f"citation citation-{kind.value}")
    archive = _verified_archive(source)
    if archive and kind in (MarkKind.DEAD, MarkKind.DRIFTED):
        token.attrSet("data-originalurl", str(source["url"]))
        token.attrSet("data-versionurl", str(archive["url"]))
        token.attrSet("data-versiondate", str(archive.get("captured_at") or "")[:10])


def mark_html(source: Mapping[str, Any]) -> str:
    """The visible mark: icon and words, the check time on hover and focus."""
    mark = mark_for(source.get("verdict"))
    checked = source.get("checked_at")
    when = f"checked {str(checked)[:16].replace('T', ' ')} UTC" if checked else "not checked yet"
    reason = source.get("reason") or ""
    tip = f"{mark.label}; {when}. {reason}".strip()
    html = (
        f'<span class="mark mark-{mark.kind.value}" tabindex="0" title="{escape(tip)}">'
        f'<span aria-hidden="true">{mark.icon}</span> {escape(mark.label)}'
        f'<span class="mark-time"> ({escape(when)})</span></span>'
    )
    archive = _verified_archive(source)
    if archive and mark.kind in (MarkKind.DEAD, MarkKind.DRIFTED):
        date = str(archive.get("captured_at") or "")[:10]
        html += (
            f' <a class="archived" href="{escape(archive["url"])}" '
            f'data-originalurl="{escape(source["url"])}" '
            f'data-versionurl="{escape(archive["url"])}" data-versiondate="{escape(date)}">'
            f"archived copy of {escape(date)}</a>"
            f'<span class="print-only"> [{escape(archive["url"])}]</span>'
        )
    return html
