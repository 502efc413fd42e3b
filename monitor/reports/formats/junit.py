"""``junit.xml``: one test case per citation, for CI test-report views.

The cases are the gate's findings (:func:`monitor.gate.policy.evaluate`), so the report
and the gate agree. A failing citation holds a ``<failure>`` whose ``type`` is the
verdict; a warning passes, with its message in ``<system-out>`` (GitLab and Jenkins show
it) and ``severity=warn`` among the case's properties. Test names carry the line because
GitLab keeps only the first of two cases with the same name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from monitor.gate.policy import GateFinding, GatePolicy, Severity, evaluate, generated_at
from monitor.reports.formats.base import StreamedFormat, without_surrogates

SUITES_NAME = "citation-monitor"

# Characters XML 1.0 forbids anywhere, even escaped.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: object) -> str:
    return _INVALID_XML.sub("\ufffd", without_surrogates(str(text)))


def _seconds(source: Mapping[str, Any] | None) -> float:
    elapsed = source.get("elapsed_ms") if source else None
    return float(elapsed) / 1000 if isinstance(elapsed, int | float) else 0.0


class JUnitFormat(StreamedFormat):
    """JUnit XML under a gate policy (the default policy unless one is given).

    Written one test case at a time: the counts each element carries are worked out
    first, so that no whole tree of thousands of cases is ever held.
    """

    name = "junit"
    filename = "junit.xml"

    def __init__(
        self, policy: GatePolicy | None = None, documents: Sequence[str] | None = None
    ) -> None:
        self.policy = policy or GatePolicy()
        # The documents whose citations are judged (by id or path), or None for all.
        self.documents = documents

    def write(self, status: Mapping[str, Any], out: TextIO) -> None:
        outcome = evaluate(
            status, self.policy, documents=self.documents, now=generated_at(status)
        )
        registry_name = str(status.get("registry") or "registry")
        paths = {d["id"]: d["path"] for d in status.get("documents", ())}
        sources = {s.get("id") or s["url"]: s for s in status.get("sources", ())}

        # Suites in the registry's document order, then any other, then uncited sources.
        suites: dict[str, list[GateFinding]] = {d: [] for d in paths}
        for finding in sorted(outcome.findings, key=lambda f: (f.document is None, f.line or 0)):
            suites.setdefault(finding.document or registry_name, []).append(finding)
        suites = {name: findings for name, findings in suites.items() if findings}

        def seconds_of(finding: GateFinding) -> float:
            return _seconds(sources.get(finding.source_id or finding.url))

        root = ET.Element("testsuites", name=SUITES_NAME, timestamp=status["generated_at"])
        _counts(
            root,
            sum(len(f) for f in suites.values()),
            sum(_failures(f) for f in suites.values()),
            sum(sum(map(seconds_of, f)) for f in suites.values()),
        )
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        if not suites:
            out.write(serialized(root) + "\n")
            return
        out.write(_start_tag(root) + "\n")
        for suite_name, findings in suites.items():
            suite = ET.Element("testsuite", name=_xml(suite_name))
            suite.set("file", _xml(paths.get(suite_name, findings[0].path or registry_name)))
            suite.set("timestamp", status["generated_at"])
            _counts(suite, len(findings), _failures(findings), sum(map(seconds_of, findings)))
            out.write(_INDENT + _start_tag(suite) + "\n")
            names: set[str] = set()
            for finding in findings:
                case = _case(finding, suite_name, registry_name, names, seconds_of(finding))
                out.write(_INDENT * 2 + serialized(case, level=2) + "\n")
            out.write(_INDENT + "</testsuite>\n")
        out.write("</testsuites>\n")


_INDENT = "  "


def serialized(element: ET.Element, *, level: int = 0) -> str:
    """``element`` as ``ET.indent(element, "  ", level=level)`` then ``ET.tostring``
    write it, for the plain elements made here (no namespaces, comments or tails):
    several times faster, for the thousands of test cases of a large registry."""
    head = f"<{element.tag}" + "".join(
        f' {name}="{_escape_attribute(value)}"' for name, value in element.attrib.items()
    )
    if len(element):
        inner = "\n" + _INDENT * (level + 1)
        children = "".join(inner + serialized(child, level=level + 1) for child in element)
        return f"{head}>{children}\n{_INDENT * level}</{element.tag}>"
    if element.text:
        return f"{head}>{_escape_text(element.text)}</{element.tag}>"
    return head + " />"


# What ElementTree escapes, in its order; most values hold none of it.
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE_ESCAPES = (
    *_TEXT_ESCAPES,
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)
_TEXT_SPECIAL = re.compile("[&<>]")
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')


def _escape_text(text: str) -> str:
    if _TEXT_SPECIAL.search(text):
        for raw, escaped in _TEXT_ESCAPES:
            text = text.replace(raw, escaped)
    return text


def _escape_attribute(text: str) -> str:
    if _ATTRIBUTE_SPECIAL.search(text):
        for raw, escaped in _ATTRIBUTE_ESCAPES:
            text = text.replace(raw, escaped)
    return text


def _start_tag(element: ET.Element) -> str:
    """``<tag attr="...">`` of a childless element."""
    return serialized(element).removesuffix(" />") + ">"


def _failures(findings: list[GateFinding]) -> int:
    return sum(1 for f in findings if f.severity is Severity.FAIL)


def _case(
    finding: GateFinding, suite_name: str, registry_name: str, names: set[str], seconds: float
) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=_xml(_unique(_case_name(finding), names)),
        classname=_xml(suite_name),
        file=_xml(finding.path or registry_name),
        time=f"{seconds:.3f}",
    )
    if finding.line:
        case.set("line", str(finding.line))
    _add_properties(case, finding)
    if finding.severity is Severity.FAIL:
        failure = ET.SubElement(
            case,
            "failure",
            type=_xml(finding.verdict or finding.rule),
            message=_xml(finding.reason or finding.title),
        )
        failure.text = _xml(finding.message)
    elif finding.severity is Severity.WARN:
        ET.SubElement(case, "system-out").text = _xml(
            f"warning: {finding.title}. {finding.message}"
        )
    return case


def _case_name(finding: GateFinding) -> str:
    if finding.document is None:
        return f"uncited: {finding.url}"
    return f"line {finding.line}: {finding.url}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate


def _add_properties(case: ET.Element, finding: GateFinding) -> None:
    props = ET.SubElement(case, "properties")
    for key, value in (
        ("severity", finding.severity.value),
        ("verdict", finding.verdict),
        ("rule", finding.rule),
        ("source", finding.source_id),
        ("url", finding.url),
        ("archive_url", finding.archive_url),
    ):
        if value:
            ET.SubElement(props, "property", name=key, value=_xml(value))


def _counts(element: ET.Element, tests: int, failures: int, time: float) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")
    element.set("time", f"{time:.3f}")
