"""status.json follows its schema; every report format renders the same status."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checks.model import (
    ArchiveFallback,
    ArchiveStatus,
    CheckResult,
    ClaimFinding,
    RedirectHop,
    Verdict,
)
from monitor.registry.model import Claim, Document, Registry, Settings, Source
from monitor.reports.formats import FORMATS
from monitor.reports.status import build_status, source_entry
from monitor.store.records import RunRecord, RunStatus

SCHEMA = json.loads((Path(__file__).parents[2] / "monitor/reports/status.schema.json").read_text())
T = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Cite:
    document: str
    line: int
    url: str
    text: str
    footnote: str | None = None


def registry(tmp_path: Path) -> Registry:
    claim = Claim("c1", "100,000 children ...", "100,000", cited_as="footnote i")
    return Registry(
        path=tmp_path / "registry.yaml",
        settings=Settings(),
        owners=(),
        documents=(Document("doc", tmp_path / "doc.md"),),
        sources=(
            Source(
                "a",
                "http://a.example/r.pdf",
                title="Report",
                accessed=date(2014, 1, 15),
                claims=(claim,),
            ),
            Source("b", "http://b.example/"),
            Source("c", "http://c.example/never"),
        ),
    )


def results() -> dict[str, CheckResult]:
    return {
        "a": CheckResult(
            url="http://a.example/r.pdf",
            verdict=Verdict.BROKEN,
            reason="404 Not Found",
            checked_at=T,
            source_id="a",
            status=404,
            hops=(RedirectHop("http://a.example/r.pdf", 404, None, 10.0),),
            claims=(ClaimFinding("c1", False),),
            archive=ArchiveFallback(
                ArchiveStatus.VERIFIED,
                url="https://web.archive.org/web/20140101000000/http://a.example/r.pdf",
                captured_at=datetime(2014, 1, 1, tzinfo=UTC),
                claims_found=("c1",),
            ),
        ),
        "b": CheckResult(
            url="http://b.example/",
            verdict=Verdict.OK,
            reason="200 OK | fine",
            checked_at=T,
            source_id="b",
            status=200,
            elapsed_ms=12.0,
        ),
    }


def status(tmp_path: Path) -> dict[str, Any]:
    run = RunRecord(1, T, T, RunStatus.FINISHED, False, None, 3, {"ok": 1})
    cites = {"http://a.example/r.pdf": [Cite("doc", 7, "http://a.example/r.pdf", "i", "i")]}
    return build_status(registry(tmp_path), results(), run, cites, T)


def test_status_document_validates_against_its_schema(tmp_path: Path) -> None:
    doc = status(tmp_path)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["totals"] == {
        "sources": 3,
        "checked": 2,
        "failing": 1,
        "by_verdict": {**{v.value: 0 for v in Verdict}, "broken": 1, "ok": 1},
    }
    a = doc["sources"][0]
    assert a["citations"] == [{"document": "doc", "line": 7, "text": "i", "footnote": "i"}]
    assert a["claims"][0]["statement"] == "100,000 children ..."
    assert a["claims"][0]["found"] is False
    assert a["archive"]["status"] == "verified"
    assert doc["sources"][2]["checked"] is False and doc["sources"][2]["verdict"] is None


def test_schema_rejects_a_wrong_verdict(tmp_path: Path) -> None:
    doc = status(tmp_path)
    doc["sources"][1]["verdict"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def test_ad_hoc_entry_has_the_source_shape() -> None:
    entry = source_entry(results()["b"])
    jsonschema.Draft202012Validator(
        SCHEMA["$defs"]["source"] | {"$defs": SCHEMA["$defs"]}
    ).validate(entry)
    assert entry["id"] is None and entry["verdict"] == "ok"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders(name: str, tmp_path: Path) -> None:
    text = FORMATS[name].render(status(tmp_path))
    assert "http://a.example/r.pdf" in text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_to_a_file_what_it_renders(name: str, tmp_path: Path) -> None:
    document = status(tmp_path)
    out = tmp_path / "report"
    with out.open("w", encoding="utf-8", newline="") as stream:
        FORMATS[name].write(document, stream)
    assert out.read_bytes().decode("utf-8") == FORMATS[name].render(document)


def test_json_is_the_document_with_one_line_per_source(tmp_path: Path) -> None:
    document = status(tmp_path)
    document["sources"][1]["title"] = "Line one\nline two \ud83d"  # a lone half, as PDFs gave
    text = FORMATS["json"].render(document)
    back = json.loads(text)
    assert back["sources"][1]["title"] == "Line one\nline two \ufffd"
    back["sources"][1]["title"] = document["sources"][1]["title"]
    assert back == document
    lines = text.splitlines()
    # Each source is one line of its own, so a diff names the sources that changed.
    for entry in json.loads(text)["sources"]:
        (line,) = [line for line in lines if f'"id": "{entry["id"]}"' in line]
        assert json.loads(line.strip().rstrip(",")) == entry
    # The outline stays indented for reading.
    assert '  "totals": {' in lines
    assert text.endswith("}\n")


def test_json_of_empty_lists_and_objects_is_valid() -> None:
    for document in ({}, {"sources": []}, {"run": None, "sources": [], "totals": {}}):
        text = FORMATS["json"].render(document)
        assert json.loads(text) == document


def test_markdown_escapes_table_cells_and_shows_archive(tmp_path: Path) -> None:
    text = FORMATS["markdown"].render(status(tmp_path))
    assert "200 OK \\| fine" in text
    assert "verified https://web.archive.org/web/20140101000000/http://a.example/r.pdf" in text
    assert "doc:7" in text
