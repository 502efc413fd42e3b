"""Content checks: is the cited evidence still in the source?

:func:`analyse` reads a fetched body (HTML, PDF or text), looks for every claim's
evidence, checks a text fragment in the URL and fingerprints the text. It reports;
the verdict is decided elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checks.content.drift import changed, fingerprint, similarity
from checks.content.evidence import find_all, find_evidence, parse_evidence
from checks.content.extract import ExtractedText, TextKind, extract_text
from checks.content.searchtext import SearchText
from checks.content.textfragment import fragment_found, has_text_directive
from checks.model import ClaimFinding, ClaimSpec

__all__ = [
    "ContentAnalysis",
    "ExtractedText",
    "TextKind",
    "analyse",
    "changed",
    "extract_text",
    "find_all",
    "find_evidence",
    "fingerprint",
    "fragment_found",
    "parse_evidence",
    "similarity",
]


@dataclass(frozen=True)
class ContentAnalysis:
    """What the content of one fetched document showed.

    ``text_fragment`` is None when the URL has no text directive, False when the text
    does not hold it or cannot be read. ``fingerprint`` is None for unreadable content.
    """

    extracted: ExtractedText
    fingerprint: str | None
    findings: tuple[ClaimFinding, ...]
    text_fragment: bool | None
    # Claims not found in a text read only in part (see ExtractedText.partial): they
    # may be in the rest, so they are neither found nor missing.
    unchecked: tuple[str, ...] = ()

    @property
    def unreadable(self) -> str | None:
        """Why no text could be read, or None."""
        return self.extracted.unreadable

    @property
    def missing(self) -> tuple[str, ...]:
        """Ids of the claims, not lenient, whose evidence was not found."""
        return tuple(f.claim_id for f in self.findings if not f.found and not f.lenient)

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per lenient claim whose evidence was not found, and one for the
        claims a text read in part leaves unchecked."""
        lines = [
            f"claim {f.claim_id} not found (lenient)"
            for f in self.findings
            if not f.found and f.lenient
        ]
        if self.unchecked:
            ids = ", ".join(self.unchecked)
            lines.append(
                f"claim{'s' if len(self.unchecked) > 1 else ''} {ids} not checked: "
                f"not in the text read ({self.extracted.partial})"
            )
        return tuple(lines)


def analyse(
    body: bytes, content_type: str | None, url: str, claims: Sequence[ClaimSpec]
) -> ContentAnalysis:
    """Read ``body`` (served as ``content_type`` from ``url``) and report on ``claims``
    and on the URL's text fragment.

    Evidence is searched in the main text first; an HTML page's full visible text
    (sidebars, fact boxes) is searched for what the main text lacks. Unreadable
    content yields no finding: its claims are not checked, neither found nor missing;
    so are the claims not found in a text read only in part.
    """
    extracted = extract_text(body, content_type, url)
    if extracted.unreadable is not None:
        fragment = False if has_text_directive(url) else None
        return ContentAnalysis(extracted, None, (), fragment)
    findings: tuple[ClaimFinding, ...] = ()
    if claims:  # indexing the text for search is the costly part of reading a page
        pdf = extracted.kind is TextKind.PDF
        search = SearchText(extracted.text, paragraphs=not pdf, glued_markers=pdf)
        findings = find_all(search, claims)
    full_text = extracted.full_text
    if full_text and full_text != extracted.text and not all(f.found for f in findings):
        findings = _second_look(findings, claims, SearchText(full_text))
    # Last, what the page collapses (accordion panels, tabs): a click shows it.
    revealed = extracted.revealed_text
    if revealed and not all(f.found for f in findings):
        findings = _second_look(findings, claims, SearchText(revealed))
    unchecked: tuple[str, ...] = ()
    if extracted.partial is not None:
        unchecked = tuple(f.claim_id for f in findings if not f.found)
        findings = tuple(f for f in findings if f.found)
    return ContentAnalysis(
        extracted,
        fingerprint(extracted.text),
        findings,
        fragment_found(full_text or extracted.text, url),
        unchecked,
    )


def _second_look(
    findings: tuple[ClaimFinding, ...], claims: Sequence[ClaimSpec], full: SearchText
) -> tuple[ClaimFinding, ...]:
    better: list[ClaimFinding] = []
    for finding, claim in zip(findings, claims, strict=True):
        if finding.found:
            better.append(finding)
            continue
        again = find_evidence(full, claim)
        better.append(
            again if again.found or (again.score or 0) > (finding.score or 0) else finding
        )
    return tuple(better)
