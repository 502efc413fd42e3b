"""Load ``registry.yaml`` into the immutable model, or explain everything wrong with it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from yaml.nodes import Node, ScalarNode

from monitor.heap import collection_paused
from monitor.registry.compose import compose_file
from monitor.registry.durations import parse_duration
from monitor.registry.errors import RegistryInvalid, RegistryProblem, clip, quote
from monitor.registry.model import Registry
from monitor.registry.nodes import INT, Link, Reader, describe
from monitor.registry.sections import (
    read_documents,
    read_owners,
    read_references,
    read_settings,
    read_sources,
)

# parse_duration is re-exported: the command line parses --interval with it.
__all__ = ["SUPPORTED_VERSION", "load_registry", "parse_duration"]

SUPPORTED_VERSION = 1
TOP_KEYS = ("version", "settings", "owners", "documents", "sources", "references")
# Ids listed when an unknown one has no close match: enough to show what ids look like.
_KNOWN_SHOWN = 10


# The registry lives on: a collection while it is read would find nothing.
@collection_paused()
def load_registry(path: Path) -> Registry:
    """Read and validate the registry at *path*.

    Returns the immutable :class:`Registry`, with document paths resolved against the
    registry file's folder. Raises :class:`RegistryInvalid` listing every problem
    found (file, line, dotted field and what was expected), not only the first.
    """
    file = str(path)
    root = compose_file(path, file, f"version: {SUPPORTED_VERSION}")
    r = Reader(file)
    values = r.mapping(root, "", TOP_KEYS, required=("version",))
    if values is None:
        raise RegistryInvalid(r.problems)
    if "version" in values:
        _check_version(r, values["version"])
    base = path.resolve().parent
    registry = Registry(
        path=path.resolve(),
        settings=read_settings(r, values.get("settings"), base),
        owners=read_owners(r, values.get("owners")),
        documents=read_documents(r, values.get("documents"), base),
        sources=read_sources(r, values.get("sources")),
        references=read_references(r, values.get("references")),
    )
    known = {kind: r.ids(kind) for kind in ("owner", "document", "source")}
    _check_links(r, r.links, known)
    if r.problems:
        raise RegistryInvalid(_in_file_order(r.problems))
    return registry


def _check_version(r: Reader, node: Node) -> None:
    if node.tag == INT and str(node.value) == str(SUPPORTED_VERSION):
        return
    got = quote(str(node.value)) if isinstance(node, ScalarNode) else describe(node)
    msg = f"expected {SUPPORTED_VERSION}, the registry format this monitor reads, got {got}"
    r.problem(node, "version", msg)


def _check_links(r: Reader, links: Iterable[Link], known: dict[str, list[str]]) -> None:
    for link in links:
        names = known[link.kind]
        if link.target in names:
            continue
        close = difflib.get_close_matches(link.target, names, n=1)
        if close:
            hint = f"; did you mean {quote(close[0])}?"
        elif names:
            shown = ", ".join(clip(name) for name in names[:_KNOWN_SHOWN])
            hint = f"; known: {shown}{', ...' if len(names) > _KNOWN_SHOWN else ''}"
        else:
            hint = f"; the registry defines no {link.kind}s"
        r.problem(link.line, link.field, f"unknown {link.kind} {quote(link.target)}{hint}")


def _in_file_order(problems: Iterable[RegistryProblem]) -> list[RegistryProblem]:
    # Problems without a line concern the whole file and come first; the sort is stable,
    # so problems on one line keep the order in which they were found.
    return sorted(problems, key=lambda p: p.line or 0)
