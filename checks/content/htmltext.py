"""The text a reader sees on an HTML page.

Markup is walked once per page: inline elements join their text without spaces (so
"100,<b>000</b>" stays one number), blocks become lines, table cells sit apart on one
line, and what is never content (scripts, styles, templates, hidden elements) or is
page furniture (navigation, banners, footers, forms) is left out.

Markup is parsed by libxml2 through lxml, as a reader of its events sees it (HTML in one
feed, XML in 512-character feeds, recovering from errors). For HTML libxml2's own tree
holds the same and costs least; XML, and HTML nested deeper than that tree goes, are
built from the events. The walk over the tree is one loop in Python, so a page costs
about as much as its elements.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from lxml import etree

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
# Names for which an element without a role may be furniture.
_FURNITURE_NAMES = _FURNITURE | _SIDEBARS | {"header", "footer", "form"}
# Some frameworks (ASP.NET WebForms, SharePoint) wrap the whole page in one <form>;
# such a form is the page, not a search box or sign-up form: it holds a main part or
# a section, or more blocks of prose than a form's few lines of help.
_PAGE_FORM_CONTENT = ("main", "article", "h1", "h2", "section")
_PROSE_BLOCKS = ("p", "table", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote")
_PAGE_FORM_PROSE = 3
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
# In HTML, the text inside these is code (script, style, template) or ruby annotation
# (rt, rp); the innermost one around a piece of text decides which. Code is not text.
_CODE_CONTAINERS = frozenset({"script", "style", "template"})
_RUBY_CONTAINERS = frozenset({"rt", "rp"})
_STRING_CONTAINERS = _CODE_CONTAINERS | _RUBY_CONTAINERS
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Line breaks in the source are spaces; only blocks make lines. The walk marks block
# boundaries with NUL, which libxml2 never passes on as text, and turns both into
# what they stand for in one pass at the end.
_BREAK = "\x00"
_TO_TEXT = str.maketrans(dict.fromkeys("\r\n\f\v\u2028\u2029", " ") | {_BREAK: "\n"})
# Candidates for the main text: elements named main or article, or with a role.
_ROLE_HOLDERS = etree.XPath("//@role/..")
_ROOT_CANDIDATES = etree.XPath("//main | //article | //@role/..")
_ROOT_NAMES = frozenset({"main", "article"})
# Whether libxml2's tree reaches 250 levels: near where it stops building.
_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * 250) + ")")
# Longer markup may hold a text node over libxml2's limit for its tree (10 MB as
# UTF-8, at most four bytes a character).
_TREE_MAX_CHARS = 2_500_000
_XML_CHUNK = 512
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_DOCUMENT = "[document]"
_TITLE_LIMIT = 8

# Which texts an element's text goes to: the full text (sidebars kept), the whole
# page without sidebars (the main text when a page has no main element), the main text,
# and the full text with what the page collapses (hidden accordion panels and tabs,
# which a reader opens with a click).
_FULL, _WHOLE, _MAIN, _REVEALED = 1, 2, 4, 8


@dataclass(frozen=True)
class PageText:
    """The text of one HTML (or XML) document: the main text, the full text less page
    furniture, and the title. Lines are blocks, whitespace collapsed in each."""

    main: str
    full: str
    title: str | None
    # The full text with the page's hidden elements, when it has any.
    revealed: str | None = None


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
    if markup.startswith("\ufeff"):
        markup = markup[1:]
    tops = _parse_events(markup, xml=True) if xml else _parse_html(markup)
    if not tops:
        return PageText("", "", None)
    roots = _main_roots(tops)
    walk = _Walk(tops, roots, xml=xml)
    full_raw = walk.text(_FULL)
    full = collapse_lines([full_raw])
    main = _collapse_like(walk.text(_MAIN), full_raw, full) if roots else ""
    if not main:
        # No main element, or an empty one filled in by script: take the whole page.
        main = _collapse_like(walk.text(_WHOLE), full_raw, full)
    revealed = collapse_lines([walk.text(_REVEALED)]) if walk.hides_text() else None
    return PageText(main, full, _title(tops, xml=xml), revealed if revealed != full else None)


def _collapse_like(raw: str, other_raw: str, other: str) -> str:
    # Often the main text is the whole page but for the blank lines around it;
    # whitespace at the ends never changes the collapsed lines.
    return other if raw.strip() == other_raw.strip() else collapse_lines([raw])


class _Node(Protocol):
    """What the text rules read of a node: an lxml element, comment or processing
    instruction, or an :class:`_EventNode`."""

    @property
    def tag(self) -> object: ...  # a string for elements only

    @property
    def text(self) -> str | None: ...

    @property
    def tail(self) -> str | None: ...

    def get(self, key: str) -> str | None: ...

    def __iter__(self) -> Iterator[_Node]: ...

    def __len__(self) -> int: ...

    def iter(self, *tags: str) -> Iterator[_Node]: ...

    def iterancestors(self) -> Iterator[_Node]: ...

    def iterdescendants(self, *tags: str) -> Iterator[_Node]: ...


# --- parsing ---------------------------------------------------------------------------


def _parse_html(markup: str) -> list[_Node]:
    """The document's top-level nodes in order: the root element with any comments,
    processing instructions and (after ``</html>``) further elements beside it.

    libxml2's own tree is the fast way. Where it may fall short of the parser's
    events, which the text rules follow, the events build the tree instead: libxml2
    stops building at the first element nested deeper than 255 levels (the events go
    on), and at the first text node over 10 MB.
    """
    if len(markup) > _TREE_MAX_CHARS:
        return _parse_events(markup, xml=False)
    parser = etree.HTMLParser(recover=True, huge_tree=False, collect_ids=False)
    parser.feed(markup)
    try:
        root = parser.close()
    except etree.XMLSyntaxError:
        return []  # nothing but comments, or nothing at all
    if root is None:
        return []
    if _DEEP(root):
        return _parse_events(markup, xml=False)
    before = list(root.itersiblings(preceding=True))
    before.reverse()
    return [*before, root, *root.itersiblings()]


def _parse_events(markup: str, *, xml: bool) -> list[_Node]:
    """The document node of ``markup``, built from the parser's events.

    XML always goes this way: libxml2's own tree differs from its events where it
    recovers from broken XML (a start tag it gave up on is closed at once in the tree,
    but stays open for the events).
    """
    builder = _EventTreeBuilder()
    if xml:
        parser = etree.XMLParser(target=builder, recover=True, huge_tree=False)
        # Fed in chunks, at least once even when empty, as a streaming reader does.
        parser.feed(markup[:_XML_CHUNK])
        for start in range(_XML_CHUNK, len(markup), _XML_CHUNK):
            parser.feed(markup[start : start + _XML_CHUNK])
    else:
        parser = etree.HTMLParser(target=builder, recover=True, huge_tree=False)
        parser.feed(markup)
    parser.close()
    return [builder.document]


class _EventNode:
    """An element built from parser events, with the parts of lxml's element interface
    the text rules use.

    ``tag`` is the local name (a name with an undeclared prefix keeps it), ``prefix``
    the prefix in scope for its namespace, ``attrs`` its attributes keyed the same way.
    """

    __slots__ = ("attrs", "children", "parent", "prefix", "tag", "tail", "text")

    def __init__(
        self, tag: str, prefix: str | None, attrs: dict[str, str], parent: _EventNode | None
    ) -> None:
        self.tag = tag
        self.prefix = prefix
        self.attrs = attrs
        self.parent = parent
        self.children: list[_EventNode] = []
        self.text: str | None = None
        self.tail: str | None = None

    def get(self, key: str) -> str | None:
        return self.attrs.get(key)

    def __iter__(self) -> Iterator[_EventNode]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def iter(self, *tags: str) -> Iterator[_EventNode]:
        stack = [self]
        while stack:
            node = stack.pop()
            if not tags or node.tag in tags:
                yield node
            stack.extend(reversed(node.children))

    def iterancestors(self) -> Iterator[_EventNode]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def iterdescendants(self, *tags: str) -> Iterator[_EventNode]:
        return (node for node in self.iter(*tags) if node is not self)


class _EventTreeBuilder:
    """Builds :class:`_EventNode` trees from lxml parser events.

    An end tag closes the innermost open element of its name and prefix together with
    everything opened inside it, and is ignored when no element of that name is open.
    A namespace's prefix is the innermost one declared for it.
    """

    def __init__(self) -> None:
        self.document = _EventNode(_DOCUMENT, None, {}, None)
        self.stack = [self.document]
        self.open: Counter[str] = Counter()
        # Inverted declarations (namespace -> prefix) per open element, None for an
        # element that declares none; only kept once some element has declared one.
        self.namespaces: list[dict[str, str | None] | None] = [{_XML_NAMESPACE: "xml"}]

    def start(self, tag: str, attrib: Mapping[str, str], nsmap: Mapping[str | None, str]) -> None:
        if nsmap:
            self.namespaces.append({uri: prefix for prefix, uri in nsmap.items()})
        elif len(self.namespaces) > 1:
            self.namespaces.append(None)
        attrs: dict[str, str] = {}
        for key, value in attrib.items():
            namespace, local = _split_namespace(key)
            prefix = self._prefix(namespace)
            attrs[f"{prefix}:{local}" if prefix else local] = value
        namespace, name = _split_namespace(tag)
        parent = self.stack[-1]
        node = _EventNode(name, self._prefix(namespace), attrs, parent)
        parent.children.append(node)
        self.stack.append(node)
        self.open[name] += 1

    def end(self, tag: str) -> None:
        namespace, name = _split_namespace(tag)
        prefix = self._prefix(namespace)
        for _ in range(len(self.stack) - 1):
            if not self.open[name]:
                break
            node = self.stack.pop()
            self.open[node.tag] -= 1
            if node.tag == name and node.prefix == prefix:
                break
        if len(self.namespaces) > 1:
            self.namespaces.pop()

    def data(self, data: str) -> None:
        node = self.stack[-1]
        if node.children:
            last = node.children[-1]
            last.tail = (last.tail or "") + data
        else:
            node.text = (node.text or "") + data

    # Comments, processing instructions and the doctype hold no text. The handlers
    # must exist all the same: libxml2 reports a document differently to a reader
    # that takes them (with a doctype handler, nothing after an internal DTD subset).
    def comment(self, text: str) -> None:
        pass

    def pi(self, target: str, data: str | None = None) -> None:
        pass

    def doctype(self, name: str | None, pubid: str | None, system: str | None) -> None:
        pass

    def close(self) -> _EventNode:
        return self.document

    def _prefix(self, namespace: str | None) -> str | None:
        if namespace is None:
            return None
        for inverted in reversed(self.namespaces):
            if inverted is not None and namespace in inverted:
                return inverted[namespace]
        return None


def _split_namespace(tag: str) -> tuple[str | None, str]:
    if tag[:1] == "{" and "}" in tag:
        namespace, name = tag[1:].split("}", 1)
        return namespace, name
    return None, tag


# --- the main text's elements ----------------------------------------------------------


def _main_roots(tops: Sequence[_Node]) -> list[_Node]:
    """The outermost <main> (or role=main) elements, else the outermost <article>s."""
    candidates: list[_Node]
    if isinstance(tops[0], _EventNode):
        candidates = [
            node
            for node in tops[0].iter()
            if node.tag in _ROOT_NAMES or node.get("role") is not None
        ]
    else:
        candidates = _html_candidates(tops)
    for wanted in (_is_main, _is_article):
        tags = [tag for tag in candidates if wanted(tag) and not _hidden(tag)]
        chosen = set(tags)
        outer = [tag for tag in tags if not any(p in chosen for p in tag.iterancestors())]
        if outer:
            return outer
    return []


def _html_candidates(tops: Sequence[_Node]) -> list[_Node]:
    """Elements named main or article, or with a role, in document order."""
    elements = [top for top in tops if isinstance(top.tag, str)]
    if not elements:
        return []
    # Each search covers the whole document, whichever top-level element it starts at.
    with_role: list[_Node] = _ROLE_HOLDERS(elements[0])
    named = [node for top in elements for node in top.iter(*_ROOT_NAMES)]
    if with_role and named:
        merged: list[_Node] = _ROOT_CANDIDATES(elements[0])
        return merged
    return with_role or named


def _is_main(tag: _Node) -> bool:
    return tag.tag == "main" or _role_in(tag.get("role"), _MAIN_ROLES)


def _is_article(tag: _Node) -> bool:
    return tag.tag == "article"


def _hidden(tag: _Node) -> bool:
    # aria-hidden is not hidden: it marks visible decoration, sometimes the very
    # figure that screen readers get spelled out elsewhere.
    hidden = tag.get("hidden")
    if hidden is not None and hidden.lower() != "until-found":
        return True
    style = tag.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


def _role_in(role: str | None, roles: frozenset[str]) -> bool:
    if not role:
        return False
    return any(value.lower() in roles for value in role.split())


# --- the walk --------------------------------------------------------------------------


class _Walk:
    """One pass over the document for the full text, the whole page without sidebars
    and the main text at once.

    Each piece of text is kept once; runs of pieces record which of the three texts
    they belong to (a bit mask), as that changes only at main elements, sidebars and
    other furniture. Iterative, because real pages nest deeper than Python's
    recursion limit.
    """

    def __init__(self, tops: Sequence[_Node], roots: Sequence[_Node], *, xml: bool) -> None:
        self.pieces: list[str] = []
        # (index of the first piece, texts it belongs to), in order.
        self.runs: list[tuple[int, int]] = []
        self.collapsed = False  # whether some element was hidden
        self._walk(tops, roots, xml=xml)

    def hides_text(self) -> bool:
        """Whether a hidden element held any text (an empty hidden pixel does not)."""
        if not self.collapsed:
            return False
        pieces, runs = self.pieces, self.runs
        ends = [start for start, _ in runs[1:]]
        ends.append(len(pieces))
        return any(
            piece.strip(_BREAK + " \t\n\r\f\v")
            for (start, mask), end in zip(runs, ends, strict=True)
            if mask == _REVEALED
            for piece in pieces[start:end]
        )

    def text(self, which: int) -> str:
        """The text of :data:`_FULL`, :data:`_WHOLE` or :data:`_MAIN`, lines not yet
        collapsed."""
        pieces, runs = self.pieces, self.runs
        if not runs:
            return ""
        ends = [start for start, _ in runs[1:]]
        ends.append(len(pieces))
        raw = "".join(
            "".join(pieces[start:end])
            for (start, mask), end in zip(runs, ends, strict=True)
            if mask & which
        )
        return raw.translate(_TO_TEXT)

    def _walk(self, tops: Sequence[_Node], main_roots: Sequence[_Node], *, xml: bool) -> None:
        # One loop with the writes written out: this runs for every element of every
        # page, and a function call per piece would double its cost.
        pieces, runs = self.pieces, self.runs
        put = pieces.append
        current = -1  # the mask of the last run
        roots = set(main_roots)
        # Elements holding a main element: walked even where none of their text counts.
        paths = {ancestor for root in main_roots for ancestor in root.iterancestors()}
        # Visits: (node, its parent's mask, whether its parent's text counts, whether
        # it is inside an article or main element). Ends: (closing piece, mask, tail,
        # the parent's mask, None).
        stack: list[tuple[_Node, int, bool, bool] | tuple[str | None, int, str | None, int, None]]
        stack = [(top, _FULL | _WHOLE | _REVEALED, True, False) for top in reversed(tops)]
        push = stack.append
        while stack:
            item = stack.pop()
            if len(item) == 5:
                closing, mask, tail, parent_mask, _ = item
                if closing is not None:
                    if mask != current:
                        runs.append((len(pieces), mask))
                        current = mask
                    put(closing)
                if tail is not None:
                    if parent_mask != current:
                        runs.append((len(pieces), parent_mask))
                        current = parent_mask
                    put(tail)
                continue
            node, parent_mask, text_ok, in_section = item
            name = node.tag
            tail = node.tail if text_ok else None
            if not isinstance(name, str):  # a comment or the like: only its tail counts
                if tail:
                    if parent_mask != current:
                        runs.append((len(pieces), parent_mask))
                        current = parent_mask
                    put(tail)
                continue
            # lxml's HTML names and _EventNode names are local names already.
            mask = parent_mask
            is_root = node in roots
            if is_root:
                mask |= _MAIN
                # Each main element starts its own lines of the main text.
                if current != _MAIN:
                    runs.append((len(pieces), _MAIN))
                    current = _MAIN
                put(_BREAK)
            if xml or name in _RUBY_CONTAINERS:
                child_ok = True
            elif name in _CODE_CONTAINERS:
                child_ok = False
            else:
                child_ok = text_ok
            child_section = in_section or name in _CONTENT_SECTIONS
            if name == "br":
                if mask != current:
                    runs.append((len(pieces), mask))
                    current = mask
                put(_BREAK)
                mask = 0  # its content, if any, is not read
            else:
                hidden = node.get("hidden")
                style = node.get("style")
                role = node.get("role")
                if name in _NEVER:
                    mask = 0
                elif (hidden is not None and hidden.lower() != "until-found") or (
                    style is not None and _HIDDEN_STYLE.search(style) is not None
                ):
                    mask &= _REVEALED
                    self.collapsed = True
                if mask and (role or name in _FURNITURE_NAMES):
                    mask = _without_furniture(node, name, role, mask, in_section, is_root)
            if not mask:
                if node in paths:
                    push((None, 0, tail, parent_mask, None))
                    on_path = [c for c in node if c in paths or c in roots]
                    on_path.reverse()
                    for child in on_path:
                        push((child, 0, child_ok, child_section))
                elif tail:
                    if parent_mask != current:
                        runs.append((len(pieces), parent_mask))
                        current = parent_mask
                    put(tail)
                continue
            closing = None
            if xml or name in _BLOCKS:
                piece = closing = _BREAK
            elif name in _CELLS:
                piece = closing = "\t"
            elif name in _APART:
                piece = " "
            else:
                piece = ""
            text = node.text if child_ok else None
            if text:
                piece += text
            if not len(node):
                # A leaf (most paragraphs): closed, and its tail written, at once.
                if closing is not None:
                    piece += closing
                if tail and parent_mask == mask:
                    piece += tail
                    tail = None
                if piece:
                    if mask != current:
                        runs.append((len(pieces), mask))
                        current = mask
                    put(piece)
                if tail:
                    if parent_mask != current:
                        runs.append((len(pieces), parent_mask))
                        current = parent_mask
                    put(tail)
                continue
            if piece:
                if mask != current:
                    runs.append((len(pieces), mask))
                    current = mask
                put(piece)
            if closing is not None or tail:
                push((closing, mask, tail or None, parent_mask, None))
            children = list(node)
            children.reverse()
            for child in children:
                push((child, mask, child_ok, child_section))


def _without_furniture(
    node: _Node, name: str, role: str | None, mask: int, in_section: bool, is_root: bool
) -> int:
    """``mask`` less the texts that leave ``node`` out as page furniture."""
    if mask & (_FULL | _REVEALED) and _is_furniture(node, name, role, in_section, sidebars=True):
        mask &= ~(_FULL | _REVEALED)
    if mask & (_WHOLE | _MAIN) and _is_furniture(node, name, role, in_section, sidebars=False):
        mask &= ~_WHOLE
        if not is_root:  # a main element is never furniture to itself
            mask &= ~_MAIN
    return mask


def _is_furniture(
    tag: _Node, name: str, role: str | None, in_section: bool, *, sidebars: bool
) -> bool:
    if sidebars and (name in _SIDEBARS or _role_in(role, _SIDEBAR_ROLES)):
        return False
    if name in ("header", "footer"):
        return not in_section
    if name == "form":
        if next(tag.iterdescendants(*_PAGE_FORM_CONTENT), None) is not None:
            return False
        prose = islice(tag.iterdescendants(*_PROSE_BLOCKS), _PAGE_FORM_PROSE)
        return sum(1 for _ in prose) < _PAGE_FORM_PROSE
    return name in _FURNITURE or _role_in(role, _FURNITURE_ROLES)


# --- the title -------------------------------------------------------------------------


def _title(tops: Sequence[_Node], *, xml: bool) -> str | None:
    # The document's title, not an icon's: <svg> has <title> elements too.
    seen = 0
    for top in tops:
        if not isinstance(top.tag, str):
            continue
        for tag in top.iter("title"):
            if not any(parent.tag == "svg" for parent in tag.iterancestors()):
                return collapse(_title_text(tag, xml=xml)) or None
            seen += 1
            if seen >= _TITLE_LIMIT:
                return None
    return None


def _title_text(title: _Node, *, xml: bool) -> str:
    """The plain text under ``title``: no comments, and in HTML nothing inside a
    script, style, template or ruby annotation (those hold other kinds of text)."""
    if not xml and any(a.tag in _STRING_CONTAINERS for a in title.iterancestors()):
        return ""
    parts: list[str] = []
    stack: list[_Node | str] = [title]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        if not isinstance(node.tag, str):
            continue  # comments and the like; their tails come with the parent
        if not xml and node.tag in _STRING_CONTAINERS:
            continue  # its tail, pushed by the parent, still counts
        if node.text:
            parts.append(node.text)
        children = list(node)
        children.reverse()
        for child in children:
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return "".join(parts)
