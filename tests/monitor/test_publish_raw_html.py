"""Raw HTML in a fact sheet: its relative URLs work from the published page, the rest of it
stays as the author wrote it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from monitor.publish import publish_documents
from tests.monitor.test_publish_documents import PNG, entry, project, status

LOGO = "data:image/png;base64," + base64.b64encode(PNG).decode()
REPORT = "https://oag.ca.gov/trafficking"


def published(root: Path, sheet: str, *entries: dict[str, Any]) -> tuple[str, Path]:
    """The page of ``sheet`` published from a project at ``root``, and its folder."""
    workspace = project(root, sheet)
    (root / "content" / "files" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (root / "content" / "img" / "logo-2x.png").write_bytes(PNG)
    out = root / "reports" / "published"
    try:
        [page] = publish_documents(
            workspace, status(*entries) if entries else workspace.status(), out, only=("hoja",)
        )
    finally:
        workspace.close()
    return page.read_text(encoding="utf-8"), out


def article(html: str) -> Tag:
    found = BeautifulSoup(html, "lxml").find("article")
    assert isinstance(found, Tag)
    return found


def attr(element: Any, name: str) -> str:
    value = element[name]
    assert isinstance(value, str)
    return value


def test_a_raw_image_is_embedded_with_its_attributes_as_written(tmp_path: Path) -> None:
    html, _ = published(
        tmp_path,
        'The county <img src="img/logo.png" width="120" alt="County logo"> logo.\n\n'
        '<img src="img/logo.png" width="120" alt="County logo">\n\n'
        "<p align=center>\n  <IMG  SRC=img/logo.png\n  HEIGHT='40'></p>\n",
    )
    written = f'<img src="{LOGO}" width="120" alt="County logo">'
    assert html.count(written) == 2  # in a paragraph and as a block of its own
    assert f"<IMG  SRC=\"{LOGO}\"\n  HEIGHT='40'>" in html  # a bare value gets quotes
    assert "img/logo.png" not in html


def test_each_candidate_of_a_srcset_is_rewritten_and_its_descriptor_kept(tmp_path: Path) -> None:
    html, out = published(
        tmp_path,
        '<img srcset="img/logo.png 1x, img/logo-2x.png 2x" src="img/logo.png" alt="">\n\n'
        "<picture>\n"
        '<source srcset="img/wide.png 1200w,files/data.csv 600w" media="(min-width: 40em)">\n'
        '<source src="img/logo.png" type="image/png">\n'
        '<img src="img/logo.png" alt="Chart">\n'
        "</picture>\n",
    )
    body = article(html)
    image = body.find("img", alt="")
    assert isinstance(image, Tag)
    assert image["srcset"] == f"{LOGO} 1x, {LOGO} 2x"
    sources = body.find_all("source")
    wide, data = (candidate.split(" ") for candidate in attr(sources[0], "srcset").split(","))
    # Not embedded (one is missing, the other no picture): linked from the page's folder.
    assert wide[1:] == ["1200w"] and data[1:] == ["600w"]
    assert (out / wide[0]).resolve() == (tmp_path / "content" / "img" / "wide.png").resolve()
    assert (out / data[0]).resolve() == (tmp_path / "content" / "files" / "data.csv").resolve()
    assert sources[0]["media"] == "(min-width: 40em)"
    assert sources[1]["src"] == LOGO


def test_raw_links_point_at_the_page_or_the_file_from_the_published_folder(
    tmp_path: Path,
) -> None:
    html, out = published(
        tmp_path,
        'See <a href="otra.md#top">the other sheet</a> and '
        '<a href="files/data.csv" download>the data</a>.\n\n'
        '<ul>\n<li><a href="./otra.md">Otra</a></li>\n'
        '<li><a href=" otra.md ">Spaced</a></li>\n</ul>\n',
    )
    links = {a.get_text(): attr(a, "href") for a in article(html).find_all("a")}
    assert links["the other sheet"] == "otra.html#top"
    assert links["Otra"] == "otra.html"
    assert links["Spaced"] == "otra.html"  # a browser ignores the spaces around a URL
    data = (out / links["the data"]).resolve()
    assert data == (tmp_path / "content" / "files" / "data.csv").resolve()
    assert f'<a href="{links["the data"]}" download>' in html


def test_absolute_and_fragment_urls_in_raw_html_stay_as_written(tmp_path: Path) -> None:
    absolute = (
        '<a href="https://Example.org/a?b=1&amp;c=2">a</a> <a href="#top">b</a> '
        "<a href='mailto:web@example.org'>c</a> <a href=//cdn.example.org/x>d</a> "
        '<a href="/root/page.html">e</a> <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )
    html, _ = published(
        tmp_path,
        f"<div>\n{absolute}\n"
        '<img src="img/logo.png" srcset="https://cdn.example.org/l.png 2x, //cdn.example.org/'
        'l3.png 3x">\n</div>\n\n'
        f"Inline: {absolute} <a href='otra.md'>f</a>\n",
    )
    assert html.count(absolute) == 2
    assert (
        f'<img src="{LOGO}" srcset="https://cdn.example.org/l.png 2x, //cdn.example.org/l3.png 3x">'
        in html
    )
    assert "<a href='otra.html'>f</a>" in html


def test_a_raw_image_from_outside_the_project_is_not_embedded(tmp_path: Path) -> None:
    root = tmp_path / "project"
    elsewhere = tmp_path / "private"
    elsewhere.mkdir()
    (elsewhere / "secret.png").write_bytes(PNG)
    html, out = published(
        root,
        '<img src="../../private/secret.png" alt="Chart">\n\n'
        '<img srcset="../../private/secret.png 2x">\n',
    )
    images = article(html).find_all("img")
    assert not attr(images[0], "src").startswith("data:")
    assert (out / attr(images[0], "src")).resolve() == (elsewhere / "secret.png").resolve()
    url, descriptor = attr(images[1], "srcset").split(" ")
    assert descriptor == "2x" and (out / url).resolve() == (elsewhere / "secret.png").resolve()


def test_an_escaped_ampersand_in_a_relative_url_survives(tmp_path: Path) -> None:
    html, out = published(
        tmp_path,
        'The <a href="files/data.csv?year=2023&amp;county=LA">data</a> and the '
        '<img src="img/logo.png?v=2&amp;size=s" alt="logo">.\n',
    )
    body = article(html)
    link, image = body.find("a", string="data"), body.find("img")
    assert isinstance(link, Tag) and isinstance(image, Tag)
    path, query = attr(link, "href").split("?")
    assert query == "year=2023&county=LA"
    assert (out / path).resolve() == (tmp_path / "content" / "files" / "data.csv").resolve()
    assert f'href="{path}?year=2023&amp;county=LA"' in html
    # A picture asked for with a query is linked, as a Markdown image would be.
    assert attr(image, "src").endswith("img/logo.png?v=2&size=s")
    assert "?v=2&amp;size=s" in html


def test_malformed_raw_html_is_published_with_what_could_be_rewritten(tmp_path: Path) -> None:
    html, _ = published(
        tmp_path,
        "<div>\n<![foo[ Word's own markup ]]>\n"
        f'<img src="img/logo.png"> <a href="{REPORT}">the report</a> <b\n</div>\n\n'
        'Broken <img src="img/logo.png" alt="never closed\n\n'
        'A stray < and <a href="otra.md" <i>odd</a> <img src=img/logo.png/>\n\n'
        '<p>\n<img src="img/logo.png" alt="Unclosed paragraph">\n',
        entry("oag", REPORT),
    )
    assert "<div>\n<![foo[ Word's own markup ]]>\n<img src=" in html
    body = article(html)
    sources = [img["src"] for img in body.find_all("img")]
    assert sources[0] == LOGO
    assert sources[-1] == LOGO  # after an unclosed tag, the rest is still read
    report = body.find("a", href=REPORT)
    assert isinstance(report, Tag)
    mark = report.find_next_sibling()
    assert isinstance(mark, Tag) and "mark-ok" in mark["class"]


def test_raw_links_to_registered_sources_keep_their_marks(tmp_path: Path) -> None:
    html, _ = published(
        tmp_path,
        f'<p><img src="img/logo.png" alt="Logo"> Per <a href="{REPORT}">the report</a>.</p>\n\n'
        f'Inline <img src="img/logo.png" alt="Small logo"> <a href="{REPORT}">again</a>.\n',
        entry("oag", REPORT, "broken"),
    )
    body = article(html)
    for text in ("the report", "again"):
        link = body.find("a", string=text)
        assert isinstance(link, Tag) and link["href"] == REPORT
        mark = link.find_next_sibling()
        assert isinstance(mark, Tag) and "mark-dead" in mark["class"]
    assert [img["src"] for img in body.find_all("img")] == [LOGO, LOGO]


def test_a_mark_follows_its_link_after_a_line_separator_in_the_block(tmp_path: Path) -> None:
    """A line separator (as word processors paste one) is no line break to the HTML
    parser: the mark still lands after the ``</a>``, not inside the link."""
    html, _ = published(
        tmp_path,
        f'<div>\nFirst\u2028second line.\n<a href="{REPORT}">the report</a> here.\n</div>\n',
        entry("oag", REPORT),
    )
    link = article(html).find("a", href=REPORT)
    assert isinstance(link, Tag) and link.get_text() == "the report"
    mark = link.find_next_sibling()
    assert isinstance(mark, Tag) and "mark-ok" in mark["class"]


def test_a_url_no_file_can_have_is_kept_as_written(tmp_path: Path) -> None:
    html, _ = published(
        tmp_path,
        '<a href="http://[::1/report">no host</a> <img src="img/logo%00.png" alt="NUL">\n\n'
        "![NUL](img/chart%00.png) and ![Logo](img/logo.png)\n",
    )
    assert '<a href="http://[::1/report">' in html
    sources = [attr(img, "src") for img in article(html).find_all("img")]
    assert sources == ["img/logo%00.png", "img/chart%00.png", LOGO]


def test_an_ampersand_a_browser_keeps_is_kept(tmp_path: Path) -> None:
    # "&region" and "&copy=" read as text in an attribute: "&reg" and "&copy" are
    # references only without a letter, digit or "=" after them (HTML's rule).
    html, out = published(
        tmp_path,
        'The <a href="files/data.csv?lang=en&region=ca&copy=2&amp;x=1&copy;">data</a>.\n',
    )
    link = article(html).find("a", string="data")
    assert isinstance(link, Tag)
    path, query = attr(link, "href").split("?")
    assert query == "lang=en&region=ca&copy=2&x=1\u00a9"
    assert (out / path).resolve() == (tmp_path / "content" / "files" / "data.csv").resolve()


def test_what_a_browser_shows_as_text_is_left_as_written(tmp_path: Path) -> None:
    snippet = '<img src="img/logo.png" alt="logo">'
    html, _ = published(
        tmp_path,
        f"Paste this: <textarea readonly>{snippet}</textarea> then {snippet}\n\n"
        f"<div>\n<textarea>{snippet}</textarea>\n<xmp>{snippet}</xmp>\n{snippet}\n</div>\n\n"
        f"<div><title>{snippet}</title></div>\n",
    )
    assert html.count(f"<textarea readonly>{snippet}</textarea>") == 1
    assert f"<textarea>{snippet}</textarea>\n<xmp>{snippet}</xmp>" in html
    assert f"<title>{snippet}</title>" in html
    assert html.count(f'<img src="{LOGO}" alt="logo">') == 2  # the pictures outside them


def test_an_odd_marked_section_leaves_later_positions_right(tmp_path: Path) -> None:
    # "<![ x>" made the parser count its first characters twice: every later tag on the
    # line was placed too far on, a picture was left as written and a mark was put
    # inside another tag.
    html, _ = published(
        tmp_path,
        f'<div><![ x><![ y><a href="{REPORT}">the report</a> <img alt="a>b" src="img/logo.png">'
        "</div>\n",
        entry("oag", REPORT),
    )
    body = article(html)
    image = body.find("img")
    assert isinstance(image, Tag) and image["alt"] == "a>b" and image["src"] == LOGO
    link = body.find("a", href=REPORT)
    assert isinstance(link, Tag)
    mark = link.find_next_sibling()
    assert isinstance(mark, Tag) and "mark-ok" in mark["class"]


def test_media_and_frames_point_at_their_files_from_the_published_folder(
    tmp_path: Path,
) -> None:
    html, out = published(
        tmp_path,
        '<video poster="img/logo.png" src="files/data.csv" controls>'
        '<track src="files/data.csv" kind="captions"></video>\n\n'
        '<video><source src="files/data.csv" type="video/mp4"></video>\n\n'
        'Inline <iframe src="files/data.csv" title="Data"></iframe> and '
        '<object data="files/data.csv"></object>, <audio src="files/data.csv"></audio>, '
        '<embed src="files/data.csv">.\n',
    )
    body = article(html)
    video = body.find("video")
    assert isinstance(video, Tag) and video["poster"] == LOGO and video.has_attr("controls")
    data = (tmp_path / "content" / "files" / "data.csv").resolve()
    for element, name in (
        ("video", "src"),
        ("track", "src"),
        ("source", "src"),
        ("iframe", "src"),
        ("object", "data"),
        ("audio", "src"),
        ("embed", "src"),
    ):
        found = body.find(element)
        assert isinstance(found, Tag)
        assert (out / attr(found, name)).resolve() == data, element
