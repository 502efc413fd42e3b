"""The registry as typed, immutable records.

The loader (:mod:`monitor.registry.loader`) builds these from ``registry.yaml``; nothing
else constructs them from user input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from checks.model import CheckTarget, ClaimSpec


@dataclass(frozen=True)
class ArchiveEndpoints:
    """Base URLs of the web archives to consult."""

    wayback: str | None = "https://web.archive.org"
    memento: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Run-wide settings; every key optional in the registry."""

    user_agent: str = "citation-monitor/1.0 (+https://example.org/contact)"
    timeout_s: float = 20.0
    concurrency: int = 32
    per_host: int = 2
    # Worker processes a large run is split between, by site; None: one per core, at
    # most four (monitor.fanout.default_processes).
    processes: int | None = None
    interval: timedelta = timedelta(days=1)
    database: str | None = None
    allow_private: bool = False
    ca_bundle: str | None = None  # resolved against the registry file's folder
    reports_dir: str = "reports"
    archives: ArchiveEndpoints = field(default_factory=ArchiveEndpoints)
    # The CI gate's policy as written (see monitor.gate.policy.GatePolicy.from_settings).
    policy: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Thresholds of the health rules (monitor.state.HealthPolicy field names).
    health: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Raw results older than this are rolled up into one row per source and day.
    retention_days: int = 90
    # Owner notifications as written (see monitor.notify.config.NotifySettings.from_mapping).
    notify: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Owner:
    id: str
    name: str
    email: str | None = None
    webhook: str | None = None


@dataclass(frozen=True)
class Document:
    id: str
    path: Path  # resolved against the registry file's folder
    owner: str | None = None
    title: str | None = None
    lang: str | None = None  # the language it is written in (BCP 47: en, es, es-US)


@dataclass(frozen=True)
class Claim:
    """A statement in a document that cites a source, and the evidence to look for."""

    id: str
    statement: str
    evidence: str
    lenient: bool = False
    cited_as: str | None = None  # footnote marker or line, e.g. "footnote i"
    document: str | None = None

    def spec(self) -> ClaimSpec:
        return ClaimSpec(
            id=self.id, evidence=self.evidence, lenient=self.lenient, statement=self.statement
        )


@dataclass(frozen=True)
class Source:
    """One cited URL with what we know about it."""

    id: str
    url: str
    title: str | None = None
    publisher: str | None = None
    owner: str | None = None
    accessed: date | None = None
    expect_content_type: str | None = None
    interval: timedelta | None = None
    claims: tuple[Claim, ...] = ()
    line: int | None = None  # line of the entry in registry.yaml

    def target(self) -> CheckTarget:
        return CheckTarget(
            url=self.url,
            source_id=self.id,
            expect_content_type=self.expect_content_type,
            claims=tuple(c.spec() for c in self.claims),
            accessed=self.accessed,
        )


@dataclass(frozen=True)
class Reference:
    """A place that names a source without a URL; reported until resolved."""

    id: str
    document: str
    text: str
    note: str | None = None
    source: str | None = None  # a source id once resolved


@dataclass(frozen=True)
class Registry:
    path: Path
    settings: Settings
    owners: tuple[Owner, ...]
    documents: tuple[Document, ...]
    sources: tuple[Source, ...]
    references: tuple[Reference, ...] = ()

    def source(self, source_id: str) -> Source:
        return self._sources_by_id[source_id]

    def owner_of(self, source: Source) -> Owner | None:
        wanted = source.owner
        if wanted is None and self.documents:
            wanted = self.documents[0].owner
        return self._owners_by_id.get(wanted) if wanted is not None else None

    # Lookups by id, built on first use: callers ask for every source of a large registry.
    @cached_property
    def _sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in reversed(self.sources)}  # the first of duplicates wins

    @cached_property
    def _owners_by_id(self) -> dict[str, Owner]:
        return {o.id: o for o in reversed(self.owners)}
