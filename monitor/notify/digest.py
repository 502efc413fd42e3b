"""What owners are told after a run: one digest per owner, composed without I/O.

:func:`compose` reads a run's health events, the status document and the registry and
decides, per source, whether there is news:

* **new dead**: the source's health became ``dead`` in this run;
* **recovered**: a dead source works again (``dead -> recovered``);
* **claim missing**: the source answers but no longer holds the cited evidence, and
  this is new in this run (a health event, or a verdict that changed);
* **reminder**: the source is still dead and the owner was last told about it longer
  ago than ``settings.notify.reminder_days`` (or never).

``unknown -> healthy`` events (a source's first, successful check) are not news. Each
item goes to the owner of the source, else to the owners of the documents citing it,
else to ``settings.notify.fallback_owner``; with none of those it is *unrouted* and
only reported.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.notify.config import NotifySettings
from monitor.state import Health, HealthEvent

if TYPE_CHECKING:
    from monitor.registry.model import Registry, Source

LastNotice = Callable[[str, str], datetime | None]


class ItemKind(enum.StrEnum):
    """Why a source is in a digest; the order of the members is the order shown."""

    NEW_DEAD = "new_dead"
    CLAIM_MISSING = "claim_missing"
    REMINDER = "still_dead"
    RECOVERED = "recovered"

    @property
    def needs_attention(self) -> bool:
        return self is not ItemKind.RECOVERED


_ORDER = {kind: i for i, kind in enumerate(ItemKind)}


@dataclass(frozen=True)
class AffectedCitation:
    """One place citing the source, with the statements of its claims there."""

    document: str | None
    document_title: str | None
    line: int | None
    text: str | None
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveCopy:
    """A verified archived copy to cite instead of the live source."""

    url: str
    captured_at: datetime | None


@dataclass(frozen=True)
class DigestItem:
    """One source an owner should hear about."""

    kind: ItemKind
    source_id: str
    url: str
    title: str | None
    verdict: str | None
    reason: str | None
    health: str | None
    # Why the health changed, when it did in this run.
    change: str | None
    failing_since: datetime | None
    citations: tuple[AffectedCitation, ...]
    archive: ArchiveCopy | None

    @property
    def documents(self) -> tuple[str, ...]:
        """Ids of the documents citing the source, in order, once each."""
        return tuple(dict.fromkeys(c.document for c in self.citations if c.document))


@dataclass(frozen=True)
class Digest:
    """Everything one owner hears about one run."""

    owner_id: str
    owner_name: str
    run_id: int
    generated_at: datetime
    items: tuple[DigestItem, ...]

    @property
    def attention(self) -> int:
        """Items that ask the owner to act (all but recoveries)."""
        return sum(1 for item in self.items if item.kind.needs_attention)

    @property
    def document_titles(self) -> tuple[str, ...]:
        titles: dict[str, None] = {}
        for item in self.items:
            for citation in item.citations:
                if citation.document:
                    titles[citation.document_title or citation.document] = None
        return tuple(titles)

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(item.source_id for item in self.items)


@dataclass(frozen=True)
class Composition:
    """The digests of a run, and the news that no owner could be found for."""

    digests: tuple[Digest, ...]
    unrouted: tuple[DigestItem, ...] = ()


def compose(
    events: Iterable[HealthEvent],
    status: Mapping[str, Any],
    registry: Registry,
    *,
    run_id: int,
    now: datetime,
    settings: NotifySettings,
    last_notice: LastNotice = lambda _owner, _source: None,
    changed: Collection[str] = (),
) -> Composition:
    """The digests for one run (module docstring).

    ``last_notice(owner, source_id)`` says when the owner was last told about the
    source; ``changed`` holds the sources whose verdict differs from their previous
    check's. Digests and their items come in a stable order: owners by id, items by
    kind and then source id.
    """
    latest_event: dict[str, HealthEvent] = {}
    for change in events:
        if not change.first_sight:
            latest_event[change.source_id] = change
    sources = {s.id: s for s in registry.sources}
    titles = {d.id: d.title for d in registry.documents}
    doc_owner = {d.id: d.owner for d in registry.documents}
    known = {o.id for o in registry.owners}
    per_owner: dict[str, list[DigestItem]] = defaultdict(list)
    unrouted: list[DigestItem] = []
    interval = settings.reminder_interval
    for entry in status.get("sources", ()):
        source = sources.get(entry.get("id") or "")
        if source is None:
            continue
        event = latest_event.get(source.id)
        kind = _news(event, entry, source.id in changed)
        owners = _owners(source, entry, known, doc_owner, settings.fallback_owner)
        if kind is not None:
            item = _item(kind, source, entry, event, titles)
            for owner in owners:
                per_owner[owner].append(item)
            if not owners:
                unrouted.append(item)
            continue
        if interval is None or entry.get("health") != Health.DEAD.value:
            continue
        for owner in owners:
            told = last_notice(owner, source.id)
            if told is None or now - told >= interval:
                per_owner[owner].append(_item(ItemKind.REMINDER, source, entry, None, titles))
    names = {o.id: o.name for o in registry.owners}
    digests = tuple(
        Digest(
            owner_id=owner,
            owner_name=names.get(owner, owner),
            run_id=run_id,
            generated_at=now,
            items=tuple(sorted(items, key=lambda i: (_ORDER[i.kind], i.source_id))),
        )
        for owner, items in sorted(per_owner.items())
    )
    return Composition(digests, tuple(unrouted))


def _news(event: HealthEvent | None, entry: Mapping[str, Any], changed: bool) -> ItemKind | None:
    if event is not None and event.health is Health.DEAD and event.previous is not Health.DEAD:
        return ItemKind.NEW_DEAD
    if event is not None and event.previous is Health.DEAD and event.health.is_up:
        return ItemKind.RECOVERED
    if entry.get("verdict") == "claim_missing" and (event is not None or changed):
        return ItemKind.CLAIM_MISSING
    return None


def _owners(
    source: Source,
    entry: Mapping[str, Any],
    known: Collection[str],
    doc_owner: Mapping[str, str | None],
    fallback: str | None,
) -> tuple[str, ...]:
    """The source's owner, else the citing documents' owners, else the fallback."""
    if source.owner is not None and source.owner in known:
        return (source.owner,)
    citing = [c.get("document") for c in entry.get("citations") or ()]
    citing += [c.document for c in source.claims if c.document]
    owners = [doc_owner.get(d or "") for d in citing]
    found = tuple(dict.fromkeys(o for o in owners if o is not None and o in known))
    if found:
        return found
    return (fallback,) if fallback is not None and fallback in known else ()


def _item(
    kind: ItemKind,
    source: Source,
    entry: Mapping[str, Any],
    event: HealthEvent | None,
    titles: Mapping[str, str | None],
) -> DigestItem:
    return DigestItem(
        kind=kind,
        source_id=source.id,
        url=source.url,
        title=source.title,
        verdict=entry.get("verdict"),
        reason=entry.get("reason"),
        health=event.health.value if event is not None else entry.get("health"),
        change=event.reason if event is not None else None,
        failing_since=_time(entry.get("failing_since")),
        citations=_citations(source, entry, titles),
        archive=_archive(entry) if kind is not ItemKind.RECOVERED else None,
    )


def _citations(
    source: Source, entry: Mapping[str, Any], titles: Mapping[str, str | None]
) -> tuple[AffectedCitation, ...]:
    """Where the source is cited, each place with its claims' statements.

    A claim tied to a document belongs to that document's citations; one tied to none
    to every citation. Claims whose document has no citation of the source are listed
    on their own, without a line.
    """
    found: list[AffectedCitation] = []
    covered: set[str] = set()
    for c in entry.get("citations") or ():
        document = c.get("document")
        statements = tuple(
            claim.statement for claim in source.claims if claim.document in (None, document)
        )
        covered.update(claim.id for claim in source.claims if claim.document in (None, document))
        found.append(
            AffectedCitation(
                document=document,
                document_title=titles.get(document or ""),
                line=c.get("line"),
                text=c.get("text"),
                statements=statements,
            )
        )
    for claim in source.claims:
        if claim.id not in covered:
            found.append(
                AffectedCitation(
                    document=claim.document,
                    document_title=titles.get(claim.document or ""),
                    line=None,
                    text=claim.cited_as,
                    statements=(claim.statement,),
                )
            )
    return tuple(found)


def _archive(entry: Mapping[str, Any]) -> ArchiveCopy | None:
    archive = entry.get("archive") or {}
    if archive.get("status") != "verified" or not archive.get("url"):
        return None
    return ArchiveCopy(url=str(archive["url"]), captured_at=_time(archive.get("captured_at")))


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
