"""Real-world fact sheets published: how links are written, where files sit, how pages land."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from monitor.publish import publish_documents, render_page
from monitor.workspace import Workspace

T = "2026-03-01T08:30:00+00:00"
ARCHIVED = "https://web.archive.org/web/20140110000000/https://block.example.org/gone"


def entry(source_id: str, url: str, verdict: str | None = "ok", **extra: Any) -> dict[str, Any]:
    return {
        "id": source_id,
        "url": url,
        "title": None,
        "publisher": None,
        "verdict": verdict,
        "reason": f"reason for {verdict}",
        "checked_at": T if verdict else None,
        "claims": [],
        "archive": None,
        "citations": [{"document": "hoja", "line": 1, "text": "", "footnote": None}],
        **extra,
    }


def status(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"generated_at": T, "run": {"inconclusive": False}, "sources": list(entries)}


def article(markdown: str, *entries: dict[str, Any]) -> Tag:
    html = render_page(markdown, status(*entries), "hoja", title="Hoja informativa")
    found = BeautifulSoup(html, "lxml").find("article")
    assert isinstance(found, Tag)
    return found


def marked(body: Tag) -> dict[str, list[str]]:
    """href of each link -> the classes of the mark right after it (empty: no mark)."""
    out = {}
    for link in body.find_all("a", href=True):
        if link["href"].startswith("#"):
            continue
        mark = link.find_next_sibling()
        is_mark = isinstance(mark, Tag) and "mark" in mark.get("class", [])
        out[link["href"]] = list(mark["class"]) if is_mark else []
    return out


def test_a_link_spelt_differently_from_the_registry_still_carries_its_mark() -> None:
    body = article(
        "Según el [Informe Niños](https://www.example.org/informes/niños-2023.pdf), "
        "la [guía][g] y el [Consejo](https://COUNCIL.example.org:443/report).\n\n"
        "[g]: https://guide.example.org/guía?a=1&b=2\n",
        entry("informe", "https://www.example.org/informes/niños-2023.pdf"),
        entry("guia", "https://guide.example.org/guía?a=1&b=2"),
        entry("consejo", "https://council.example.org/report", "broken"),
    )
    marks = marked(body)
    assert len(marks) == 3
    assert all(marks.values()), marks
    assert "mark-dead" in marks["https://COUNCIL.example.org:443/report"]


def test_bare_urls_are_linked_as_the_scan_reads_them() -> None:
    body = article(
        "Visit lacounty.gov or see notes.md. The report: “https://oag.ca.gov/trafficking”, "
        "and www.example.org/stats.\n",
        entry("oag", "https://oag.ca.gov/trafficking"),
        entry("stats", "http://www.example.org/stats"),
    )
    marks = marked(body)
    # A closing quote ends the prose, not the URL; a bare host name is only a word.
    assert set(marks) == {"https://oag.ca.gov/trafficking", "http://www.example.org/stats"}
    assert all(marks.values()), marks
    assert "lacounty.gov or see notes.md" in body.get_text()


def test_links_written_as_raw_html_carry_their_marks() -> None:
    archive = {"status": "verified", "url": ARCHIVED, "captured_at": "2014-01-10T00:00:00Z"}
    body = article(
        'Inline: <a href="https://html.example.org/page?a=1&amp;b=2">the page</a>.\n\n'
        '<div class="callout">\n<p>Block: <a href="https://block.example.org/gone">gone</a> '
        "and <a href='https://other.example.org/'>not registered</a>.</p>\n</div>\n",
        entry("page", "https://html.example.org/page?a=1&b=2"),
        entry("gone", "https://block.example.org/gone", "broken", archive=archive),
    )
    marks = marked(body)
    assert "mark-ok" in marks["https://html.example.org/page?a=1&b=2"]
    assert "mark-dead" in marks["https://block.example.org/gone"]
    assert marks["https://other.example.org/"] == []
    archived = body.select("a.archived")
    assert [a["href"] for a in archived] == [ARCHIVED]
    assert body.find("div", class_="callout") is not None


def test_the_notes_are_listed_under_the_labels_their_markers_show() -> None:
    body = article(
        "Sold each year[^i]; at risk[^ii].\n\n"
        "[^i]: FBI. <https://justice.example.gov/a.pdf>\n\n"
        "[^ii]: Estudio. <https://upenn.example.edu/b.pdf>\n",
        entry("fbi", "https://justice.example.gov/a.pdf"),
        entry("upenn", "https://upenn.example.edu/b.pdf"),
    )
    refs = [r.get_text() for r in body.select("sup.footnote-ref")]
    labels = [li.select_one(".footnote-label") for li in body.select(".footnotes li")]
    assert refs == ["i", "ii"]
    assert [label.get_text() if label else None for label in labels] == ["i.", "ii."]


def test_a_byte_order_mark_does_not_hide_the_first_heading() -> None:
    body = article("\ufeff# Hoja informativa\r\n\r\nTexto.\r\n")
    heading = body.find("h1")
    assert heading is not None and heading.get_text() == "Hoja informativa"
    assert "#" not in body.get_text()


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def project(root: Path, sheet: str) -> Workspace:
    (root / "content" / "img").mkdir(parents=True)
    (root / "content" / "img" / "logo.png").write_bytes(PNG)
    (root / "content" / "files").mkdir()
    (root / "content" / "files" / "folleto.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "content" / "hoja.md").write_text(sheet, encoding="utf-8")
    (root / "content" / "otra.md").write_text("# Otra hoja\n", encoding="utf-8")
    (root / "registry.yaml").write_text(
        "version: 1\n"
        f"settings:\n  database: sqlite:///{root / 'm.db'}\n"
        "owners:\n  web: {name: Web team, email: web@example.org}\n"
        "documents:\n"
        "  - {id: hoja, path: content/hoja.md, owner: web}\n"
        "  - {id: otra, path: content/otra.md, owner: web}\n"
        "sources:\n  - {id: oag, url: 'https://oag.ca.gov/trafficking'}\n",
        encoding="utf-8",
    )
    return Workspace.load(root / "registry.yaml")


def test_images_and_relative_links_work_from_the_published_page(tmp_path: Path) -> None:
    workspace = project(
        tmp_path,
        "![Logo](img/logo.png)\n\n"
        "See [the other sheet](otra.md#top), [the leaflet](files/folleto.pdf) "
        "and <https://oag.ca.gov/trafficking>.\n",
    )
    out = tmp_path / "reports" / "published"
    [page] = publish_documents(workspace, workspace.status(), out, only=("hoja",))
    workspace.close()
    body = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").find("article")
    assert isinstance(body, Tag)
    image = body.find("img")
    assert image is not None
    assert image["src"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    links = {a.get_text(): a["href"] for a in body.find_all("a")}
    assert links["the other sheet"] == "otra.html#top"
    leaflet = (out / links["the leaflet"]).resolve()
    assert leaflet == (tmp_path / "content" / "files" / "folleto.pdf").resolve()
    assert links["https://oag.ca.gov/trafficking"] == "https://oag.ca.gov/trafficking"


def test_a_reader_of_the_old_page_never_gets_half_of_the_new_one(tmp_path: Path) -> None:
    workspace = project(tmp_path, "The report: <https://oag.ca.gov/trafficking>.\n")
    out = tmp_path / "published"
    before = status(entry("oag", "https://oag.ca.gov/trafficking", "ok"))
    [page] = publish_documents(workspace, before, out, only=("hoja",))
    old = page.read_bytes()
    with page.open("rb") as reader:
        start = reader.read(len(old) // 2)  # a web server half way through sending it
        after = status(entry("oag", "https://oag.ca.gov/trafficking", "broken"))
        list(publish_documents(workspace, after, out, only=("hoja",)))
        rest = reader.read()
    workspace.close()
    assert start + rest == old
    assert "mark-dead" in page.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["hoja.html", "hoja.status.json"]


def test_a_document_without_a_registry_title_is_titled_by_its_heading(tmp_path: Path) -> None:
    workspace = project(tmp_path, "# Explotación *sexual* de niños — `CSEC`\n\nTexto.\n")
    [page] = publish_documents(workspace, workspace.status(), tmp_path / "out", only=("hoja",))
    workspace.close()
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    assert soup.title is not None
    assert soup.title.get_text() == "Explotación sexual de niños — CSEC"


def test_a_page_is_in_the_language_its_document_is_written_in(tmp_path: Path) -> None:
    workspace = project(tmp_path, "# Hoja informativa\n\nTexto.\n")
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "{id: hoja, path: content/hoja.md, owner: web}",
            "{id: hoja, path: content/hoja.md, owner: web, lang: es-US}",
        ),
        encoding="utf-8",
    )
    workspace.close()
    workspace = Workspace.load(registry)
    pages = list(publish_documents(workspace, workspace.status(), tmp_path / "out"))
    workspace.close()
    roots = {
        page.stem: BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").html for page in pages
    }
    langs = {stem: root.get("lang") if root else None for stem, root in roots.items()}
    assert langs == {"hoja": "es-US", "otra": "en"}


def test_a_source_never_checked_says_so_once() -> None:
    body = article(
        "Per [the report](https://oag.ca.gov/trafficking).\n",
        entry("oag", "https://oag.ca.gov/trafficking", verdict=None, reason="not checked yet"),
    )
    mark = body.select_one(".mark")
    assert mark is not None
    assert mark.get_text(" ", strip=True) == "? not checked yet"
    assert mark["title"] == "not checked yet"
    assert "could not be verified" not in body.get_text()


def test_only_pictures_inside_the_project_are_embedded(tmp_path: Path) -> None:
    """A path climbing out of the project must not copy a file from elsewhere into a
    page that is published to the world."""
    root = tmp_path / "project"
    elsewhere = tmp_path / "private"
    elsewhere.mkdir()
    (elsewhere / "secret.png").write_bytes(PNG)
    workspace = project(root, "![Logo](img/logo.png) ![Chart](../../private/secret.png)\n")
    out = root / "reports" / "published"
    [page] = publish_documents(workspace, workspace.status(), out, only=("hoja",))
    workspace.close()
    sources = [img["src"] for img in BeautifulSoup(page.read_text("utf-8"), "lxml").find_all("img")]
    assert sources[0].startswith("data:image/png;base64,")
    assert not sources[1].startswith("data:")
    assert (out / sources[1]).resolve() == (elsewhere / "secret.png").resolve()


def test_a_page_keeps_the_mode_it_had(tmp_path: Path) -> None:
    workspace = project(tmp_path, "# Hoja\n")
    out = tmp_path / "out"
    [page] = publish_documents(workspace, workspace.status(), out, only=("hoja",))
    umask = os.umask(0)
    os.umask(umask)
    assert page.stat().st_mode & 0o777 == 0o666 & ~umask  # as a file made in place
    page.chmod(0o640)
    [again] = publish_documents(workspace, workspace.status(), out, only=("hoja",))
    workspace.close()
    assert again == page and page.stat().st_mode & 0o777 == 0o640


def test_the_page_of_a_document_taken_out_of_the_registry_goes(tmp_path: Path) -> None:
    workspace = project(tmp_path, "# Hoja\n")
    out = tmp_path / "reports" / "published"
    list(publish_documents(workspace, workspace.status(), out))
    workspace.close()
    (out / "notes.html").write_text("<p>kept by hand</p>", encoding="utf-8")
    (out / "other.html").write_text("<p>not ours</p>", encoding="utf-8")
    (out / "other.status.json").write_text('{"schema": "something else"}', encoding="utf-8")
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  - {id: otra, path: content/otra.md, owner: web}\n", ""
        ),
        encoding="utf-8",
    )
    workspace = Workspace.load(registry)
    list(publish_documents(workspace, workspace.status(), out, only=("hoja",)))
    workspace.close()
    assert sorted(p.name for p in out.iterdir()) == [
        "hoja.html",
        "hoja.status.json",
        "notes.html",
        "other.html",
        "other.status.json",
    ]
