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

    A footnote marker (``[^i]``) is shown with its own label and followed by the mark
    of the source its note cites, so each statistic carries its source's state. A
    source that is dead or drifted and has a verified archived copy gets Robust Links
    attributes and a visible link to the archived copy.
    """
    by_url = {_normal(s["url"]): s for s in sources}
    md = _parser()
    md.add_render_rule("footnote_ref", _footnote_ref)
    tokens = md.parse(markdown)
    notes = _note_sources(tokens, by_url)
    for block in tokens:
        if block.type == "inline" and block.children:
            block.children = _with_marks(block.children, by_url, notes)
    html: str = md.renderer.render(tokens, md.options, {})
    return html


def _footnote_ref(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """``[^i]`` as a superscript "i" (the document's own label, not a renumbering)."""
    meta = tokens[idx].meta
    label = str(meta.get("label") or int(meta["id"]) + 1)
    ref_id = f"fnref{int(meta['id']) + 1}" + (f":{meta['subId']}" if meta.get("subId") else "")
    return (
        f'<sup class="footnote-ref"><a href="#fn{int(meta["id"]) + 1}" id="{ref_id}" '
        f'aria-label="note {escape(label)}">{escape(label)}</a></sup>'
    )


def _note_sources(
    tokens: Sequence[Token], by_url: Mapping[str, Mapping[str, Any]]
) -> dict[str, Mapping[str, Any]]:
    """Footnote label -> the source its note cites (the first known link in the note)."""
    notes: dict[str, Mapping[str, Any]] = {}
    label: str | None = None
    for token in tokens:
        if token.type == "footnote_open":
            label = str(token.meta.get("label"))
        elif token.type == "footnote_close":
            label = None
        elif label is not None and token.type == "inline" and label not in notes:
            for child in token.children or ():
                source = by_url.get(_normal(str(child.attrs.get("href", ""))))
                if child.type == "link_open" and source is not None:
                    notes[label] = source
                    break
    return notes


def _with_marks(
    children: list[Token],
    by_url: Mapping[str, Mapping[str, Any]],
    notes: Mapping[str, Mapping[str, Any]],
) -> list[Token]:
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
            out.append(_html(mark_html(open_source)))
            open_source = None
        elif token.type == "footnote_ref":
            source = notes.get(str(token.meta.get("label")))
            if source is not None:
                out.append(_html(mark_html(source, compact=True)))
    return out


def _html(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


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


def mark_html(source: Mapping[str, Any], *, compact: bool = False) -> str:
    """The visible mark: icon and words, the check time on hover and focus.

    ``compact`` (beside a footnote marker) keeps the words for screen readers and the
    hover text, and shows only the icon.
    """
    mark = mark_for(source.get("verdict"))
    checked = source.get("checked_at")
    when = f"checked {str(checked)[:16].replace('T', ' ')} UTC" if checked else "not checked yet"
    reason = source.get("reason") or ""
    tip = f"{mark.label}; {when}. {reason}".strip()
    words_class = "visually-hidden" if compact else "mark-words"
    words = f'<span class="{words_class}">{escape(mark.label)}</span>'
    html = (
        f'<span class="mark mark-{mark.kind.value}{" mark-compact" if compact else ""}" '
        f'tabindex="0" title="{escape(tip)}">'
        f'<span aria-hidden="true">{mark.icon}</span> {words}'
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
