"""The real fact sheet published from stored results of every state."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
from bs4 import BeautifulSoup

from checks.model import (
    ArchiveFallback,
    ArchiveStatus,
    CheckResult,
    ClaimFinding,
    Verdict,
)
from monitor.publish import publish_documents
from monitor.state import HealthPolicy
from monitor.workspace import Workspace

ROOT = Path(__file__).parents[2]
T0 = datetime(2026, 3, 1, 6, tzinfo=UTC)
SCHEMA = __import__("json").loads((ROOT / "monitor/reports/status.schema.json").read_text())

VERDICTS = {
    "doj-oig-fbi-crimes-against-children-2009": Verdict.BROKEN,
    "upenn-csec-us-national-study-2002": Verdict.CLAIM_MISSING,
    "prevent-abuse-now-stats": Verdict.MOVED,
    "ca-oag-human-trafficking": Verdict.OK,
    "ncadv-human-trafficking-facts": Verdict.BLOCKED,
    "ccwc-ending-csec": Verdict.SOFT_404,
}
ARCHIVED = "https://web.archive.org/web/20140110000000/http://www.justice.gov/oig/reports/FBI/a0908/final.pdf"


def project(tmp_path: Path) -> Workspace:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    text = (
        (ROOT / "registry.yaml")
        .read_text()
        .replace("settings:\n", f"settings:\n  database: sqlite:///{tmp_path / 'm.db'}\n", 1)
    )
    (tmp_path / "registry.yaml").write_text(text)
    return Workspace.load(tmp_path / "registry.yaml")


def stored_results(workspace: Workspace) -> None:
    store = workspace.store()
    registry = workspace.registry
    assert {s.id for s in registry.sources} == set(VERDICTS)
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in registry.sources), T0)
    for day in range(3):
        at = T0 + timedelta(days=day, minutes=day)
        run_id = store.start_run(at, len(VERDICTS))
        for source in registry.sources:
            verdict = VERDICTS[source.id]
            found = verdict is Verdict.MOVED  # the page still says it, at its new address
            claims = tuple(
                ClaimFinding(c.id, found, "Of them, 95% were abused earlier." if found else None)
                for c in source.claims
            )
            archive = (
                ArchiveFallback(
                    ArchiveStatus.VERIFIED,
                    url=ARCHIVED,
                    captured_at=datetime(2014, 1, 10, tzinfo=UTC),
                    claims_found=tuple(c.id for c in source.claims),
                )
                if verdict is Verdict.BROKEN
                else None
            )
            store.save_result(
                run_id,
                CheckResult(
                    url=source.url,
                    verdict=verdict,
                    reason=f"stored {verdict.value}",
                    checked_at=at,
                    source_id=source.id,
                    status=404 if verdict is Verdict.BROKEN else 200,
                    claims=claims,
                    archive=archive,
                ),
            )
        store.finish_run(run_id, at)
        store.update_health(run_id, HealthPolicy(), inconclusive=False)


def test_published_fact_sheet_shows_every_state_from_the_store(tmp_path: Path) -> None:
    workspace = project(tmp_path)
    stored_results(workspace)
    status = workspace.status()
    [page_path] = publish_documents(workspace, status, tmp_path / "out")
    soup = BeautifulSoup(page_path.read_text(), "lxml")
    marks = {
        link["href"]: link.find_next_sibling("span", class_="mark")["class"]
        for link in soup.select("article a.citation")
    }
    kinds = {cls for classes in marks.values() for cls in classes if cls.startswith("mark-")}
    assert kinds >= {"mark-ok", "mark-moved", "mark-dead", "mark-drifted", "mark-unverifiable"}
    dead = soup.select_one("a.citation[data-versionurl]")
    assert dead is not None and dead["data-versionurl"] == ARCHIVED
    assert dead["data-originalurl"] == "http://www.justice.gov/oig/reports/FBI/a0908/final.pdf"
    assert dead["data-versiondate"] == "2014-01-10"
    section = soup.find("section", class_="verification")
    assert section is not None
    rows = section.select("tbody tr")
    assert len(rows) == len(VERDICTS)
    text = section.get_text(" ")
    assert "dead, failing since 2026-03-01" in text
    assert "not found in the source" in text
    assert "Of them, 95% were abused earlier." in text
    beside = jsonschema.Draft202012Validator(SCHEMA)
    document_status = __import__("json").loads(
        (tmp_path / "out" / "csec-fact-sheet.status.json").read_text()
    )
    beside.validate(document_status)
    assert len(document_status["sources"]) == len(VERDICTS)
    workspace.close()
