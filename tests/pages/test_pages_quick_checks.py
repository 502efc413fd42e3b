"""Pages judged through the quick paths: a wording or marker is found however it is
written, and an ordinary long page is passed over."""

from __future__ import annotations

import pytest

from checks.anchors import anchor_ids
from checks.botwall import challenge_reason
from checks.soft404 import PageSummary, parked_reason, soft404_reason

URL = "https://www.example.gov/reports/2019/annual-report"
_SENTENCES = (
    "The department publishes this report to document how its programmes reached "
    "families. Figures below come from the annual survey and the statistics office. "
)


def long_page(extra: str = "", paragraphs: int = 300) -> str:
    """An ordinary page of about 50 KB, ``extra`` markup at its very end."""
    body = "".join(f"<p>{_SENTENCES}(note {k})</p>" for k in range(paragraphs))
    return f"<html><head><title>Annual report</title></head><body>{body}{extra}</body></html>"


# --- bot walls ---


@pytest.mark.parametrize(
    ("status", "html", "vendor"),
    [
        (403, "<html><body><script>window._CF_CHL_OPT={}</script></body></html>", "Cloudflare"),
        (200, "<p>Sorry, YOU HAVE BEEN BLOCKED</p>", "Cloudflare"),
        (200, "<script src='https://CT.CAPTCHA-DELIVERY.COM/c.js'></script>", "DataDome"),
        (200, "<div id='PX-CAPTCHA'></div>", "PerimeterX/HUMAN"),
        (200, "<script src='/_INCAPSULA_RESOURCE?x=1'></script>", "Imperva Incapsula"),
        (202, "<script>AwsWafIntegration.getToken()</script>", "AWS WAF"),
        (403, "<p>Sucuri WebSite Firewall - Access Denied</p>", "Sucuri"),
        (200, "<h1>Please verify you are a HUMAN</h1>", "human verification"),
        (200, "<p>Press &amp; Hold to confirm</p>", "human verification"),
        (200, "<div class='CF-TURNSTILE'></div>", "CAPTCHA"),
    ],
)
def test_markers_are_found_in_any_letter_case(status: int, html: str, vendor: str) -> None:
    assert challenge_reason(status, {}, html) == f"bot challenge ({vendor})"


@pytest.mark.parametrize(
    ("html", "vendor"),
    [
        # IGNORECASE reads the dotted capital I, the dotless i, the long s and the
        # Kelvin sign as i, i, s and k, where lower-casing does not.
        ("<p>\u0130ncapsula incident ID: 1234</p>", "Imperva Incapsula"),
        ("<p>\u017fucuri website firewall</p>", "Sucuri"),
        ("<p>Verify\u0131ng that you are human</p>", "human verification"),
        ("<p>Chec\u212aing your browser before accessing the site</p>", "human verification"),
    ],
)
def test_markers_in_letters_that_only_match_without_case_are_found(html: str, vendor: str) -> None:
    assert challenge_reason(403, {}, html) == f"bot challenge ({vendor})"


def test_an_ordinary_long_page_is_no_challenge() -> None:
    assert challenge_reason(200, {"Server": "cloudflare"}, long_page()) is None


def test_a_page_about_human_services_is_no_challenge() -> None:
    html = "<h1>Health and Human Services</h1><p>Verify your eligibility online.</p>"
    assert challenge_reason(200, {}, html) is None


def test_a_marker_at_the_end_of_a_long_script_only_page_is_found() -> None:
    script = "<script>" + "var a = 1;\n" * 15000 + "</script>"
    html = f"<html><head>{script}</head><body><div id='cf-chl-widget'></div></body></html>"
    assert challenge_reason(403, {}, html) == "bot challenge (Cloudflare)"


# --- soft 404 wording ---


@pytest.mark.parametrize(
    "sentence",
    [
        "The page you requested does not exist.",
        "Sorry, this document has been permanently removed.",
        "We couldn't find the page you were looking for.",
        "Nothing was found at this location.",
        "Cette page n'existe plus.",
        "Le document a été supprimé.",
        "La página ya no está disponible.",
        "Este documento ha sido eliminado.",
        "Este documento já não está mais disponível.",
        "O arquivo foi removido.",
        "Die Seite wurde leider nicht gefunden.",
        "Das Dokument ist nicht mehr verfügbar.",
        "Il documento è stato rimosso.",
        "Questa pagina non esiste più.",
        "Deze pagina is niet meer beschikbaar.",
        "Het document is verwijderd.",
    ],
)
def test_not_found_wording_in_every_language_is_read(sentence: str) -> None:
    text = f"Annual report\n{sentence} Please use the search."
    assert soft404_reason(URL, URL, 200, "Annual report", text) is not None


def test_a_page_that_only_mentions_statistics_is_not_a_soft_404() -> None:
    text = "The statistics office publishes the figures. Find out more below."
    assert soft404_reason(URL, URL, 200, "Figures", text) is None


@pytest.mark.parametrize(("words", "found"), [(250, True), (251, False)])
def test_wording_anywhere_counts_on_pages_of_at_most_250_words(words: int, found: bool) -> None:
    # One long line, so only the rule for wording anywhere in the text applies.
    wording = "the file you asked for does not exist"
    text = " ".join(["word"] * (words - len(wording.split()))) + " " + wording
    reason = soft404_reason(URL, URL, 200, "Report", text)
    assert (reason is not None) is found


def test_a_long_ordinary_page_is_no_soft_404() -> None:
    text = "\n".join(f"{_SENTENCES}(note {k})" for k in range(300))
    assert soft404_reason(URL, URL, 200, "Annual report", text, html=long_page()) is None


# --- parked domains ---


@pytest.mark.parametrize(
    "marker",
    [
        "<div DATA-ADBLOCKKEY='MFww'></div>",
        "<div data-adblock\u212aey='MFww'></div>",
        "<script>window.location.replace('/LANDER')</script>",
    ],
)
def test_parking_lander_code_is_found_in_any_letter_case(marker: str) -> None:
    html = long_page(marker)
    text = "\n".join(f"{_SENTENCES}(note {k})" for k in range(300))
    assert parked_reason(text, html, {}, URL) == (
        "parked or for-sale domain (parking-service lander)"
    )


@pytest.mark.parametrize(
    "link", ["https://SEDO.COM/search?d=x", "https://www.bod\u0131s.com/", "https://dan.com/x"]
)
def test_a_bare_page_linking_to_a_parking_service_is_parked(link: str) -> None:
    html = f"<html><body><a href='{link}'>Inquire</a></body></html>"
    assert parked_reason("Inquire", html, {}, URL) == (
        "parked or for-sale domain (links to a domain-parking or sales service)"
    )


def test_a_bare_page_without_parking_links_is_not_parked() -> None:
    html = "<html><body><a href='https://www.example.gov/'>Home</a></body></html>"
    assert parked_reason("Home", html, {}, URL) is None


def test_the_site_naming_itself_for_sale_is_parked() -> None:
    text = "www.example.gov is for sale! Contact us."
    assert parked_reason(text, "<p>x</p>", {}, URL) == (
        'parked or for-sale domain (page says "www.example.gov is for sale")'
    )


# --- catch-all summaries and anchors ---


def test_a_catch_all_summary_leaves_out_echoed_and_random_words() -> None:
    # Left out: words of the URL's path, a random token, digits, a URL.
    text = "Archive archive-page Qwrtzplkmnbvcxz 2019 Archive, http://x.y/z Word annual"
    summary = PageSummary.of(200, URL, " Annual   report ", text)
    assert summary.title == "Annual report"
    # "archive archive-page archive word", hashed
    assert summary.length == 33
    assert summary.text_fingerprint == "d20ffa39a08ac0710d7996151b3b9259"


def test_ids_beside_the_root_element_are_not_targets() -> None:
    html = (
        "<html><body><p id='in'>x</p><a NAME='named'>y</a><p name='no'>z</p>"
        "<p id=''>empty</p><!-- <p id='comment'> --></body></html><p id='after'>late</p>"
    )
    assert anchor_ids(html) == frozenset({"in", "named"})
