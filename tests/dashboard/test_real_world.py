"""The dashboard with what real sources, documents and readers bring: titles made of
file names, URLs with long query strings, sentences from PDFs that lost their spaces,
titles in other languages, links the registry lacks, pages read long after they were
written, hostile request lines."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from checks.model import CheckResult, ClaimFinding, Verdict
from monitor.dashboard import document_page, source_page, write_dashboard
from monitor.state import HealthPolicy
from monitor.workspace import Workspace
from tests.dashboard.project import serve
from tests.dashboard.test_browser import browser  # noqa: F401  (a fixture)

T0 = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
NOW = T0 + timedelta(days=2, hours=3)

# A title taken from a PDF's file name, a URL with tracking parameters, a redirect
# target in the reason, and a sentence from a PDF whose text lost its spaces: each
# a run of characters with nowhere to break a line.
FILE_TITLE = (
    "FY2019_Annual_Report_on_Commercial_Sexual_Exploitation_of_Children_"
    "Prevention_and_Response_FINAL_approved_by_the_Board_of_Supervisors.pdf"
)
LONG_URL = (
    "https://file.lacounty.example.gov/SDSInter/dmh/1234567_FY2019_Annual_Report_on_"
    "Commercial_Sexual_Exploitation_of_Children_FINAL.pdf?version=2019-06-30&download=true"
    "&utm_source=newsletter&utm_medium=email&utm_campaign=csec_awareness_month_2019"
)
LONG_REASON = (
    "redirected to https://www.example.gov/sites/default/files/documents/2019/06/"
    "annual-report-commercial-sexual-exploitation-children-final-version-approved.pdf"
)
PDF_SENTENCE = (
    "Anestimated100,000childrenaresoldforsexeachyearwithintheUnitedStates,"
    "accordingtotheFederalBureauofInvestigationanditspartnersinlawenforcement."
)
# Titles a registry in Los Angeles holds, in the order a reader expects them sorted.
SORTED_TITLES = (
    "apple data",
    "Évaluation nationale",
    FILE_TITLE,
    "Índice de trata 2019",
    "Report 9",
    "Report 10",
    "Über Kinderhandel",
    "Zoning report",
)
REGISTRY_ORDER = (7, 1, 0, 5, 4, 6, 3, 2)  # a shuffle of SORTED_TITLES
UNREGISTERED = "https://www.example.org/not-in-the-registry/report.pdf"


@dataclass(frozen=True)
class World:
    workspace: Workspace
    out: Path


def url_of(number: int) -> str:
    return LONG_URL if number == 0 else f"https://s{number}.example.org/page"


def build(root: Path) -> Workspace:
    (root / "content").mkdir()
    lines = ["# Fact sheet", ""]
    lines += [f"- Claim {n} <{url_of(n)}>." for n in range(len(SORTED_TITLES))]
    lines += [f"- Not registered <{UNREGISTERED}>.", "- See the TAY webpage for details."]
    (root / "content" / "sheet.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources = "".join(
        f"  - id: s{n}\n    url: {url_of(n)!r}\n    owner: web\n"
        f"    title: {SORTED_TITLES[REGISTRY_ORDER[n]]!r}\n"
        f"    claims:\n      - {{id: c{n}, statement: 'Children sold', evidence: '100,000'}}\n"
        for n in range(len(SORTED_TITLES))
    )
    (root / "registry.yaml").write_text(
        "version: 1\n"
        "settings:\n"
        f"  database: sqlite:///{root / 'm.db'}\n"
        "owners:\n"
        "  web: {name: Zoë Núñez, email: web@example.org}\n"
        "documents:\n"
        "  - {id: sheet, path: content/sheet.md, owner: web, title: Fact sheet}\n"
        "sources:\n" + sources + "references:\n"
        "  - id: tay-webpage\n"
        "    document: sheet\n"
        "    text: TAY webpage\n"
        "    note: The Transition Age Youth page, said to hold the details.\n",
        encoding="utf-8",
    )
    workspace = Workspace.load(root / "registry.yaml")
    workspace.now = lambda: NOW
    store = workspace.store()
    registry = workspace.registry
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in registry.sources), T0)
    for run in range(2):
        at = T0 + timedelta(days=run)
        run_id = store.start_run(at, planned=len(registry.sources))
        for n, source in enumerate(registry.sources):
            store.save_result(
                run_id,
                CheckResult(
                    url=source.url,
                    verdict=Verdict.OK,
                    reason=LONG_REASON if n == 0 else "ok",
                    checked_at=at,
                    source_id=source.id,
                    elapsed_ms=120.0 + n,
                    claims=(ClaimFinding(f"c{n}", True, PDF_SENTENCE, "number"),),
                ),
            )
        store.finish_run(run_id, at + timedelta(minutes=5))
        store.update_health(run_id, HealthPolicy(), inconclusive=False)
    return workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("world")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MONITOR_DATABASE_URL", raising=False)
        workspace = build(root)
        out = root / "dashboard"
        write_dashboard(workspace, workspace.status(at=NOW), out, NOW, processes=1)
        yield World(workspace, out)
        workspace.close()


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def opened(browser: Any, width: int) -> Any:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.set_default_timeout(5000)
    return context


# --- layout ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", ["index.html", source_page("s0"), document_page("sheet")])
def test_long_unbroken_text_wraps_instead_of_widening_the_page(
    browser: Any,  # noqa: F811
    world: World,
    page: str,
    width: int,
) -> None:
    context = opened(browser, width)
    try:
        tab = context.new_page()
        tab.goto((world.out / page).as_uri())
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        # Nor does a table grow wider than its box, to be scrolled sideways.
        widths = tab.evaluate(
            "Array.from(document.querySelectorAll('.scroll'), e => e.scrollWidth - e.clientWidth)"
        )
        assert widths and max(widths) <= 1
    finally:
        context.close()


# --- sorting --------------------------------------------------------------------------


@pytest.mark.browser
def test_titles_sort_by_letter_and_number_as_a_reader_expects(
    browser: Any,  # noqa: F811
    world: World,
) -> None:
    context = opened(browser, 1280)
    try:
        tab = context.new_page()
        tab.goto((world.out / "index.html").as_uri())
        header = tab.locator("#sources thead th", has_text="Source")
        header.locator("button").click()
        titles = tab.locator("#sources tbody .source-title").all_inner_texts()
        assert titles == list(SORTED_TITLES)
        header.locator("button").click()
        titles = tab.locator("#sources tbody .source-title").all_inner_texts()
        assert titles == list(reversed(SORTED_TITLES))
    finally:
        context.close()


# --- what nothing checks --------------------------------------------------------------


def test_a_document_page_lists_links_and_mentions_the_registry_lacks(world: World) -> None:
    page = soup(world.out / document_page("sheet"))
    heading = page.find(id="unmonitored-title")
    assert isinstance(heading, Tag) and heading.parent is not None
    rows = heading.parent.select("tbody tr")
    assert [r.select_one('td[data-label="Link text"]').get_text() for r in rows] == [  # type: ignore[union-attr]
        UNREGISTERED,
        "TAY webpage",
    ]
    link = rows[0].select_one("a.url")
    assert link is not None and link["href"] == UNREGISTERED
    assert "said to hold the details" in rows[1].get_text()
    lede = page.select_one("p.lede")
    assert lede is not None and "2 more places" in lede.get_text()


def test_the_index_counts_what_each_document_cites_outside_the_registry(world: World) -> None:
    page = soup(world.out / "index.html")
    cell = page.select_one('td[data-label="Not in the registry"]')
    assert cell is not None and cell.get_text() == "2"


# --- time -----------------------------------------------------------------------------


def test_every_time_on_the_index_says_it_is_utc(world: World) -> None:
    page = soup(world.out / "index.html")
    table = page.find("table", id="sources")
    assert isinstance(table, Tag)
    heads = [th.get_text() for th in table.select("thead th")]
    for column, head in enumerate(heads):
        cells = [row.select("td")[column] for row in table.select("tbody tr")]
        if any(cell.find("time") for cell in cells):
            assert "UTC" in head, f"column {head!r} shows times without a zone"


def test_the_timeline_says_its_time_axis_is_utc(world: World) -> None:
    chart = soup(world.out / source_page("s1")).select_one("figure.chart svg")
    assert chart is not None
    shown = [t.get_text() for t in chart.find_all("text", recursive=False)]
    assert "UTC" in shown


def test_a_page_kept_until_its_source_is_checked_again_says_when_it_measured(
    world: World, tmp_path: Path
) -> None:
    out = tmp_path / "dashboard"
    workspace = world.workspace
    write_dashboard(workspace, workspace.status(at=NOW), out, NOW, processes=1)
    later = NOW + timedelta(days=9)
    write_dashboard(workspace, workspace.status(at=later), out, later, only={"s2"}, processes=1)
    kept = soup(out / source_page("s1"))
    health = next(dt for dt in kept.select("dl.facts dt") if dt.get_text() == "Health")
    said = " ".join(health.find_next_sibling("dd").get_text().split())  # type: ignore[union-attr]
    # Since T0 (healthy from the first check): 2 days 3 hours when the page was written.
    assert "ago" not in said
    assert "for 2 days as of 2026-01-07 17:30 UTC" in said


# --- the web server -------------------------------------------------------------------


def test_control_characters_in_a_request_line_are_escaped_in_the_log(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.web")
    for base in serve(lambda: world.workspace):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET /\x1b[2J\x1b[31mforged\x07 HTTP/1.0\r\n\r\n")
            assert client.recv(100).startswith(b"HTTP/1.0 404")
            while client.recv(65536):
                pass
    logged = [r.getMessage() for r in caplog.records if "forged" in r.getMessage()]
    assert logged, "the request was logged"
    for message in logged:
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in message)
        assert "\\x1b[2J" in message
