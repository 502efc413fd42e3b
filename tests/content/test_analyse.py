"""The entry point: one fetched body, its claims and its URL in, one report out."""

from __future__ import annotations

from checks.content import ContentAnalysis, TextKind, analyse
from checks.content.drift import changed, similarity
from checks.model import ClaimSpec
from tests.content.pdfs import drawing_pdf, encrypted, scanned_pdf, text_pdf

URL = "https://www.example.org/reports/csec.html"
SOLD = ClaimSpec("sold-per-year", "100,000")
AT_RISK = ClaimSpec("at-risk", "300,000")
ABUSE = ClaimSpec("abuse", '95% of "teen prostitutes"', lenient=True)

INTRO = (
    "The county approved a multi-agency response model in 2013 to combat the sex "
    "trafficking of children, with probation, child and family services, mental health, "
    "public health and the sheriff working on an implementation plan."
)
OUTRO = (
    "A specialised court supervises and supports youth identified as victims, in "
    "placement and in the community, and officers provide intensive supervision."
)


def page(figure: str = "100,000", intro: str = INTRO) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>CSEC facts</title></head><body>"
        "<nav>Home Reports Contact</nav><main>"
        f"<p>{intro}</p>"
        f"<p>Recent statistics estimate that <strong>{figure}</strong> children are sold "
        "for sex each year within the United States.</p>"
        "<p>It is further estimated that 300,000 U.S. children are at risk.</p>"
        f"<p>{OUTRO}</p></main></body></html>"
    ).encode()


def run(
    body: bytes, *claims: ClaimSpec, url: str = URL, ctype: str = "text/html"
) -> ContentAnalysis:
    return analyse(body, ctype, url, claims)


def test_every_claim_found_in_html() -> None:
    analysis = run(page(), SOLD, AT_RISK)
    assert [f.found for f in analysis.findings] == [True, True]
    assert analysis.findings[0].sentence == (
        "Recent statistics estimate that 100,000 children are sold for sex each year "
        "within the United States."
    )
    assert (analysis.missing, analysis.warnings, analysis.unreadable) == ((), (), None)
    assert analysis.extracted.title == "CSEC facts"
    assert analysis.fingerprint is not None
    assert analysis.text_fragment is None


def test_figure_changed_is_missing() -> None:
    before, after = run(page(), SOLD), run(page(figure="120,000"), SOLD)
    assert before.findings[0].found
    assert not after.findings[0].found
    assert after.missing == ("sold-per-year",)
    assert before.fingerprint is not None and after.fingerprint is not None
    # A one-figure edit barely moves the page: the claim check, not the score, catches it.
    assert changed(before.fingerprint, after.fingerprint)


def test_only_surrounding_text_changed() -> None:
    reworded = INTRO.replace("approved a multi-agency", "adopted a county-wide")
    before, after = run(page(), SOLD, AT_RISK), run(page(intro=reworded), SOLD, AT_RISK)
    assert all(f.found for f in after.findings)
    assert before.fingerprint is not None and after.fingerprint is not None
    assert before.fingerprint != after.fingerprint
    assert 0.7 < similarity(before.fingerprint, after.fingerprint) < 1.0


def test_navigation_changes_do_not_change_the_fingerprint() -> None:
    other_nav = page().replace(b"Home Reports Contact", b"Start About News Jobs")
    assert run(page()).fingerprint == run(other_nav).fingerprint


def test_lenient_claim_not_found_is_a_warning() -> None:
    analysis = run(page(), SOLD, ABUSE)
    assert analysis.missing == ()
    assert analysis.warnings == ("claim abuse not found (lenient)",)
    assert analysis.findings[1].lenient


def test_evidence_in_a_sidebar_is_found_but_not_in_navigation() -> None:
    body = (
        b"<html><body><nav>Stats: 326,000</nav><main><p>Article text about services.</p>"
        b"</main><aside>Fact box: 95% of teen prostitutes were abused.</aside></body></html>"
    )
    analysis = run(body, ClaimSpec("nav-only", "326,000"), ClaimSpec("aside", "95%"))
    assert [f.found for f in analysis.findings] == [False, True]
    assert analysis.findings[1].sentence == "Fact box: 95% of teen prostitutes were abused."
    assert analysis.extracted.text == "Article text about services."


def test_text_fragment_is_checked() -> None:
    found = run(page(), url=f"{URL}#:~:text=children%20are%20sold,-for%20sex")
    missing = run(page(), url=f"{URL}#:~:text=children%20are%20bought")
    assert (found.text_fragment, missing.text_fragment) == (True, False)


def test_pdf_with_figures_split_across_lines() -> None:
    body = text_pdf(
        "Recent statistics estimate that 100\n000 children are sold for sex each year.\n"
        "Losses reached 1.5\nmillion dollars. They are at risk of commercial sexual exploi-\n"
        "tation in the\ncountry.",
        "Second page.",
    )
    claims = (
        SOLD,
        ClaimSpec("losses", "1,500,000"),
        ClaimSpec("quote", "at risk of commercial sexual exploitation in the country"),
    )
    analysis = run(body, *claims, url="https://example.org/r.pdf", ctype="application/pdf")
    assert analysis.extracted.kind is TextKind.PDF
    assert analysis.extracted.pages == 2
    assert [(f.found, f.method) for f in analysis.findings] == [
        (True, "number"),
        (True, "number"),
        (True, "exact"),
    ]
    assert analysis.findings[0].sentence == (
        "Recent statistics estimate that 100 000 children are sold for sex each year."
    )


def test_pdf_wrapped_by_the_layout() -> None:
    sentence = (
        "It is further estimated that 300,000 U.S. children are at risk for becoming "
        "victims of commercial sexual exploitation within the United States of America."
    )
    body = text_pdf(sentence, width=60)
    analysis = run(
        body,
        AT_RISK,
        ClaimSpec("quote", "children are at risk for becoming victims of commercial sexual"),
        ctype="application/pdf",
    )
    assert "\n" in analysis.extracted.text  # wrapped over several lines
    assert all(f.found for f in analysis.findings)
    assert analysis.findings[1].sentence == sentence


def test_unreadable_pdf_leaves_every_claim_unchecked() -> None:
    # Not "not found in the source": nothing in it could be read.
    for body, reason in (
        (drawing_pdf(), "PDF has no text layer (scanned?)"),
        (encrypted(text_pdf("100,000 children."), "secret"), "encrypted PDF"),
    ):
        analysis = run(body, SOLD, ABUSE, url=f"{URL}#:~:text=children", ctype="application/pdf")
        assert analysis.unreadable == reason
        assert analysis.findings == ()
        assert analysis.fingerprint is None
        assert analysis.missing == ()
        assert analysis.warnings == ()
        assert analysis.text_fragment is False
    assert run(drawing_pdf(), ctype="application/pdf").text_fragment is None


def test_claims_not_in_a_partly_scanned_pdf_are_unchecked_not_missing() -> None:
    typed = "Recent statistics estimate that 100,000 children are sold for sex each year."
    body = scanned_pdf(typed, None, INTRO, OUTRO, typed)
    analysis = run(body, SOLD, AT_RISK, ctype="application/pdf")
    assert analysis.unreadable is None
    assert [(f.claim_id, f.found) for f in analysis.findings] == [("sold-per-year", True)]
    assert analysis.unchecked == ("at-risk",)
    assert analysis.missing == ()
    assert analysis.warnings == (
        "claim at-risk not checked: not in the text read "
        "(PDF has no text layer on 1 of 5 pages (scanned?))",
    )


def test_a_pdf_footnote_marker_run_into_a_figure_does_not_hide_it() -> None:
    # A superscript note marker comes out of a PDF's text layer as plain digits.
    body = text_pdf("Recent statistics estimate that 100,00012 children are sold each year.")
    analysis = run(body, SOLD, ctype="application/pdf")
    assert [(f.found, f.method) for f in analysis.findings] == [(True, "number")]
    # On a web page the marker is markup (<sup>), and digits run together are a number.
    html = b"<p>Recent statistics estimate that 100,00012 children are sold each year.</p>"
    assert run(html, SOLD).missing == ("sold-per-year",)


def test_a_pdf_figure_never_matches_inside_a_longer_grouped_number() -> None:
    body = text_pdf("A total of 1,100,00012 children and 2,100,000 adults were counted.")
    assert run(body, SOLD, ctype="application/pdf").missing == ("sold-per-year",)


def test_evidence_in_a_collapsed_panel_is_found() -> None:
    body = (
        b"<html><body><main><h2>Data</h2><button aria-expanded='false'>Figures</button>"
        b"<div hidden><p>An estimated 100,000 children are sold each year.</p></div>"
        b"</main></body></html>"
    )
    analysis = run(body, SOLD, AT_RISK)
    assert [(f.claim_id, f.found) for f in analysis.findings] == [
        ("sold-per-year", True),
        ("at-risk", False),
    ]
    assert analysis.findings[0].sentence == "An estimated 100,000 children are sold each year."


def test_a_page_its_scripts_write_cannot_be_checked() -> None:
    body = (
        b"<!doctype html><html><head><title>Reports</title></head><body>"
        b"<noscript>You need to enable JavaScript to run this app.</noscript>"
        b"<div id='root'></div><script src='/static/js/main.js'></script></body></html>"
    )
    analysis = run(body, SOLD)
    assert analysis.unreadable == "no text without JavaScript (the page is built by its scripts)"
    assert (analysis.findings, analysis.missing) == ((), ())


def test_a_short_page_without_scripts_is_still_read() -> None:
    analysis = run(b"<html><body><p>Gone.</p></body></html>", SOLD)
    assert analysis.unreadable is None
    assert analysis.missing == ("sold-per-year",)


def test_no_claims_still_fingerprints() -> None:
    analysis = run(page())
    assert analysis.findings == ()
    assert analysis.fingerprint is not None and analysis.fingerprint.startswith("v1:")
