"""The dashboard in a real browser (headless Chromium), served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from monitor.dashboard import source_page, write_dashboard
from monitor.publish import render_page
from monitor.workspace import Workspace
from tests.dashboard.project import HOSTILE, NOW, PLAN, SECOND_DOC_ORDER

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Watched:
    """A page with every console error, uncaught error and dialog it produced."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, *, width: int = 1400, javascript: bool = True) -> Iterator[Watched]:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(5000)
    page = context.new_page()
    watched = Watched(page)

    def console(message: Any) -> None:
        if message.type == "error":
            watched.errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: watched.errors.append(str(e)))

    def dialog(d: Any) -> None:
        watched.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    try:
        yield watched
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Watched]:
    yield from open_page(browser)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def visible_rows(page: Any) -> int:
    return int(page.locator("#sources tbody tr:visible").count())


def test_filters_change_the_visible_rows(tab: Watched, base: str) -> None:
    page = tab.page
    page.goto(base + "/")
    total = len(PLAN) + 1
    assert page.locator("#filters").is_visible()
    assert visible_rows(page) == total
    shot(page, "dashboard-index.png")

    page.select_option("select[name=verdict]", "broken")
    assert visible_rows(page) == 2
    assert page.locator("#shown").inner_text() == f"Showing 2 of {total} sources."

    page.select_option("select[name=verdict]", "failing")
    assert visible_rows(page) == sum(1 for p in PLAN if p.verdicts[-1].is_failure)

    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=document]", "second")
    assert visible_rows(page) == len(SECOND_DOC_ORDER)

    page.select_option("select[name=document]", "")
    page.check("input[name=changed]")
    changed = sum(1 for p in PLAN if len(p.verdicts) > 1 and p.verdicts[-1] != p.verdicts[-2])
    assert visible_rows(page) == changed
    assert page.locator("#sources tbody tr.changed:visible").count() == changed
    shot(page, "dashboard-index-filtered.png")

    page.click("#filters button[type=reset]")
    page.wait_for_function(
        f"document.querySelectorAll('#sources tbody tr:not([hidden])').length === {total}"
    )
    assert tab.errors == []


def test_columns_sort_with_missing_values_last(tab: Watched, base: str) -> None:
    page = tab.page
    page.goto(base + "/")
    header = page.locator("#sources thead th", has_text="Uptime 30 d")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    cells = page.locator('#sources tbody td[data-label="Uptime 30 d"]').all_inner_texts()
    numbers = [float(c.rstrip("%")) for c in cells if c.endswith("%")]
    assert numbers == sorted(numbers)
    assert cells[len(numbers) :] == ["no data"] * (len(cells) - len(numbers))
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    cells = page.locator('#sources tbody td[data-label="Uptime 30 d"]').all_inner_texts()
    numbers = [float(c.rstrip("%")) for c in cells if c.endswith("%")]
    assert numbers == sorted(numbers, reverse=True)
    assert cells[-1] == "no data"
    assert tab.errors == []


def test_a_source_page_opens_from_the_index(tab: Watched, base: str) -> None:
    page = tab.page
    page.goto(base + "/")
    page.get_by_role("link", name="Gone report").click()
    page.wait_for_url("**/" + source_page("src-broken"))
    assert page.locator("h1").inner_text() == "Gone report"
    assert page.locator("figure.chart svg").is_visible()
    shot(page, "dashboard-source.png")
    page.get_by_role("link", name="All sources").click()
    page.wait_for_url(base + "/index.html")
    assert tab.errors == []


def test_hostile_titles_show_as_text_and_run_nothing(tab: Watched, base: str) -> None:
    page = tab.page
    page.goto(base + "/")
    assert page.get_by_role("link", name=HOSTILE, exact=True).count() == 1
    page.get_by_role("link", name=HOSTILE, exact=True).click()
    page.wait_for_url("**/" + source_page("src-hostile"))
    assert page.locator("h1").inner_text() == HOSTILE
    assert page.get_by_text(f"{HOSTILE} <img src=x onerror=alert(2)>").count() == 1
    page.goto(base + "/documents/second.html")
    assert HOSTILE in page.locator("h1").inner_text()
    assert tab.dialogs == []
    assert tab.errors == []


def test_without_javascript_every_row_shows(browser: Any, base: str) -> None:
    for watched in open_page(browser, javascript=False):
        page = watched.page
        page.goto(base + "/")
        assert not page.locator("#filters").is_visible()
        assert visible_rows(page) == len(PLAN) + 1


def test_small_screens_get_a_readable_layout(browser: Any, base: str) -> None:
    for watched in open_page(browser, width=390):
        page = watched.page
        page.goto(base + "/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1  # no sideways scrolling of the whole page
        shot(page, "dashboard-index-mobile.png")
        assert watched.errors == []


def test_static_pages_work_offline_from_files(
    browser: Any, project: Workspace, tmp_path: Path
) -> None:
    write_dashboard(project, project.status(), tmp_path, NOW)
    for watched in open_page(browser):
        page = watched.page
        page.goto((tmp_path / "index.html").as_uri())
        page.select_option("select[name=verdict]", "broken")
        assert visible_rows(page) == 2
        page.select_option("select[name=verdict]", "ok")
        assert visible_rows(page) == 1
        page.get_by_role("link", name="Steady source").click()
        assert page.locator("h1").inner_text() == "Steady source"
        assert watched.errors == []


def test_published_fact_sheet_has_no_console_errors(
    browser: Any, base: str, project: Workspace, tmp_path: Path
) -> None:
    for watched in open_page(browser):
        page = watched.page
        page.goto(base + "/published/sheet.html")
        assert page.locator("article .mark").count() == len(PLAN) + 1
        shot(page, "published-sheet.png")
        document = project.registry.documents[0]
        html = render_page(
            document.path.read_text(encoding="utf-8"), project.status(), document.id, title="Sheet"
        )
        path = tmp_path / "sheet.html"
        path.write_text(html, encoding="utf-8")
        page.goto(path.as_uri())
        assert page.locator("article .mark").count() == len(PLAN) + 1
        assert watched.errors == []
        assert watched.dialogs == []
