"""junit.xml: one test case per citation, the same findings as the gate."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

from monitor.gate.policy import GatePolicy, Severity, evaluate
from monitor.reports.formats import FORMATS
from monitor.reports.formats.junit import JUnitFormat, serialized
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import T, archive, source

GONE = "http://gone.example/r.pdf"


def render(status: dict[str, object], policy: GatePolicy | None = None) -> ET.Element:
    text = JUnitFormat(policy).render(status)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {f"{c.get('classname')} {c.get('name')}": c for c in root.iter("testcase")}


def test_registered_as_a_report_format() -> None:
    fmt = FORMATS["junit"]
    assert (fmt.name, fmt.filename) == ("junit", "junit.xml")


def test_counts_suites_and_cases(make_status: MakeStatus) -> None:
    status = make_status(
        source(
            "gone",
            GONE,
            "broken",
            reason="404 Not Found",
            status=404,
            cited=[("sheet", 12), ("other", 3)],
        ),
        source("moved", "http://m.example/", "moved", cited=[("sheet", 2)]),
        source("fine", "https://ok.example/", "ok", cited=[("sheet", 1)], elapsed_ms=250.0),
        source("lonely", "https://l.example/", "ok", cited=[]),
    )
    root = render(status)
    outcome = evaluate(status, GatePolicy(), now=T)
    assert root.tag == "testsuites"
    assert root.get("tests") == str(len(outcome.findings)) == "5"
    assert root.get("failures") == str(outcome.counts[Severity.FAIL]) == "2"
    assert (root.get("errors"), root.get("skipped")) == ("0", "0")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["sheet", "other", "registry.yaml"]
    assert {k: (s.get("tests"), s.get("failures")) for k, s in suites.items()} == {
        "sheet": ("3", "1"),
        "other": ("1", "1"),
        "registry.yaml": ("1", "0"),
    }
    assert suites["sheet"].get("file") == "content/sheet.md"
    for suite in suites.values():
        assert int(suite.get("tests", "")) == len(suite.findall("testcase"))

    by_name = cases(root)
    assert set(by_name) == {
        f"sheet line 12: {GONE}",
        f"other line 3: {GONE}",
        "sheet line 2: http://m.example/",
        "sheet line 1: https://ok.example/",
        "registry.yaml uncited: https://l.example/",
    }
    broken = by_name[f"sheet line 12: {GONE}"]
    assert (broken.get("file"), broken.get("line")) == ("content/sheet.md", "12")
    failure = broken.find("failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == ("broken", "404 Not Found")
    assert GONE in (failure.text or "")

    moved = by_name["sheet line 2: http://m.example/"]
    assert moved.find("failure") is None and moved.find("skipped") is None
    out = moved.find("system-out")
    assert out is not None and (out.text or "").startswith("warning: Citation moved.")
    props = {p.get("name"): p.get("value") for p in moved.iter("property")}
    assert props["severity"] == "warn" and props["verdict"] == "moved"

    ok = by_name["sheet line 1: https://ok.example/"]
    assert list(ok.iter("failure")) == [] and ok.find("system-out") is None
    assert ok.get("time") == "0.250"
    lonely = by_name["registry.yaml uncited: https://l.example/"]
    assert lonely.get("file") == "registry.yaml" and lonely.get("line") is None


def test_archive_excused_citation_passes_with_a_note(make_status: MakeStatus) -> None:
    root = render(make_status(source("g", GONE, "broken", archive=archive())))
    [case] = list(root.iter("testcase"))
    assert case.find("failure") is None
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert (props["archive_url"] or "").startswith("https://web.archive.org/")
    assert root.get("failures") == "0"
    strict = render(
        make_status(source("g", GONE, "broken", archive=archive())),
        GatePolicy(archive_excuses=False),
    )
    assert strict.get("failures") == "1"


def test_repeated_names_stay_unique(make_status: MakeStatus) -> None:
    status = make_status(source("g", GONE, "broken", cited=[("sheet", 5), ("sheet", 5)]))
    names = [c.get("name") for c in render(status).iter("testcase")]
    assert names == [f"line 5: {GONE}", f"line 5: {GONE} (2)"]


def test_markup_and_control_characters_stay_well_formed(make_status: MakeStatus) -> None:
    url = 'https://a.example/?q=<b>&x="1"'
    status = make_status(
        source("x", url, "broken", reason='bad <tag> & "quote"\x00\x1b end', cited=[("sheet", 1)])
    )
    root = render(status)
    [case] = list(root.iter("testcase"))
    assert case.get("name") == f"line 1: {url}"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'bad <tag> & "quote"\ufffd\ufffd end'


def test_cases_are_written_as_elementtree_writes_them() -> None:
    rng = random.Random(7)
    alphabet = "ab <>&\"'\t\r\n\u00e9\u2713 x;=/"

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    for _ in range(300):
        case = ET.Element("testcase", name=text(), classname=text(), time="0.125")
        if rng.random() < 0.5:
            case.set("line", str(rng.randint(1, 99)))
        if rng.random() < 0.8:
            props = ET.SubElement(case, "properties")
            for key in rng.sample(["severity", "verdict", "url", "source"], rng.randint(0, 4)):
                ET.SubElement(props, "property", name=key, value=text())
        kind = rng.choice(["failure", "system-out", None])
        if kind is not None:
            ET.SubElement(case, kind, type=text()).text = text() or None
        level = rng.randint(0, 3)
        fast = serialized(case, level=level)
        ET.indent(case, "  ", level=level)
        assert fast == ET.tostring(case, "unicode")
