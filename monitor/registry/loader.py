"""Load ``registry.yaml`` into the immutable model, or explain everything wrong with it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

import yaml
from yaml.nodes import Node

from monitor.registry.durations import parse_duration
from monitor.registry.errors import RegistryInvalid, RegistryProblem
from monitor.registry.model import Registry
from monitor.registry.nodes import INT, Reader
from monitor.registry.sections import (
    Link,
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

# libyaml when present: the same safe resolver, much faster on large registries.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_registry(path: Path) -> Registry:
    """Read and validate the registry at *path*.

    Returns the immutable :class:`Registry`, with document paths resolved against the
    registry file's folder. Raises :class:`RegistryInvalid` listing every problem
    found (file, line, dotted field and what was expected), not only the first.
    """
    file = str(path)
    root = _compose(path, file)
    r = Reader(file)
    values = r.mapping(root, "", TOP_KEYS, required=("version",))
    if values is None:
        raise RegistryInvalid(r.problems)
    if "version" in values:
        _check_version(r, values["version"])
    links: list[Link] = []
    base = path.resolve().parent
    registry = Registry(
        path=path.resolve(),
        settings=read_settings(r, values.get("settings")),
        owners=read_owners(r, values.get("owners")),
        documents=read_documents(r, values.get("documents"), base, links),
        sources=read_sources(r, values.get("sources"), links),
        references=read_references(r, values.get("references"), links),
    )
    _check_links(r, links, {kind: r.ids(kind) for kind in ("owner", "document", "source")})
    if r.problems:
        raise RegistryInvalid(_in_file_order(r.problems))
    return registry


def _compose(path: Path, file: str) -> Node:
    """The YAML node tree of the file, or RegistryInvalid for unreadable or malformed YAML."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RegistryInvalid([RegistryProblem(file, None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        problem = RegistryProblem(file, None, "", f"not UTF-8 text (byte {exc.start})")
        raise RegistryInvalid([problem]) from None
    except OSError as exc:
        problem = RegistryProblem(file, None, "", f"cannot read the file: {exc.strerror}")
        raise RegistryInvalid([problem]) from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        detail = exc.problem or exc.context or "unreadable"
        if exc.problem and exc.context and exc.context_mark is not None:
            detail += f" ({exc.context} on line {exc.context_mark.line + 1})"
        problem = RegistryProblem(file, line, "", f"malformed YAML: {detail}")
        raise RegistryInvalid([problem]) from None
    except yaml.YAMLError as exc:
        problem = RegistryProblem(file, None, "", f"malformed YAML: {exc}")
        raise RegistryInvalid([problem]) from None
    if root is None:
        msg = f"the file is empty; expected a mapping starting 'version: {SUPPORTED_VERSION}'"
        raise RegistryInvalid([RegistryProblem(file, None, "", msg)])
    return root


def _check_version(r: Reader, node: Node) -> None:
    if node.tag == INT and str(node.value) == str(SUPPORTED_VERSION):
        return
    msg = (
        f"expected {SUPPORTED_VERSION}, the registry format this monitor reads, got {node.value!r}"
    )
    r.problem(node, "version", msg)


def _check_links(r: Reader, links: Iterable[Link], known: dict[str, list[str]]) -> None:
    for link in links:
        names = known[link.kind]
        if link.target in names:
            continue
        close = difflib.get_close_matches(link.target, names, n=1)
        if close:
            hint = f"; did you mean {close[0]!r}?"
        elif names:
            hint = f"; known: {', '.join(names)}"
        else:
            hint = f"; the registry defines no {link.kind}s"
        r.problem(link.line, link.field, f"unknown {link.kind} {link.target!r}{hint}")


def _in_file_order(problems: Iterable[RegistryProblem]) -> list[RegistryProblem]:
    # Problems without a line concern the whole file and come first; the sort is stable,
    # so problems on one line keep the order in which they were found.
    return sorted(problems, key=lambda p: p.line or 0)
