"""The static dashboard written from a store holding every verdict over several runs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from checks.model import Verdict
from monitor.dashboard import forked, page_name, source_page, write_dashboard
from monitor.dashboard import write as dashboard_write
from monitor.registry.model import Document, Registry, Settings, Source
from monitor.store import NewNotification, RunRecord
from monitor.workspace import Workspace
from tests.dashboard.project import (
    HOSTILE,
    NEVER_CHECKED,
    NOW,
    PLAN,
    SECOND_DOC_ORDER,
    write_project,
)

Pages = dict[str, BeautifulSoup]


@pytest.fixture(scope="module")
def written(
    project: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Path], Path]:
    out = tmp_path_factory.mktemp("dashboard")
    return write_dashboard(project, project.status(), out, NOW), out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def index(out: Path) -> BeautifulSoup:
    return soup(out / "index.html")


def rows(page: BeautifulSoup) -> list[Tag]:
    table = page.find("table", id="sources")
    assert isinstance(table, Tag)
    return list(table.select("tbody > tr"))


def data_block(page: BeautifulSoup) -> dict[str, Any]:
    block = page.find("script", id="dashboard-data")
    assert isinstance(block, Tag) and block.get("type") == "application/json"
    parsed: dict[str, Any] = json.loads(block.string or "")
    return parsed


def card(page: BeautifulSoup, what: str) -> int:
    for item in page.select("ul.cards li.card"):
        if item.select_one(".what").get_text() == what:  # type: ignore[union-attr]
            return int(item.select_one(".n").get_text())  # type: ignore[union-attr]
    raise AssertionError(f"no card {what!r}")


def table_after(heading: Any) -> Tag:
    assert isinstance(heading, Tag)
    table = heading.find_next("table")
    assert isinstance(table, Tag)
    return table


def changed_ids() -> set[str]:
    return {p.id for p in PLAN if len(p.verdicts) > 1 and p.verdicts[-1] != p.verdicts[-2]}


def test_every_page_is_written(written: tuple[list[Path], Path], project: Workspace) -> None:
    paths, out = written
    expected = {out / "index.html"}
    expected |= {out / source_page(s.id) for s in project.registry.sources}
    expected |= {out / "documents" / f"{d.id}.html" for d in project.registry.documents}
    assert set(paths) == expected and len(paths) == len(expected)
    assert all(p.is_file() for p in paths)
    assert paths[-1] == out / "index.html", "the index goes last: its links all lead somewhere"


def test_counts_at_the_top_match_the_plan(written: tuple[list[Path], Path]) -> None:
    page = index(written[1])
    assert card(page, "sources") == len(PLAN) + 1
    assert card(page, "checked") == len(PLAN)
    assert card(page, "failing now") == sum(1 for p in PLAN if p.verdicts[-1].is_failure)
    assert card(page, "changed since the previous check") == len(changed_ids())
    tally = page.find("ul", attrs={"aria-label": "Sources by verdict"})
    assert isinstance(tally, Tag)
    text = tally.get_text(" ", strip=True)
    assert "broken: 2" in text  # src-broken and src-hostile
    assert "not checked: 1" in text


def test_one_row_per_source_in_registry_order_with_verdict_and_owner(
    written: tuple[list[Path], Path], project: Workspace
) -> None:
    found = rows(index(written[1]))
    assert len(found) == len(project.registry.sources)
    owners = {o.id: o.name for o in project.registry.owners}
    by_plan = {p.id: p for p in PLAN}
    for row, source in zip(found, project.registry.sources, strict=True):
        link = row.select_one("td a.source-title")
        assert link is not None and link["href"] == source_page(source.id)
        verdict = row.select_one('td[data-label="Verdict"] .pill').get_text()  # type: ignore[union-attr]
        plan = by_plan.get(source.id)
        expected = plan.verdicts[-1].value.replace("_", " ") if plan else "not checked"
        assert verdict.endswith(expected)
        owner = row.select_one('td[data-label="Owner"]').get_text()  # type: ignore[union-attr]
        assert owner == owners[source.owner or ""]


def test_rows_whose_verdict_changed_are_highlighted_with_words(
    written: tuple[list[Path], Path],
) -> None:
    page = index(written[1])
    highlighted = {
        row.select_one("a.source-title")["href"]  # type: ignore[index]
        for row in rows(page)
        if "changed" in (row.get("class") or [])
    }
    assert highlighted == {source_page(s) for s in changed_ids()}
    for row in rows(page):
        flag = row.select_one(".flag")
        assert (flag is not None) == ("changed" in (row.get("class") or []))
    soft = next(r for r in rows(page) if "src-soft" in r.get_text())
    assert soft.select_one(".flag").get_text() == "Changed: was ok"  # type: ignore[union-attr]


def test_health_and_uptime_come_from_the_store(
    written: tuple[list[Path], Path], project: Workspace
) -> None:
    store = project.store()
    page = index(written[1])
    data = {r["row"]: r for r in data_block(page)["rows"]}
    for row, source in zip(rows(page), project.registry.sources, strict=True):
        expected = store.health(source.id).health.value
        assert data[row["id"]]["health"] == expected
    steady = data[rows(page)[0]["id"]]
    assert steady["sort"]["uptime"] == 1.0
    broken = next(r for r in rows(page) if "Gone report" in r.get_text())
    assert broken.select_one('td[data-label="Health"]').get_text().endswith("dead")  # type: ignore[union-attr]
    assert broken.select_one('td[data-label="Uptime 30 d"]').get_text() == "25.0%"  # type: ignore[union-attr]


def test_filter_data_names_verdict_health_owner_and_documents(
    written: tuple[list[Path], Path], project: Workspace
) -> None:
    page = index(written[1])
    data = data_block(page)
    by_source = {
        row.select_one("a.source-title")["href"]: data_row  # type: ignore[index]
        for row, data_row in zip(rows(page), data["rows"], strict=True)
    }
    in_second = {href for href, r in by_source.items() if "second" in r["documents"]}
    assert in_second == {source_page(s) for s in SECOND_DOC_ORDER}
    assert all("sheet" in r["documents"] for r in by_source.values())
    owners = {s.id: s.owner for s in project.registry.sources}
    for source_id, owner in owners.items():
        assert by_source[source_page(source_id)]["owner"] == owner
    assert by_source[source_page(NEVER_CHECKED)]["verdict"] == "unchecked"
    assert set(data["failing"]) == {v.value for v in Verdict if v.is_failure}
    # Every value the script can filter on is offered by a select.
    form = page.find("form", id="filters")
    assert isinstance(form, Tag) and form.has_attr("hidden")  # shown by the script only
    offered = {
        name: {o["value"] for o in form.select(f'select[name="{name}"] option')}
        for name in ("verdict", "health", "owner", "document")
    }
    assert {r["verdict"] for r in data["rows"]} <= offered["verdict"]
    assert {r["health"] for r in data["rows"]} <= offered["health"]
    assert {r["owner"] for r in data["rows"]} <= offered["owner"]
    assert {"sheet", "second"} <= offered["document"]


def test_source_page_has_a_timeline_svg_and_the_evidence(
    written: tuple[list[Path], Path],
) -> None:
    out = written[1]
    broken = soup(out / source_page("src-broken"))
    svg = broken.find("svg")
    assert isinstance(svg, Tag) and svg.get("role") == "img"
    bands = svg.select("rect.band")
    check_bands = [b for b in bands if any(c.startswith("band-") for c in b["class"])]
    assert [b["class"][1] for b in check_bands] == ["band-ok", "band-dead"]
    health_bands = [b for b in bands if any(c.startswith("hband-") for c in b["class"])]
    assert [b["class"][1] for b in health_bands] == ["hband-healthy", "hband-suspect", "hband-dead"]
    assert len(svg.select("polyline.rt")) == 1
    assert len(svg.select("circle.rt-dot")) == 4
    candidates = table_after(broken.find("h2", id="candidates-title"))
    assert [td.get_text() for td in candidates.select('td[data-label="Taken"]')] == ["no", "yes"]
    assert "None recorded." in broken.get_text()

    moved = soup(out / source_page("src-moved"))
    hops = moved.select("ol.hops li")
    assert [h.strong.get_text() for h in hops] == ["301", "200"]  # type: ignore[union-attr]

    ok = soup(out / source_page("src-ok"))
    assert ok.select_one("blockquote").get_text() == "About 100,000 children a year."  # type: ignore[union-attr]


def test_drift_events_show_the_recorded_similarity(written: tuple[list[Path], Path]) -> None:
    page = soup(written[1] / source_page("src-claim"))
    table = table_after(page.find("h3", string="Content changes"))
    kept = [td.get_text() for td in table.select('td[data-label="Text kept"]')]
    # The text changed at every one of the source's four checks: three changes, newest
    # first; the two newest checks recorded a similarity, the older one's is unknown.
    assert kept == ["42.0%", "42.0%", "unknown"]
    steady = soup(written[1] / source_page("src-ok"))
    assert "No content changes between consecutive checks." in steady.get_text()


def test_document_page_lists_citations_in_document_order(
    written: tuple[list[Path], Path], project: Workspace
) -> None:
    out = written[1]
    second = soup(out / "documents" / "second.html")
    links = [a["href"] for a in second.select("tbody a.source-title")]
    assert links == ["../" + source_page(s) for s in SECOND_DOC_ORDER]
    sheet = soup(out / "documents" / "sheet.html")
    lines = [int(str(td.contents[0])) for td in sheet.select('td[data-label="Line"]')]
    assert lines == sorted(lines) and len(lines) == len(project.registry.sources)


def test_hostile_text_is_escaped_on_every_page(written: tuple[list[Path], Path]) -> None:
    paths, _ = written
    for path in paths:
        raw = path.read_text(encoding="utf-8")
        assert "<script>alert" not in raw, path
        assert "<img src=x" not in raw, path
        assert 'href="javascript:' not in raw, path
        page = BeautifulSoup(raw, "lxml")
        scripts = page.find_all("script")
        if path.name == "index.html":
            # The JSON data block and the page's own script, nothing else.
            assert [s.get("type") for s in scripts] == ["application/json", None]
            assert "<" not in (scripts[0].string or "")
        else:
            assert scripts == [], path
        assert not page.find("img")
    index_page = index(written[1])
    assert HOSTILE in index_page.get_text()  # shown as text
    hostile = soup(written[1] / source_page("src-hostile"))
    text = hostile.get_text()
    assert f"Timeline of {HOSTILE}" in text
    assert f"{HOSTILE} <img src=x onerror=alert(2)>" in text
    assert "javascript:alert(3)" in text  # the archive URL is shown, not linked
    assert not hostile.select('a[href^="javascript"]')


def test_pages_carry_a_policy_allowing_only_their_own_style_and_script(
    written: tuple[list[Path], Path],
) -> None:
    for path in written[0]:
        page = soup(path)
        meta = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert isinstance(meta, Tag)
        policy = str(meta["content"])
        assert "default-src 'none'" in policy
        assert "unsafe-inline" not in policy
        assert page.find("html")["lang"] == "en"  # type: ignore[index]
        assert page.find("main") is not None
        assert not page.select("[style]")  # no style attributes: the policy forbids them


def test_stale_pages_of_removed_sources_are_deleted(
    written: tuple[list[Path], Path], project: Workspace
) -> None:
    out = written[1]
    stale = out / "sources" / "removed-source.html"
    stale.write_text("old", encoding="utf-8")
    write_dashboard(project, project.status(), out, NOW)
    assert not stale.exists()
    assert (out / source_page("src-ok")).exists()


def test_odd_source_ids_get_safe_file_names(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text("# Doc\n\nSee <https://a.example.org/>.\n", encoding="utf-8")
    odd = ("../Escape Me", "CON", "src/with/slashes")
    registry = Registry(
        tmp_path / "registry.yaml",
        Settings(database=f"sqlite:///{tmp_path / 'm.db'}"),
        (),
        (Document("doc/../x", tmp_path / "doc.md"),),
        tuple(Source(i, f"https://{n}.example.org/") for n, i in enumerate(odd)),
    )
    workspace = Workspace(registry)
    try:
        out = tmp_path / "out"
        paths = write_dashboard(workspace, workspace.status(), out, NOW)
    finally:
        workspace.close()
    assert len(paths) == len(odd) + 2
    for path in paths:
        assert path.resolve().is_relative_to(out.resolve())
        assert path.parent.name in ("sources", "documents", "out")
    assert {p.stem for p in paths if p.parent.name == "sources"} == {page_name(i) for i in odd}


def test_a_store_without_results_renders_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    workspace = Workspace.load(write_project(tmp_path))
    try:
        paths = write_dashboard(workspace, workspace.status(), tmp_path / "out", NOW)
    finally:
        workspace.close()
    page = index(tmp_path / "out")
    assert card(page, "checked") == 0 and card(page, "failing now") == 0
    assert {r["health"] for r in data_block(page)["rows"]} == {"unknown"}
    source = soup(tmp_path / "out" / source_page("src-ok"))
    assert source.find("svg") is None and "Not checked yet." in source.get_text()
    assert len(paths) == len(PLAN) + 1 + 2 + 1


def test_source_page_names_the_last_message_sent_about_it(
    fresh_project: Workspace, tmp_path: Path
) -> None:
    store = fresh_project.store()
    (key,) = store.outbox_add(
        [
            NewNotification(
                key="digest-1",
                run_id=None,
                owner="team",
                channel="email",
                recipient="team@example.org",
                subject="1 source needs attention",
                payload={},
                sources=("src-ok",),
            )
        ],
        NOW,
    )
    assert store.outbox_mark_sent(key, NOW)
    out = tmp_path / "dash"
    write_dashboard(fresh_project, fresh_project.status(), out, NOW)
    told = soup(out / source_page("src-ok")).find(id="notifications-title")
    assert isinstance(told, Tag) and told.parent is not None
    text = " ".join(told.parent.get_text(" ").split())
    assert "email to team@example.org: 1 source needs attention" in text
    other = soup(out / source_page(PLAN[1].id)).find(id="notifications-title")
    assert other is not None and other.parent is not None
    assert "None recorded." in other.parent.get_text()


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker counts of every dashboard write, with any page worth a worker and
    four cores, whatever the machine has."""
    monkeypatch.setattr(dashboard_write, "PAGES_PER_WORKER", 1)
    monkeypatch.setattr(forked.os, "cpu_count", lambda: 4)
    seen: list[int] = []
    real = dashboard_write.map_shares

    def counted(work: Any, items: Any, processes: int, **options: Any) -> Any:
        seen.append(processes)
        return real(work, items, processes, **options)

    monkeypatch.setattr(dashboard_write, "map_shares", counted)
    return seen


def test_pages_shared_out_to_forked_workers_are_the_pages_one_process_writes(
    project: Workspace, tmp_path: Path, forks: list[int]
) -> None:
    status = project.status()
    one = write_dashboard(project, status, tmp_path / "one", NOW, processes=1)
    three = write_dashboard(project, status, tmp_path / "three", NOW, processes=3)
    assert sorted(p.relative_to(tmp_path / "three") for p in three) == sorted(
        p.relative_to(tmp_path / "one") for p in one
    )
    for page in one:
        twin = tmp_path / "three" / page.relative_to(tmp_path / "one")
        assert twin.read_text(encoding="utf-8") == page.read_text(encoding="utf-8"), page.name
    assert forks[0] == 1 and forks[1] > 1
    assert not list((tmp_path / "three").glob("index.html.*")), "the index was renamed into place"


def test_pages_written_while_the_status_document_is_made_are_the_same(
    project: Workspace, tmp_path: Path, forks: list[int]
) -> None:
    # What a run does: forked workers write source pages from the store while this
    # process makes the status document.
    given = write_dashboard(project, project.status(at=NOW), tmp_path / "given", NOW, processes=1)
    made: list[dict[str, object]] = []

    def status(at: datetime, run: RunRecord | None) -> dict[str, object]:
        made.append(project.status(at=at, run=run))
        return made[-1]

    later = write_dashboard(project, status, tmp_path / "later", NOW, processes=3)
    assert forks == [1, 3] and len(made) == 1
    assert sorted(p.relative_to(tmp_path / "later") for p in later) == sorted(
        p.relative_to(tmp_path / "given") for p in given
    )
    for page in given:
        twin = tmp_path / "later" / page.relative_to(tmp_path / "given")
        assert twin.read_bytes() == page.read_bytes(), page.name


def test_unasked_only_a_bounded_number_of_pages_is_shared_out(
    project: Workspace, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    status = project.status()
    pages = len(status["sources"])
    monkeypatch.setattr(dashboard_write, "AUTO_FORK_MAX_PAGES", pages)
    write_dashboard(project, status, tmp_path / "a", NOW)
    monkeypatch.setattr(dashboard_write, "AUTO_FORK_MAX_PAGES", pages - 1)
    write_dashboard(project, status, tmp_path / "b", NOW)
    write_dashboard(project, status, tmp_path / "c", NOW, processes=2)
    assert forks[0] > 1, "few pages: shared out unasked"
    assert forks[1] == 1, "more pages than the bound: one process unless asked"
    assert forks[2] == 2
