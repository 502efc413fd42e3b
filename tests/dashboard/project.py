"""A project whose store holds results of every verdict across several runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from checks.model import (
    ArchiveCandidate,
    ArchiveFallback,
    ArchiveStatus,
    CheckResult,
    ClaimFinding,
    ErrorKind,
    RedirectHop,
    Verdict,
)
from monitor.state import HealthPolicy
from monitor.web import make_server, serve_in_background
from monitor.workspace import Workspace

HOSTILE = "<script>alert(1)</script>"
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
RUNS = 4
NOW = T0 + timedelta(days=RUNS - 1, hours=2)


@dataclass(frozen=True)
class Planned:
    """A source and the verdict of each of its checks, oldest first."""

    id: str
    owner: str
    verdicts: tuple[Verdict, ...]
    title: str | None = None


V = Verdict
# One source per verdict (the newest check), with different pasts.
PLAN = (
    Planned("src-ok", "web", (V.OK, V.OK, V.OK, V.OK), "Steady source"),
    Planned("src-moved", "web", (V.OK, V.OK, V.MOVED, V.MOVED)),
    Planned("src-broken", "web", (V.OK, V.BROKEN, V.BROKEN, V.BROKEN), "Gone report"),
    Planned("src-soft", "stats", (V.OK, V.OK, V.OK, V.SOFT_404)),
    Planned("src-blocked", "stats", (V.BLOCKED, V.BLOCKED, V.BLOCKED, V.BLOCKED)),
    Planned("src-transient", "stats", (V.OK, V.OK, V.OK, V.TRANSIENT)),
    Planned("src-claim", "web", (V.OK, V.OK, V.CLAIM_MISSING, V.CLAIM_MISSING)),
    Planned("src-anchor", "stats", (V.ANCHOR_MISSING,)),
    Planned("src-type", "web", (V.TYPE_MISMATCH, V.TYPE_MISMATCH)),
    Planned("src-tls", "stats", (V.OK, V.TLS_ERROR)),
    Planned("src-invalid", "web", (V.INVALID, V.INVALID, V.INVALID, V.INVALID)),
    Planned("src-hostile", "web", (V.OK, V.BROKEN), HOSTILE),
)
NEVER_CHECKED = "src-new"
# The second document cites these, in this order.
SECOND_DOC_ORDER = ("src-claim", "src-ok", "src-hostile")


def url_of(source_id: str) -> str:
    return f"https://{source_id}.example.org/page"


def claim_of(source_id: str) -> str:
    return f"{source_id}-c1"


def result(source_id: str, verdict: Verdict, at: datetime, run: int) -> CheckResult:
    """A result carrying the evidence its verdict would have."""
    extra: dict[str, object] = {}
    fields: dict[str, object] = {}
    if verdict is V.MOVED:
        fields["hops"] = (
            RedirectHop(url_of(source_id), 301, "https://new.example.org/page", 12.0),
            RedirectHop("https://new.example.org/page", 200, None, 30.0),
        )
        fields["final_url"] = "https://new.example.org/page"
        fields["suggested_url"] = "https://new.example.org/page"
    if verdict is V.BROKEN:
        fields["status"] = 404
        fields["archive"] = ArchiveFallback(
            ArchiveStatus.VERIFIED,
            url=f"https://web.archive.org/web/2014/{url_of(source_id)}",
            captured_at=datetime(2014, 1, 10, tzinfo=UTC),
            claims_found=(claim_of(source_id),),
            candidates=(
                ArchiveCandidate(
                    "https://web.archive.org/web/2013/x", None, "wayback", False, "error page"
                ),
                ArchiveCandidate(
                    f"https://web.archive.org/web/2014/{url_of(source_id)}",
                    datetime(2014, 1, 10, tzinfo=UTC),
                    "wayback",
                    True,
                    "holds every claim",
                ),
            ),
        )
    if verdict is V.CLAIM_MISSING:
        fields["claims"] = (ClaimFinding(claim_of(source_id), False),)
        extra["similarity"] = 0.42
    elif source_id == "src-ok":
        fields["claims"] = (
            ClaimFinding(
                claim_of(source_id), True, "About 100,000 children a year.", "number", None
            ),
        )
    if verdict is V.TLS_ERROR:
        fields["error_kind"] = ErrorKind.TLS
        fields["error"] = "certificate has expired"
    if source_id == "src-hostile":
        fields["error"] = f"{HOSTILE} <img src=x onerror=alert(2)>"
        fields["claims"] = (
            ClaimFinding(claim_of(source_id), True, f"Sentence {HOSTILE}", "exact"),
        )
        if verdict is V.BROKEN:
            fields["archive"] = ArchiveFallback(
                ArchiveStatus.UNVERIFIED,
                url="javascript:alert(3)",
                reason=HOSTILE,
                candidates=(
                    ArchiveCandidate("javascript:alert(4)", None, HOSTILE, False, HOSTILE),
                ),
            )
    # The page text changes at every run for src-claim, never for src-ok.
    text_version = run if source_id in ("src-claim", "src-moved") else 0
    fields["fingerprint"] = f"plain-{source_id}-{text_version}"
    return CheckResult(
        url=url_of(source_id),
        verdict=verdict,
        reason=HOSTILE if source_id == "src-hostile" else f"{verdict.value} seen",
        checked_at=at,
        source_id=source_id,
        elapsed_ms=100.0 + 50 * run + len(source_id),
        extra=extra,
        **fields,  # type: ignore[arg-type]
    )


def write_project(root: Path) -> Path:
    (root / "content").mkdir()
    first = ["# Sheet", ""]
    for i, plan in enumerate(PLAN, 1):
        first.append(f"- Claim {i} is cited at <{url_of(plan.id)}>.")
    first.append(f"- Not yet checked: <{url_of(NEVER_CHECKED)}>.")
    (root / "content" / "sheet.md").write_text("\n".join(first) + "\n", encoding="utf-8")
    second = ["# Second", ""] + [f"- See <{url_of(s)}>." for s in SECOND_DOC_ORDER]
    (root / "content" / "second.md").write_text("\n".join(second) + "\n", encoding="utf-8")
    sources = []
    for plan in (*PLAN, Planned(NEVER_CHECKED, "stats", ())):
        title = f"    title: {plan.title!r}\n" if plan.title else ""
        statement = HOSTILE if plan.id == "src-hostile" else "About 100,000 children"
        claims = (
            "    claims:\n"
            f"      - {{id: {claim_of(plan.id)}, statement: {statement!r}, evidence: '100,000'}}\n"
        )
        sources.append(
            f"  - id: {plan.id}\n    url: {url_of(plan.id)}\n    owner: {plan.owner}\n"
            f"{title}{claims}"
        )
    registry = root / "registry.yaml"
    registry.write_text(
        "version: 1\n"
        "settings:\n"
        f"  database: sqlite:///{root / 'm.db'}\n"
        "owners:\n"
        "  web: {name: Web team, email: web@example.org}\n"
        f"  stats: {{name: 'Stats {HOSTILE}'}}\n"
        "documents:\n"
        "  - {id: sheet, path: content/sheet.md, owner: web, title: Fact sheet}\n"
        f"  - {{id: second, path: content/second.md, owner: stats, title: 'Second {HOSTILE}'}}\n"
        "sources:\n" + "".join(sources),
        encoding="utf-8",
    )
    return registry


def fill_store(workspace: Workspace) -> None:
    store = workspace.store()
    registry = workspace.registry
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in registry.sources), T0)
    for run in range(RUNS):
        at = T0 + timedelta(days=run)
        run_id = store.start_run(at, planned=len(PLAN))
        for plan in PLAN:
            # Sources with fewer checks joined later: their checks are the last runs.
            offset = RUNS - len(plan.verdicts)
            if run >= offset:
                verdict = plan.verdicts[run - offset]
                store.save_result(run_id, result(plan.id, verdict, at, run))
        store.finish_run(run_id, at + timedelta(minutes=5))
        store.update_health(run_id, HealthPolicy(), inconclusive=False)


def build_project(root: Path) -> Workspace:
    workspace = Workspace.load(write_project(root))
    workspace.now = lambda: NOW
    fill_store(workspace)
    return workspace


def serve(factory: Callable[[], Workspace]) -> Iterator[str]:
    """A server for ``factory`` on an ephemeral loopback port: yields its base URL."""
    server = make_server(factory, port=0)
    thread = serve_in_background(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
