"""A small registry of two owners and two documents, runs with health events, statuses.

Owners: ``web`` (the fact sheet) and ``research`` (the policy brief). Sources:

* ``fbi-stats`` (web): cited twice in the fact sheet, with a claim; dies, verified
  archive copy available;
* ``upenn-study`` (research): cited in the brief, with a claim; dies, no archive;
* ``ncadv-facts`` (no owner, cited in the brief): its claim goes missing, so it goes
  to the brief's owner;
* ``oag-page`` (web): recovers;
* ``ccwc-report`` (web): first check, fine (not news).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from checks.model import ArchiveFallback, ArchiveStatus, CheckResult, Verdict
from monitor.registry.model import Claim, Document, Owner, Registry, Settings, Source
from monitor.reports.status import build_status
from monitor.scan.model import Citation, CitationKind
from monitor.state import Health, HealthEvent, SourceHealth
from monitor.store import RunRecord, Store

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
ARCHIVE_URL = "https://web.archive.org/web/20140110000000id_/http://www.justice.gov/final.pdf"

SOURCES = (
    Source(
        id="fbi-stats",
        url="http://www.justice.gov/oig/reports/FBI/a0908/final.pdf",
        title="FBI efforts to combat crimes against children",
        owner="web",
        claims=(
            Claim(
                id="sold-per-year",
                statement="100,000 children are sold for sex each year",
                evidence="100,000",
                cited_as="footnote i",
                document="sheet",
            ),
        ),
    ),
    Source(
        id="upenn-study",
        url="http://www.sp2.upenn.edu/restes/CSEC_Files/Complete_CSEC_020220.pdf",
        title="The Commercial Sexual Exploitation of Children in the U.S.",
        owner="research",
        claims=(
            Claim(
                id="at-risk",
                statement="300,000 U.S. children are at risk",
                evidence="325,000",
                document="brief",
            ),
        ),
    ),
    Source(
        id="ncadv-facts",
        url="http://www.ncadv.org/files/HumanTrafficking.pdf",
        title="Human Trafficking Facts",
        claims=(Claim(id="facts", statement="Trafficking is widespread", evidence="widespread"),),
    ),
    Source(id="oag-page", url="https://oag.ca.gov/human-trafficking", owner="web"),
    Source(id="ccwc-report", url="http://www.youthlaw.org/ending-csec.pdf", owner="web"),
)

CITATIONS: Mapping[str, Sequence[tuple[str, int, str]]] = {
    "fbi-stats": (("sheet", 12, "FBI report"), ("sheet", 31, "the FBI")),
    "upenn-study": (("brief", 4, "Estes and Weiner"),),
    "ncadv-facts": (("brief", 9, "NCADV facts"),),
    "oag-page": (("sheet", 40, "Attorney General"),),
    "ccwc-report": (("sheet", 41, "Ending CSEC"),),
}


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def registry(
    tmp_path: Path,
    *,
    web_webhook: str | None = None,
    research_webhook: str | None = None,
    notify: Mapping[str, Any] | None = None,
    allow_private: bool = True,
    sources: Sequence[Source] = SOURCES,
    owners: Sequence[Owner] | None = None,
) -> Registry:
    sheet, brief = tmp_path / "sheet.md", tmp_path / "brief.md"
    sheet.write_text("# Sheet\n", encoding="utf-8")
    brief.write_text("# Brief\n", encoding="utf-8")
    return Registry(
        path=tmp_path / "registry.yaml",
        settings=Settings(allow_private=allow_private, notify=dict(notify or {})),
        owners=tuple(owners)
        if owners is not None
        else (
            Owner("web", "Web team", "web@example.org", web_webhook),
            Owner("research", "Research desk", "research@example.org", research_webhook),
        ),
        documents=(
            Document("sheet", sheet, owner="web", title="CSEC Fact Sheet"),
            Document("brief", brief, owner="research", title="Policy Brief"),
        ),
        sources=tuple(sources),
    )


def result(source_id: str, verdict: Verdict, when: datetime, **kw: Any) -> CheckResult:
    url = next(s.url for s in SOURCES if s.id == source_id)
    status = {Verdict.OK: 200, Verdict.BROKEN: 404, Verdict.CLAIM_MISSING: 200}.get(verdict)
    return CheckResult(
        url=url,
        verdict=verdict,
        reason=kw.pop("reason", "404 Not Found" if verdict is Verdict.BROKEN else verdict.value),
        checked_at=when,
        source_id=source_id,
        status=status,
        **kw,
    )


def verified_archive() -> ArchiveFallback:
    return ArchiveFallback(
        status=ArchiveStatus.VERIFIED,
        url=ARCHIVE_URL,
        captured_at=datetime(2014, 1, 10, tzinfo=UTC),
    )


def event(source_id: str, when: datetime, previous: Health, health: Health) -> HealthEvent:
    return HealthEvent(source_id, when, previous, health, f"{previous} -> {health}")


def record_run(
    store: Store,
    when: datetime,
    results: Sequence[CheckResult],
    events: Sequence[HealthEvent] = (),
    *,
    inconclusive: bool = False,
) -> int:
    """A finished run with these results and health events (health saved as events say)."""
    run_id = store.start_run(when, planned=len(results))
    for one in results:
        store.save_result(run_id, one)
    for change in events:
        before = store.health(change.source_id)
        state = replace(
            before,
            health=change.health,
            since=change.at,
            failing_since=None if change.health.is_up else before.failing_since or change.at,
        )
        store.save_health(change.source_id, state, change, run_id=run_id)
    store.finish_run(run_id, when + timedelta(minutes=1), inconclusive=inconclusive)
    return run_id


def status(reg: Registry, store: Store, run_id: int, when: datetime) -> dict[str, Any]:
    """The status document as the monitor builds it after run ``run_id``."""
    latest = {k: v.result for k, v in store.latest_results().items()}
    health = {s.id: store.health(s.id) for s in reg.sources}
    return status_from(reg, latest, health, when, store.run(run_id))


def status_from(
    reg: Registry,
    latest: Mapping[str, CheckResult],
    health: Mapping[str, SourceHealth],
    when: datetime,
    run: RunRecord | None = None,
) -> dict[str, Any]:
    """The status document from results and health given directly."""
    by_url: dict[str, list[Citation]] = {}
    for source in reg.sources:
        for document, line, text in CITATIONS.get(source.id, ()):
            by_url.setdefault(source.url, []).append(
                Citation(document, line, source.url, text, CitationKind.INLINE)
            )
    return build_status(reg, latest, run, by_url, when, health=health)


def first_run(store: Store, when: datetime = T0) -> int:
    """The run where everything happens: two deaths, a missing claim, a recovery."""
    return record_run(
        store,
        when,
        [
            result("fbi-stats", Verdict.BROKEN, when, archive=verified_archive()),
            result("upenn-study", Verdict.BROKEN, when),
            result("ncadv-facts", Verdict.CLAIM_MISSING, when, reason="evidence not found"),
            result("oag-page", Verdict.OK, when),
            result("ccwc-report", Verdict.OK, when),
        ],
        [
            event("fbi-stats", when, Health.SUSPECT, Health.DEAD),
            event("upenn-study", when, Health.HEALTHY, Health.DEAD),
            event("ncadv-facts", when, Health.HEALTHY, Health.SUSPECT),
            event("oag-page", when, Health.DEAD, Health.RECOVERED),
            event("ccwc-report", when, Health.UNKNOWN, Health.HEALTHY),
        ],
    )
