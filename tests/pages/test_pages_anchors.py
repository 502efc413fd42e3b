"""Fragments: ids, <a name>, percent-encoding, the spec's special cases, broken markup."""

from __future__ import annotations

import pytest

from checks.anchors import anchor_ids, anchor_present

REPORT = """<!DOCTYPE html>
<html lang="en">
<head><title>Annual report 2019</title></head>
<body>
<nav id="top-nav"><a href="#summary">Summary</a></nav>
<main>
<h1 id="annual-report-2019">Annual report 2019</h1>
<section id="summary"><h2>Summary</h2><p>Served 12,400 children.</p></section>
<h2 id="Findings">Findings</h2>
<h2 id="table-3.1">Table 3.1</h2>
<h2 id="données-clés">Données clés</h2>
<h2 id="with space">Odd id</h2>
<h2 id="100%">Complete</h2>
<a name="footnote-i"></a><p>i. U.S. Department of Justice, 2009.</p>
<a name="fn2" id="footnote-ii"></a><p>ii. Walker, 2013.</p>
<p name="not-an-anchor">Only a, not p, gives name a meaning.</p>
<svg><g id="chart-bars"></g></svg>
</main>
</body>
</html>"""


def test_anchor_ids_collects_ids_and_a_names() -> None:
    ids = anchor_ids(REPORT)
    expected = {
        "top-nav",
        "annual-report-2019",
        "summary",
        "Findings",
        "table-3.1",
        "données-clés",
        "with space",
        "100%",
        "footnote-i",
        "fn2",
        "footnote-ii",
        "chart-bars",
    }
    assert ids == expected
    assert "not-an-anchor" not in ids


@pytest.mark.parametrize(
    "fragment",
    [
        "summary",
        "#summary",
        "Findings",
        "table-3.1",
        "footnote-i",
        "fn2",
        "chart-bars",
        "donn%C3%A9es-cl%C3%A9s",
        "données-clés",
        "with%20space",
        "100%",
        "100%25",
    ],
)
def test_present_fragments(fragment: str) -> None:
    assert anchor_present(REPORT, fragment)


@pytest.mark.parametrize(
    "fragment",
    ["findings", "Summary", "footnote-iii", "not-an-anchor", "table-3", "%E9", "#missing"],
)
def test_missing_fragments(fragment: str) -> None:
    assert not anchor_present(REPORT, fragment)


@pytest.mark.parametrize("fragment", ["", "#", "top", "TOP", "Top"])
def test_empty_fragment_and_top_always_resolve(fragment: str) -> None:
    assert anchor_present("<html><body><p>No ids at all.</p></body></html>", fragment)


@pytest.mark.parametrize(
    ("fragment", "present"),
    [
        (":~:text=12%2C400%20children", True),
        ("#:~:text=anything", True),
        ("summary:~:text=Served", True),
        ("nowhere:~:text=Served", False),
    ],
)
def test_text_directives_are_not_anchors(fragment: str, present: bool) -> None:
    assert anchor_present(REPORT, fragment) is present


def test_github_heading_anchors_resolve() -> None:
    readme = '<article><h2><a id="user-content-installation" href="#installation"></a>Install</h2>'
    assert anchor_present(readme, "installation")
    assert not anchor_present(readme, "usage")


@pytest.mark.parametrize(
    "html",
    [
        '<div id="target"><p>unclosed <b>tags <i>everywhere',
        '<html><body><table><tr><td id="target">cell</td></tr>',
        '<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p id="target">x</p></body></html>',
        "<html><body><DIV ID='target'>upper case</DIV></body></html>",
        '<html><body><p id="a" id="target">duplicate attribute</p><span id=target>x</span>',
        "<html><body><!-- <p id='commented'> --><a name=target>x</a></body></html>",
        "\ufeff<p id=target>byte order mark</p>",
    ],
)
def test_broken_markup_still_yields_ids(html: str) -> None:
    assert anchor_present(html, "target")


def test_commented_out_ids_do_not_count() -> None:
    assert not anchor_present("<html><body><!-- <p id='ghost'> --></body></html>", "ghost")


@pytest.mark.parametrize("html", ["", "   ", "<", "\x00\x01\x02", "plain text id=target"])
def test_unparseable_or_empty_pages_have_no_ids(html: str) -> None:
    assert anchor_ids(html) == frozenset()
    assert not anchor_present(html, "target")


def test_entities_in_ids_are_decoded() -> None:
    assert anchor_present('<p id="q&amp;a">Q and A</p>', "q&a")
    assert anchor_present('<p id="q&amp;a">Q and A</p>', "q%26a")


def test_large_page_is_handled() -> None:
    rows = "".join(f'<tr id="row-{i}"><td>{i}</td></tr>' for i in range(20000))
    html = f"<html><body><table>{rows}</table></body></html>"
    assert anchor_present(html, "row-19999")
    assert not anchor_present(html, "row-20000")
