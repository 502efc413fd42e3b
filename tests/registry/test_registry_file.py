"""The project's own registry.yaml: the seed fact sheet's six sources and two references."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.registry import Registry, load_registry

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    """The real registry, loaded from a copy whose document is a stand-in file."""
    shutil.copy(REPO / "registry.yaml", tmp_path / "registry.yaml")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "csec-fact-sheet.md").write_text("# CSEC\n", encoding="utf-8")
    return load_registry(tmp_path / "registry.yaml")


def test_six_cited_urls_exactly_as_printed(registry: Registry) -> None:
    assert [s.url for s in registry.sources] == [
        "http://www.justice.gov/oig/reports/FBI/a0908/final.pdf",
        "http://www.sp2.upenn.edu/restes/CSEC_Files/Complete_CSEC_020220.pdf",
        "http://www.prevent-abuse-now.com/stats",
        "https://oag.ca.gov/human-trafficking",
        "http://www.ncadv.org/files/HumanTrafficking.pdf",
        "http://www.youthlaw.org/fileadmin/ncyl/youthlaw/publications/"
        "Ending-CSEC-A-Call-for-Multi-System_Collaboration-in-CA.pdf",
    ]


def test_every_source_is_described(registry: Registry) -> None:
    for source in registry.sources:
        assert source.publisher and source.owner == "dmh-web" and source.accessed
        pdf = source.url.endswith(".pdf")
        assert source.expect_content_type == ("application/pdf" if pdf else "text/html")
        assert source.line is not None


def test_three_claims_with_evidence_found_in_their_sources(registry: Registry) -> None:
    claims = {c.cited_as: (s.id, c) for s in registry.sources for c in s.claims}
    assert set(claims) == {"footnote i", "footnote ii", "inline link after the 95% statistic"}
    evidence = {cited: (source_id, c.evidence) for cited, (source_id, c) in claims.items()}
    assert evidence == {
        "footnote i": ("doj-oig-fbi-crimes-against-children-2009", "100,000"),
        # The fact sheet rounds the study's figure to 300,000; the evidence is the study's.
        "footnote ii": ("upenn-csec-us-national-study-2002", "325,000"),
        "inline link after the 95% statistic": ("prevent-abuse-now-stats", "95%"),
    }
    for _, claim in claims.values():
        assert claim.document == "csec-fact-sheet"
        assert claim.lenient is False
    assert "100,000 children are sold for sex each year" in claims["footnote i"][1].statement
    assert "300,000 U.S. children are at risk" in claims["footnote ii"][1].statement


def test_two_unresolved_references(registry: Registry) -> None:
    assert [(r.text, r.document, r.source) for r in registry.references] == [
        ("CSEC Fact Sheet", "csec-fact-sheet", None),
        ("Transition Age Youth (TAY) webpage", "csec-fact-sheet", None),
    ]


def test_document_owner_and_settings(registry: Registry, tmp_path: Path) -> None:
    (document,) = registry.documents
    assert (document.id, document.owner) == ("csec-fact-sheet", "dmh-web")
    assert document.path == (tmp_path / "content" / "csec-fact-sheet.md").resolve()
    (owner,) = registry.owners
    assert owner.id == "dmh-web" and owner.email and owner.email.endswith("@example.org")
    settings = registry.settings
    assert "citation-monitor" in settings.user_agent and "+https://" in settings.user_agent
    assert (settings.timeout_s, settings.concurrency, settings.per_host) == (20.0, 32, 2)
    assert settings.interval == timedelta(days=1)
    assert settings.archives.wayback == "https://web.archive.org"
