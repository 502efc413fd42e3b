"""One reader per top-level section of ``registry.yaml``, each yielding model records.

Ids that point at other entries (an owner, a document, a source) are collected as
:class:`~monitor.registry.nodes.Link` records by the reader and checked once every
section has been read, so that the order of sections in the file does not matter.
"""

from __future__ import annotations

import dataclasses
import errno
import re
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node

from checks.content.evidence import parse_evidence
from monitor.registry.errors import MESSAGE_LIMIT, clip, quote
from monitor.registry.model import (
    ArchiveEndpoints,
    Claim,
    Document,
    Owner,
    Reference,
    Settings,
    Source,
)
from monitor.registry.nodes import Reader, child, is_null, line_of
from monitor.registry.policies import read_health, read_notify, read_policy
from monitor.registry.urls import comparable

SETTINGS_KEYS = (
    "user_agent",
    "timeout_s",
    "concurrency",
    "per_host",
    "processes",
    "interval",
    "database",
    "allow_private",
    "ca_bundle",
    "reports_dir",
    "archives",
    "policy",
    "health",
    "retention_days",
    "notify",
)
ARCHIVE_KEYS = ("wayback", "memento")
MEMENTO_KEYS = ("timegate", "timemap", "name")
_ARCHIVE_NAME = re.compile(r"[\w.-]+")
OWNER_KEYS = ("name", "email", "webhook")
DOCUMENT_KEYS = ("id", "path", "owner", "title", "lang")
SOURCE_KEYS = (
    "id",
    "url",
    "title",
    "publisher",
    "owner",
    "accessed",
    "interval",
    "expect",
    "claims",
)
EXPECT_KEYS = ("content_type",)
CLAIM_KEYS = ("id", "statement", "evidence", "lenient", "cited_as", "document")
REFERENCE_KEYS = ("id", "document", "text", "note", "source")


def read_settings(r: Reader, node: Node | None, base: Path) -> Settings:
    """Settings given in the registry over the model's defaults; ``ca_bundle`` is
    resolved against *base*, the registry's folder, and must name an existing file."""
    defaults = Settings()
    if node is None or is_null(node):
        return defaults
    values = r.mapping(node, "settings", SETTINGS_KEYS)
    if values is None:
        return defaults
    f = "settings"
    given: dict[str, Any] = {
        "user_agent": r.header_text(values.get("user_agent"), child(f, "user_agent")),
        "timeout_s": r.positive(values.get("timeout_s"), child(f, "timeout_s")),
        "concurrency": r.integer(values.get("concurrency"), child(f, "concurrency"), 1),
        "per_host": r.integer(values.get("per_host"), child(f, "per_host"), 1),
        "processes": r.integer(values.get("processes"), child(f, "processes"), 1),
        "interval": r.duration(values.get("interval"), child(f, "interval")),
        "database": r.text(values.get("database"), child(f, "database")),
        "allow_private": r.boolean(values.get("allow_private"), child(f, "allow_private")),
        "ca_bundle": _ca_bundle(r, values.get("ca_bundle"), child(f, "ca_bundle"), base),
        "reports_dir": r.text(values.get("reports_dir"), child(f, "reports_dir")),
        # Up to a century: the cut-off date is today minus this many days.
        "retention_days": r.integer(
            values.get("retention_days"), child(f, "retention_days"), 1, 36500
        ),
    }
    # An invalid value was reported and reads as None; the registry is refused anyway.
    changes = {key: value for key, value in given.items() if value is not None}
    if "archives" in values:
        changes["archives"] = _archives(r, values["archives"], defaults.archives)
    if "policy" in values:
        changes["policy"] = read_policy(r, values["policy"])
    if "health" in values:
        changes["health"] = read_health(r, values["health"])
    if "notify" in values:
        changes["notify"] = read_notify(r, values["notify"])
    return dataclasses.replace(defaults, **changes)


def _ca_bundle(r: Reader, node: Node | None, field: str, base: Path) -> str | None:
    if node is None or is_null(node):  # null: the system's certificates
        return None
    path = _existing_file(r, node, field, base)
    return None if path is None else str(path)


def _archives(r: Reader, node: Node, defaults: ArchiveEndpoints) -> ArchiveEndpoints:
    field = "settings.archives"
    if is_null(node):
        return defaults
    values = r.mapping(node, field, ARCHIVE_KEYS)
    if values is None:
        return defaults
    wayback = defaults.wayback
    if "wayback" in values:  # null turns the Wayback Machine off
        wayback = r.url(values["wayback"], child(field, "wayback"))
    memento = defaults.memento
    if "memento" in values:
        items = r.sequence(values["memento"], child(field, "memento"))
        specs = (
            _memento(r, item, child(child(field, "memento"), i)) for i, item in enumerate(items)
        )
        memento = tuple(spec for spec in specs if spec is not None)
    return ArchiveEndpoints(wayback=wayback, memento=memento)


def _memento(r: Reader, node: Node, field: str) -> str | None:
    """One Memento archive: its TimeGate's URL, or a mapping with ``timegate`` and, for
    an archive whose TimeMaps do not sit beside its TimeGate (archive.today), ``timemap``
    and a ``name`` for reports. Given as the entry syntax of
    :meth:`checks.archive.config.MementoEndpoint.parse`."""
    if not isinstance(node, MappingNode):
        return r.url(node, field, True)
    values = r.mapping(node, field, MEMENTO_KEYS, required=("timegate",))
    if values is None:
        return None
    spec = r.url(values.get("timegate"), child(field, "timegate"), True)
    timemap = r.url(values.get("timemap"), child(field, "timemap"))
    name = r.text(values.get("name"), child(field, "name"))
    if name is not None and not _ARCHIVE_NAME.fullmatch(name):
        r.problem(
            values["name"], child(field, "name"), "expected one word (letters, digits, . _ -)"
        )
        name = None
    if spec is None:
        return None
    if timemap is not None:
        spec += f" timemap={timemap}"
    return spec + (f" name={name}" if name else "")


def read_owners(r: Reader, node: Node | None) -> tuple[Owner, ...]:
    """Owners, written as a mapping from owner id to name, email and webhook."""
    if node is None or is_null(node):
        return ()
    entries = r.entries(node, "owners")
    owners: list[Owner] = []
    for owner_id, key_node, value_node in entries or ():
        field = child("owners", owner_id)
        if r.ident(key_node, field, "owner") is None:
            continue
        values = r.mapping(value_node, field, OWNER_KEYS)
        if values is None:
            continue
        owners.append(
            Owner(
                id=owner_id,
                # A name is optional: the id is already a readable handle.
                name=r.text(values.get("name"), child(field, "name")) or owner_id,
                email=r.email(values.get("email"), child(field, "email")),
                webhook=r.url(values.get("webhook"), child(field, "webhook")),
            )
        )
    return tuple(owners)


def read_documents(r: Reader, node: Node | None, base: Path) -> tuple[Document, ...]:
    """Documents; each path is resolved against *base* and must name an existing file."""
    documents: list[Document] = []
    for i, item in enumerate(r.sequence(node, "documents") if node is not None else []):
        field = child("documents", i)
        values = r.mapping(item, field, DOCUMENT_KEYS, required=("id", "path"))
        if values is None:
            continue
        doc_id = r.ident(values.get("id"), child(field, "id"), "document")
        path = _existing_file(r, values.get("path"), child(field, "path"), base)
        owner = r.linked("owner", values.get("owner"), child(field, "owner"))
        title = r.text(values.get("title"), child(field, "title"))
        lang = _language(r, values.get("lang"), child(field, "lang"))
        if doc_id is not None and path is not None:
            documents.append(Document(id=doc_id, path=path, owner=owner, title=title, lang=lang))
    return tuple(documents)


# A BCP 47 tag of the usual shape: a language, then subtags (script, region, variant).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _language(r: Reader, node: Node | None, field: str) -> str | None:
    raw = r.text(node, field)
    if raw is None or _LANGUAGE_TAG.fullmatch(raw):
        return raw
    r.problem(node, field, f"{quote(raw)} is not a language tag such as en, es or es-US")
    return None


def _existing_file(r: Reader, node: Node | None, field: str, base: Path) -> Path | None:
    raw = r.text(node, field, required=True)
    if node is None or raw is None:
        return None
    why = "contains a NUL character, which no file name may hold"
    if "\0" not in raw:
        try:
            path = (base / raw).resolve()
            path.stat()  # raises why a path cannot be opened: missing, too long, a loop
            if path.is_file():
                return path
            why = "is a folder, not a file" if path.is_dir() else "is not a regular file"
        except RuntimeError:  # Path.resolve before Python 3.13
            why = "is a loop of symbolic links"
        except OSError as exc:
            why = _unusable(exc)
    r.problem(node, field, f"{quote(raw)} {why} (paths are relative to the registry's folder)")
    return None


def _unusable(exc: OSError) -> str:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "does not exist"
    if exc.errno == errno.ENAMETOOLONG:
        return "is too long a name for the file system"
    if exc.errno == errno.ELOOP:
        return "is a loop of symbolic links"
    return f"cannot be read: {exc.strerror or exc}"


def read_sources(r: Reader, node: Node | None) -> tuple[Source, ...]:
    """Sources with their claims; ``Source.line`` is the line of the entry."""
    sources: list[Source] = []
    first_url: dict[str, tuple[str, int]] = {}  # comparable form -> as written, line
    for i, item in enumerate(r.sequence(node, "sources") if node is not None else []):
        field = child("sources", i)
        values = r.mapping(item, field, SOURCE_KEYS, required=("id", "url"))
        if values is None:
            continue
        source_id = r.ident(values.get("id"), child(field, "id"), "source")
        url = r.url(values.get("url"), child(field, "url"), True)
        if url is not None:
            _unique_url(r, url, values["url"], child(field, "url"), first_url)
        owner = r.linked("owner", values.get("owner"), child(field, "owner"))
        claims_node = values.get("claims")
        claims = () if claims_node is None else _claims(r, claims_node, child(field, "claims"))
        source = Source(
            id=source_id or "",
            url=url or "",
            title=r.text(values.get("title"), child(field, "title")),
            publisher=r.text(values.get("publisher"), child(field, "publisher")),
            owner=owner,
            accessed=r.day(values.get("accessed"), child(field, "accessed")),
            expect_content_type=_expect(r, values.get("expect"), child(field, "expect")),
            interval=r.duration(values.get("interval"), child(field, "interval")),
            claims=claims,
            line=line_of(item),
        )
        if source_id is not None and url is not None:
            sources.append(source)
    return tuple(sources)


def _unique_url(
    r: Reader, url: str, node: Node, field: str, first_url: dict[str, tuple[str, int]]
) -> None:
    """Report a source URL registered already, however its scheme, host, port or empty
    path are spelt: checked twice, its results would be split between two sources."""
    key = comparable(url)
    if key not in first_url:
        first_url[key] = (url, line_of(node))
        return
    written, line = first_url[key]
    same = "" if written == url else f", written there as {quote(written)}"
    r.problem(node, field, f"duplicate source URL {quote(url)} (first on line {line}{same})")


def _expect(r: Reader, node: Node | None, field: str) -> str | None:
    if node is None or is_null(node):
        return None
    values = r.mapping(node, field, EXPECT_KEYS)
    if values is None:
        return None
    return r.media_type(values.get("content_type"), child(field, "content_type"))


def _claims(r: Reader, node: Node, field: str) -> tuple[Claim, ...]:
    claims: list[Claim] = []
    for j, item in enumerate(r.sequence(node, field)):
        where = child(field, j)
        values = r.mapping(item, where, CLAIM_KEYS, required=("id", "statement", "evidence"))
        if values is None:
            continue
        claim_id = r.ident(values.get("id"), child(where, "id"), "claim")
        statement = r.text(values.get("statement"), child(where, "statement"), True)
        evidence = r.text(values.get("evidence"), child(where, "evidence"), True)
        if evidence is not None:
            # A regular expression that does not compile would only ever be "missing".
            error = parse_evidence(evidence).error
            if error is not None:
                r.problem(values["evidence"], child(where, "evidence"), clip(error, MESSAGE_LIMIT))
                evidence = None
        lenient = r.boolean(values.get("lenient"), child(where, "lenient"))
        cited_as = r.text(values.get("cited_as"), child(where, "cited_as"))
        document = r.linked("document", values.get("document"), child(where, "document"))
        if claim_id is None or statement is None or evidence is None:
            continue
        claims.append(
            Claim(
                id=claim_id,
                statement=statement,
                evidence=evidence,
                lenient=bool(lenient),
                cited_as=cited_as,
                document=document,
            )
        )
    return tuple(claims)


def read_references(r: Reader, node: Node | None) -> tuple[Reference, ...]:
    """Places that name a source without a URL; ``source`` is set once resolved."""
    references: list[Reference] = []
    for i, item in enumerate(r.sequence(node, "references") if node is not None else []):
        field = child("references", i)
        required = ("id", "document", "text")
        values = r.mapping(item, field, REFERENCE_KEYS, required=required)
        if values is None:
            continue
        ref_id = r.ident(values.get("id"), child(field, "id"), "reference")
        document = r.linked("document", values.get("document"), child(field, "document"), True)
        text = r.text(values.get("text"), child(field, "text"), True)
        note = r.text(values.get("note"), child(field, "note"))
        source = r.linked("source", values.get("source"), child(field, "source"))
        if ref_id is not None and document is not None and text is not None:
            references.append(
                Reference(id=ref_id, document=document, text=text, note=note, source=source)
            )
    return tuple(references)
