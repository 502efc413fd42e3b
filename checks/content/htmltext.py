"""The text a reader sees on an HTML page.

Markup is walked once per view: inline elements join their text without spaces (so
"100,<b>000</b>" stays one number), blocks become lines, table cells sit apart on one
line, and what is never content (scripts, styles, templates, hidden elements) or is
page furniture (navigation, banners, footers, forms) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import (
    NavigableString,
    PreformattedString,
    Script,
    Stylesheet,
    Tag,
    TemplateString,
)

from checks.content.normalise import collapse, collapse_lines

# Elements that are never content.
_NEVER = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "head",
    }
)
# Page furniture, left out of the main text; the full text keeps only the sidebars.
_FURNITURE = frozenset({"nav", "header", "footer", "aside", "form", "button", "select"})
_SIDEBARS = frozenset({"aside"})
# Some frameworks wrap the whole page in one <form>; such a form is the page, not a
# search box or sign-up form.
_PAGE_FORM_CONTENT = ("main", "article", "h1", "h2", "section")
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_SIDEBAR_ROLES = frozenset({"complementary"})
_MAIN_ROLES = frozenset({"main"})
# Inside these, a header or footer belongs to the content (an article's title, byline
# or date), not to the page.
_CONTENT_SECTIONS = frozenset({"article", "main"})
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "title",
        "tr",
        "ul",
    }
)
# Table cells sit side by side: a tab keeps them apart without breaking the row.
_CELLS = frozenset({"td", "th"})
# Footnote markers must not fuse with the number before them ("100,000<sup>1</sup>").
_APART = frozenset({"sup", "sub"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BREAK = object()  # marks a block boundary in the traversal
_SOURCE_BREAKS = str.maketrans("\r\n\f\v\u2028\u2029", "      ")


@dataclass(frozen=True)
class PageText:
    """The text of one HTML (or XML) document: the main text, the full text less page
    furniture, and the title. Lines are blocks, whitespace collapsed in each."""

    main: str
    full: str
    title: str | None


def page_text(markup: str, *, xml: bool = False) -> PageText:
    """The readable text of decoded ``markup``.

    Main text: the outermost ``<main>`` (or ``role=main``) elements, else the
    outermost ``<article>`` elements, else the body, without navigation, banners,
    footers, forms, sidebars, code or hidden elements. Full text: the whole page less
    the same, but with sidebars, where fact boxes sit.
    """
    if "<" not in markup:
        text = collapse_lines([markup])
        return PageText(text, text, None)
    soup = BeautifulSoup(markup, "xml" if xml else "lxml")
    roots = _main_roots(soup)
    main = collapse_lines(_visible(root, sidebars=False, xml=xml) for root in roots)
    full = collapse_lines([_visible(soup, sidebars=True, xml=xml)])
    if not main:
        # No main element, or an empty one filled in by script: take the whole page.
        main = collapse_lines([_visible(soup, sidebars=False, xml=xml)])
    return PageText(main, full, _title(soup))


def _title(soup: BeautifulSoup) -> str | None:
    # The document's title, not an icon's: <svg> has <title> elements too.
    for tag in soup.find_all("title", limit=8):
        if isinstance(tag, Tag) and not any(parent.name == "svg" for parent in tag.parents):
            return collapse(tag.get_text()) or None
    return None


def _main_roots(soup: BeautifulSoup) -> list[Tag]:
    """The outermost <main> (or role=main) elements, else the outermost <article>s."""
    for wanted in (_is_main, "article"):
        found = soup.find_all(wanted)
        tags = [tag for tag in found if isinstance(tag, Tag) and not _hidden(tag)]
        chosen = set(map(id, tags))
        outer = [tag for tag in tags if not any(id(p) in chosen for p in tag.parents)]
        if outer:
            return outer
    return []


def _is_main(tag: Tag) -> bool:
    return tag.name == "main" or _has_role(tag, _MAIN_ROLES)


def _visible(root: Tag, *, sidebars: bool, xml: bool = False) -> str:
    """The text a reader sees under ``root``: inline markup joined without spaces,
    block boundaries as line breaks, cells separated by tabs; page furniture left
    out, sidebars too unless ``sidebars``. In XML every element is a block.

    Iterative, because real pages nest deeper than Python's recursion limit.
    """
    out: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _BREAK:
            out.append("\n")
        elif isinstance(node, NavigableString):
            if _is_text(node):
                # Line breaks in the source are spaces; only blocks make lines.
                out.append(node.translate(_SOURCE_BREAKS))
        elif isinstance(node, Tag):
            name = node.name
            if name == "br":
                out.append("\n")
                continue
            if name in _NEVER or _hidden(node):
                continue
            if node is not root and _is_furniture(node, sidebars=sidebars):
                continue
            if xml or name in _BLOCKS:
                stack.append(_BREAK)
                stack.extend(reversed(node.contents))
                stack.append(_BREAK)
            elif name in _CELLS:
                stack.append("\t")
                stack.extend(reversed(node.contents))
                stack.append("\t")
            elif name in _APART:
                stack.extend(reversed(node.contents))
                stack.append(" ")
            else:
                stack.extend(reversed(node.contents))
        elif isinstance(node, str):
            out.append(node)
    return "".join(out)


def _is_text(node: NavigableString) -> bool:
    # Comments, doctypes, CDATA and the bodies of script/style/template elements are
    # strings in the tree too; only plain strings are text a reader sees.
    return not isinstance(node, PreformattedString | Script | Stylesheet | TemplateString)


def _hidden(tag: Tag) -> bool:
    # aria-hidden is not hidden: it marks visible decoration, sometimes the very
    # figure that screen readers get spelled out elsewhere.
    attrs = tag.attrs
    if "hidden" in attrs and str(attrs.get("hidden") or "").lower() != "until-found":
        return True
    style = attrs.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def _is_furniture(tag: Tag, *, sidebars: bool) -> bool:
    name = tag.name
    if sidebars and (name in _SIDEBARS or _has_role(tag, _SIDEBAR_ROLES)):
        return False
    if name in ("header", "footer"):
        return not any(parent.name in _CONTENT_SECTIONS for parent in tag.parents)
    if name == "form":
        return tag.find(_PAGE_FORM_CONTENT) is None
    return name in _FURNITURE or _has_role(tag, _FURNITURE_ROLES)


def _has_role(tag: Tag, roles: set[str] | frozenset[str]) -> bool:
    role = tag.attrs.get("role")
    if not role:
        return False
    values = role if isinstance(role, list) else str(role).split()
    return any(value.lower() in roles for value in values)
