"""Markdown to HTML with each citation's status attached (marks, Robust Links)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape
from mdit_py_plugins.footnote import footnote_plugin

from monitor.htmlparser import SHOWN_AS_TEXT
from monitor.publish.marks import Mark, MarkKind, mark_for
from monitor.publish.rawhtml import TolerantParser, relink_html
from monitor.scan.bare_urls import BareUrls
from monitor.scan.urls import normalize_url


class Relink(Protocol):
    """Rewrites a URL written relative to the document (see monitor.publish.local)."""

    def __call__(self, url: str, *, image: bool = False) -> str: ...


# The source a link's URL cites, if any.
Lookup = Callable[[str], "Mapping[str, Any] | None"]

_ANCHOR_OPEN = re.compile(r"<a[\s>]", re.IGNORECASE)
_ANCHOR_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)
# The name of the tag an inline piece of raw HTML opens or closes.
_START_TAG = re.compile(r"<([A-Za-z][^\t\n\f\r />]*)")
_END_TAG = re.compile(r"</([A-Za-z][^\t\n\f\r />]*)")


def _parser() -> MarkdownIt:
    # Bare URLs are links exactly where the scanner finds citations: with a scheme or
    # "www.", without the prose's closing punctuation, so each one gets its mark.
    md = MarkdownIt("commonmark", {"linkify": True, "typographer": False})
    md.enable(["linkify", "table", "strikethrough"])
    md.linkify = BareUrls()
    md.use(footnote_plugin)
    md.add_render_rule("footnote_ref", _footnote_ref)
    return md


def render_document(
    markdown: str, sources: Sequence[Mapping[str, Any]], *, relink: Relink | None = None
) -> str:
    """The document body as HTML, with a mark after every link to a known source.

    A link matches a source as the scanner matches them (:func:`normalize_url`), so
    every citation the scan counts carries its mark, raw HTML ``<a href>`` included.
    A footnote marker (``[^i]``) is shown with its own label and followed by the mark
    of the source its note cites, so each statistic carries its source's state. A
    source that is dead or drifted and has a verified archived copy gets Robust Links
    attributes and a visible link to the archived copy. ``relink`` rewrites links and
    images written relative to the document, raw HTML's ``<a href>``, ``<img>`` and
    ``<source>`` included.
    """
    by_url = {normalize_url(str(s["url"])): s for s in sources}

    def lookup(href: str) -> Mapping[str, Any] | None:
        return by_url.get(normalize_url(href)) if href else None

    md = _parser()
    # A byte order mark (as Windows editors save UTF-8) would hide the first heading.
    tokens = md.parse(markdown.removeprefix("\ufeff"))
    notes = _note_sources(tokens, lookup)
    label: str | None = None
    for block in tokens:
        if block.type == "footnote_open":
            label = str(block.meta.get("label"))
        elif block.type == "footnote_close":
            label = None  # a note with no text of its own
        elif block.type == "html_block":
            block.content = _mark_html_block(block.content, lookup)
            if relink is not None:
                block.content = relink_html(block.content, relink)
        elif block.type == "inline" and block.children:
            block.children = _with_marks(block.children, lookup, notes, relink)
            if label is not None:
                # The notes are listed under the document's own labels ("i", "ii"), as
                # their markers show them, not renumbered 1, 2.
                block.children.insert(0, _html(_note_label(label)))
                label = None
    html: str = md.renderer.render(tokens, md.options, {})
    return html


def first_heading(markdown: str) -> str | None:
    """The text of the document's first top-level heading, as a reader sees it."""
    tokens = _parser().parse(markdown.removeprefix("\ufeff"))
    for index, token in enumerate(tokens[:-1]):
        if token.type == "heading_open" and token.tag == "h1":
            text = "".join(
                child.content
                for child in tokens[index + 1].children or ()
                if child.type in ("text", "text_special", "code_inline")
            )
            return " ".join(text.split()) or None
    return None


def _note_label(label: str) -> str:
    return f'<span class="footnote-label">{escape(label)}.</span> '


def _footnote_ref(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """``[^i]`` as a superscript "i" (the document's own label, not a renumbering)."""
    meta = tokens[idx].meta
    label = str(meta.get("label") or int(meta["id"]) + 1)
    ref_id = f"fnref{int(meta['id']) + 1}" + (f":{meta['subId']}" if meta.get("subId") else "")
    return (
        f'<sup class="footnote-ref"><a href="#fn{int(meta["id"]) + 1}" id="{ref_id}" '
        f'aria-label="note {escape(label)}">{escape(label)}</a></sup>'
    )


def _note_sources(tokens: Sequence[Token], lookup: Lookup) -> dict[str, Mapping[str, Any]]:
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
                href = ""
                if child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                elif child.type == "html_inline":
                    href = _anchor_href(child.content) or ""
                source = lookup(href)
                if source is not None:
                    notes[label] = source
                    break
    return notes


def _with_marks(
    children: list[Token],
    lookup: Lookup,
    notes: Mapping[str, Mapping[str, Any]],
    relink: Relink | None,
) -> list[Token]:
    out: list[Token] = []
    open_source: Mapping[str, Any] | None = None
    # A browser shows what is inside these as text: their tags are left as written.
    shown_as_text: str | None = None
    for token in children:
        if token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            open_source = lookup(href)
            if open_source is not None:
                _decorate_link(token, open_source)
            elif relink is not None:
                token.attrSet("href", relink(href))
        elif token.type == "image" and relink is not None:
            token.attrSet("src", relink(str(token.attrs.get("src", "")), image=True))
        elif token.type == "html_inline":
            if shown_as_text is not None:
                closed = _END_TAG.match(token.content)
                if closed and closed[1].lower() == shown_as_text:
                    shown_as_text = None
            else:
                if (anchor := _anchor_href(token.content)) is not None:
                    open_source = lookup(anchor)
                if relink is not None:
                    token.content = relink_html(token.content, relink)
                opened = _START_TAG.match(token.content)
                if opened and opened[1].lower() in SHOWN_AS_TEXT:
                    shown_as_text = opened[1].lower()
        out.append(token)
        closes = token.type == "link_close" or (
            token.type == "html_inline" and _closes_anchor(token.content)
        )
        if closes and open_source is not None:
            out.append(_html(mark_html(open_source)))
            open_source = None
        elif token.type == "footnote_ref":
            source = notes.get(str(token.meta.get("label")))
            if source is not None:
                out.append(_html(mark_html(source, compact=True)))
    return out


class _Anchors(TolerantParser):
    """Where each ``<a href>`` of raw HTML opens and where its ``</a>`` ends."""

    def __init__(self, html: str) -> None:
        super().__init__(html)
        self.opened: list[str | None] = []  # href of each <a>, in order
        self.closed: list[tuple[int, str | None]] = []  # (end offset, href) of each </a>
        self._href: str | None = None
        self.read()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = next((value or "" for name, value in attrs if name == "href"), None)
            self._href = href.strip() if href is not None else None
            self.opened.append(self._href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            end = self.markup.find(">", self.position())
            self.closed.append((len(self.markup) if end < 0 else end + 1, self._href))
            self._href = None


def _anchor_href(html: str) -> str | None:
    """The href of an ``<a href>`` start tag written as raw HTML, else None."""
    if not _ANCHOR_OPEN.match(html):
        return None
    opened = _Anchors(html).opened
    return opened[0] if opened else None


def _closes_anchor(html: str) -> bool:
    return _ANCHOR_CLOSE.match(html) is not None


def _mark_html_block(html: str, lookup: Lookup) -> str:
    """A raw HTML block with the mark of its source after each ``</a>`` that cites one."""
    if not _ANCHOR_CLOSE.search(html):
        return html
    pieces: list[str] = []
    done = 0
    for end, href in _Anchors(html).closed:
        source = lookup(href) if href else None
        if source is not None:
            pieces += [html[done:end], mark_html(source)]
            done = end
    return "".join(pieces) + html[done:]


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
    if source.get("verdict") is None:
        # Never checked: nothing failed to be verified yet, and there is no reason.
        mark = Mark(mark.kind, mark.icon, "not checked yet")
        tip = "not checked yet"
    else:
        tip = f"{mark.label}; {when}. {reason}".strip()
    words_class = "visually-hidden" if compact else "mark-words"
    words = f'<span class="{words_class}">{escape(mark.label)}</span>'
    html = (
        f'<span class="mark mark-{mark.kind.value}{" mark-compact" if compact else ""}" '
        f'tabindex="0" title="{escape(tip)}">'
        f'<span aria-hidden="true">{mark.icon}</span> {words}'
        + (f'<span class="mark-time"> ({escape(when)})</span>' if checked else "")
        + "</span>"
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
