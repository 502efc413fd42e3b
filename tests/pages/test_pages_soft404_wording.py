"""Pages that answer 200 but say the cited page is gone, and pages that only talk about it."""

from __future__ import annotations

import pytest

from checks.soft404 import soft404_reason
from tests.pages.conftest import LoadPage, ReadHtml

URL = "https://www.example.gov/reports/2019/annual-report"


def flatten(text: str) -> str:
    """Text as an extractor that drops line breaks would give it."""
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("fixture", "where"),
    [
        ("wordpress-404.html", "title"),
        ("county-404.html", "title"),
        ("news-404-long.html", "title"),
        ("iis-removed.html", "text"),
        ("french-404.html", "title"),
        ("german-404.html", "text"),
        ("spanish-404.html", "text"),
    ],
)
def test_stored_not_found_pages_are_soft_404s(
    load_page: LoadPage, fixture: str, where: str
) -> None:
    page = load_page(fixture)
    reason = soft404_reason(URL, URL, 200, page.title, page.text)
    assert reason is not None
    assert f"({where}:" in reason


@pytest.mark.parametrize(
    "fixture",
    [
        "wordpress-404.html",
        "county-404.html",
        "iis-removed.html",
        "french-404.html",
        "german-404.html",
        "spanish-404.html",
    ],
)
def test_short_not_found_pages_need_no_line_breaks(load_page: LoadPage, fixture: str) -> None:
    page = load_page(fixture)
    assert soft404_reason(URL, URL, 200, page.title, flatten(page.text)) is not None


def test_long_not_found_page_needs_a_second_voice(load_page: LoadPage) -> None:
    # Over 1,500 words of "most popular" stories: the title "404" alone is not enough,
    # but the heading saying "Sorry, we can't find that page" confirms it.
    page = load_page("news-404-long.html")
    assert len(page.text.split()) > 1500
    flat = flatten(page.text)
    assert soft404_reason(URL, URL, 200, page.title, flat) is None
    reason = soft404_reason(URL, URL, 200, page.title, flat, html=page.html)
    assert reason is not None and "404 | The Daily Example" in reason


def test_heading_counts_when_html_is_given(read_html: ReadHtml) -> None:
    page = read_html(
        "<html><head><title>Ministry of Health</title></head><body>"
        "<nav>Home News Publications Contact</nav>"
        "<h1>Page not found</h1><p>Try the search box above.</p></body></html>"
    )
    flat = flatten(page.text)
    reason = soft404_reason(URL, URL, 200, page.title, flat, html=page.html)
    assert reason == 'page reads as "not found" (heading: "Page not found")'


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("404 Not Found", "Not Found\nThe requested URL /reports/x was not found on this server."),
        ("Error 404 (Not Found)!!1", "404. That's an error.\nThat's all we know."),
        ("Oops! That page can’t be found. – Example", "Home\nAbout\nContact"),
        ("Example", "Home\nAbout\nSorry, this page isn't available.\nGo back"),
        ("Example", "We couldn't find the page you were looking for."),
        ("Example", "The document you requested is no longer available."),
        ("Example", "This page does not exist. Check the address and try again."),
        ("Example", "Home\nThe page you requested was not found.\nSearch"),
        ("Example", "Home\nHmm, this page is missing.\nSearch"),
        ("Example", "It looks like nothing was found at this location. Maybe try a search?"),
        ("Página no encontrada", "Inicio\nContacto"),
        ("Example", "Lo sentimos, la página que buscas no existe."),
        ("Page introuvable", "Accueil"),
        ("Example", "Cette page n'existe plus."),
        ("Seite nicht gefunden", "Startseite"),
        ("Example", "Die angeforderte Seite konnte nicht gefunden werden."),
        ("Página não encontrada - Governo", "Início"),
        ("Example", "A página que você procura não foi encontrada."),
        ("Pagina non trovata", "Home"),
        ("Example", "La pagina che stai cercando non esiste più."),
        ("Pagina niet gevonden", "Home"),
        ("Example", "De pagina die je zoekt bestaat niet meer."),
    ],
)
def test_not_found_wording_in_several_languages(title: str, text: str) -> None:
    assert soft404_reason(URL, URL, 200, title, text) is not None


@pytest.mark.parametrize(
    "fixture",
    [
        "article-fixing-404.html",  # "How to fix a 404 page not found error"
        "article-link-rot-long.html",  # mentions "page not found" in a long article
        "news-brief-outage.html",  # reports that users saw "page not found"
        "documentary-not-found.html",  # a film called "Not Found"
    ],
)
def test_pages_about_missing_pages_are_not_soft_404s(load_page: LoadPage, fixture: str) -> None:
    page = load_page(fixture)
    assert soft404_reason(URL, URL, 200, page.title, page.text) is None
    assert soft404_reason(URL, URL, 200, page.title, flatten(page.text)) is None
    assert soft404_reason(URL, URL, 200, page.title, page.text, html=page.html) is None


def test_a_number_containing_404_in_the_path_does_not_hide_wording() -> None:
    url = "https://www.example.gov/node/14045"
    assert soft404_reason(url, url, 200, "Page not found | Example", "Home") is not None


def test_status_code_reference_page_is_not_a_soft_404(load_page: LoadPage) -> None:
    page = load_page("mdn-404.html")
    url = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404"
    assert soft404_reason(url, url, 200, page.title, page.text, html=page.html) is None


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Area code 404 turns 75 | Atlanta Daily", "Atlanta's original area code turns 75."),
        ("Article 13 has been removed from the copyright bill", "Lawmakers voted on Tuesday."),
        ("Annual report 2019", "The requested funding was not found in the budget."),
        ("Search results", "No results found for your query."),
        ("Annual report 2019", "Users saw a page not found error when the portal was down."),
        ("Annual report 2019", "Visitors got a 'page not found' message for two hours."),
        ("HTTP status codes explained", "404 Not Found\n500 Internal Server Error"),
        ("Page Not Found: 404 page design ideas", "Twenty creative error pages."),
    ],
)
def test_mentions_and_look_alikes_are_not_soft_404s(title: str, text: str) -> None:
    assert soft404_reason(URL, URL, 200, title, text) is None


def test_not_found_wording_in_a_long_article_is_ignored() -> None:
    paragraph = (
        "The county publishes its annual report every spring with figures on youth services, "
        "placements and outcomes, and this year the report adds a chapter on outreach. "
    )
    text = paragraph * 40 + "Sorry, the page you requested could not be found. " + paragraph * 5
    assert len(text.split()) > 600
    assert soft404_reason(URL, URL, 200, "Annual report 2019", text) is None


def test_short_page_body_wording_counts_only_while_short() -> None:
    sentence = "Sorry, the page you requested could not be found. "
    filler = "Read about our programs for children and families in the county. "
    short = "Home About Contact " + sentence + filler * 10
    long = "Home About Contact " + sentence + filler * 40
    assert soft404_reason(URL, URL, 200, "Example", short) is not None
    assert soft404_reason(URL, URL, 200, "Example", long) is None


@pytest.mark.parametrize("status", [301, 304, 403, 404, 410, 500])
def test_only_2xx_answers_are_judged(status: int) -> None:
    assert soft404_reason(URL, "https://www.example.gov/", status, "Page not found", "") is None


def test_untitled_empty_page_is_not_a_soft_404() -> None:
    assert soft404_reason(URL, URL, 200, None, "") is None
