"""Parked and for-sale domains, and pages that only talk about parking or domains."""

from __future__ import annotations

import pytest
from requests.structures import CaseInsensitiveDict

from checks.soft404 import parked_reason
from tests.pages.conftest import LoadPage, ReadHtml

URL = "https://csec-coalition.org/reports/2019"


@pytest.mark.parametrize(
    ("fixture", "final_url", "evidence"),
    [
        ("parked-sedo.html", URL, "lander"),
        ("parked-godaddy-lander.html", URL, "lander"),
        ("parked-godaddy-classic.html", URL, "parked"),
        ("parked-for-sale.html", "https://www.youthservicesnetwork.org/", "is for sale"),
        ("parked-related-searches.html", URL, "sponsored listings"),
    ],
)
def test_stored_parked_pages_are_flagged(
    load_page: LoadPage, fixture: str, final_url: str, evidence: str
) -> None:
    page = load_page(fixture)
    reason = parked_reason(page.text, page.html, {}, final_url)
    assert reason is not None
    assert reason.startswith("parked or for-sale domain")
    assert evidence in reason


@pytest.mark.parametrize(
    "final_url",
    [
        "https://sedo.com/search/details/?domain=csec-coalition.org",
        "https://www.hugedomains.com/domain_profile.cfm?d=csec-coalition.org",
        "https://dan.com/buy-domain/csec-coalition.org",
        "https://www.afternic.com/forsale/csec-coalition.org?traffic_id=daslnc",
        "https://forsale.godaddy.com/forsale/csec-coalition.org",
        "https://www.bodis.com/",
        "https://park.above.com/csec-coalition.org",
        "http://ww25.csec-coalition.org/reports/2019?subid1=20250301-0915-35a1-8b0e",
    ],
)
def test_redirect_to_a_parking_or_sales_service_is_flagged(final_url: str) -> None:
    reason = parked_reason("", "<html></html>", {}, final_url)
    assert reason is not None and reason.startswith("parked or for-sale domain")


def test_service_name_is_reported() -> None:
    reason = parked_reason("", "", {}, "https://www.hugedomains.com/domain_profile.cfm?d=x.org")
    assert reason == "parked or for-sale domain (redirected to hugedomains.com)"


def test_a_citation_of_the_marketplace_itself_is_not_parked() -> None:
    url = "https://sedo.com/us/about-us/"
    text = "About Sedo\nSedo is a marketplace for buying and selling domain names."
    assert parked_reason(text, "<html></html>", {}, url, requested_url=url) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Refresh": "0; url=http://www.sedoparking.com/csec-coalition.org"},
        CaseInsensitiveDict({"location": "https://parkingcrew.net/lander?d=csec-coalition.org"}),
    ],
)
def test_parking_service_in_a_header_is_flagged(headers: dict[str, str]) -> None:
    assert parked_reason("", "<html></html>", headers, URL) is not None


@pytest.mark.parametrize(
    "text",
    [
        "csec-coalition.org\nThis domain is for sale!\nContact us",
        "The domain name csec-coalition.org may be for sale. Click here to inquire.",
        "Buy this domain\nThe owner of csec-coalition.org is offering it for sale.",
        "This domain is parked free, courtesy of a registrar.",
        "The domain csec-coalition.org has been parked.",
    ],
)
def test_for_sale_wording_on_a_short_page_is_flagged(text: str) -> None:
    assert parked_reason(text, "<html><body></body></html>", {}, URL) is not None


@pytest.mark.parametrize(
    "fixture",
    [
        "city-parking.html",  # parking cars, permits "for sale"
        "domain-investing-blog.html",  # links to Sedo and Afternic in a short post
        "article-link-rot-long.html",
        "county-404.html",
        "wordpress-404.html",
    ],
)
def test_ordinary_pages_are_not_parked(load_page: LoadPage, fixture: str) -> None:
    page = load_page(fixture)
    assert parked_reason(page.text, page.html, {"Server": "nginx"}, URL) is None


def test_news_of_another_domain_for_sale_is_not_parked(read_html: ReadHtml) -> None:
    page = read_html(
        "<html><head><title>Listings site cars.com is for sale, owner says</title></head>"
        "<body><h1>Cars.com is for sale, owner says</h1><p>The company hired bankers to "
        "explore a sale of the listings site, people familiar with the matter said.</p>"
        "</body></html>"
    )
    assert parked_reason(page.text, page.html, {}, "https://news.example.com/2025/cars") is None
    on_itself = parked_reason(page.text, page.html, {}, "https://www.cars.com/")
    assert on_itself is not None and "cars.com is for sale" in on_itself


def test_for_sale_wording_in_a_long_article_is_not_parked(read_html: ReadHtml) -> None:
    paragraph = (
        "<p>When a campaign ends, its website often outlives it. Registrars send renewal "
        "notices for years, and eventually someone stops paying. The domain then passes to a "
        "speculator, and visitors who follow an old link see a placeholder instead.</p>"
    )
    quote = "<blockquote>This domain is for sale. Buy this domain today!</blockquote>"
    page = read_html(f"<html><body><h1>Dead campaigns</h1>{paragraph * 15}{quote}</body></html>")
    assert len(page.text.split()) > 500
    assert parked_reason(page.text, page.html, {}, URL) is None


def test_parked_domain_ads_count_only_on_a_bare_page(read_html: ReadHtml) -> None:
    script = '<script src="//www.google.com/adsense/domains/caf.js"></script>'
    bare = read_html(f"<html><head>{script}</head><body><div id='ads'></div></body></html>")
    assert parked_reason(bare.text, bare.html, {}, URL) == (
        "parked or for-sale domain (parked-domain ads)"
    )
    article = "<p>" + "The county opened two new youth shelters this year. " * 40 + "</p>"
    page = read_html(f"<html><head>{script}</head><body>{article}</body></html>")
    assert parked_reason(page.text, page.html, {}, URL) is None


def test_lander_code_counts_on_any_page(read_html: ReadHtml) -> None:
    # The marker is code only parking landers serve, so the page length does not matter.
    body = "<p>" + "Sponsored results for youth services. " * 200 + "</p>"
    html = f'<html data-adblockkey="MFwwDQYJKoZ"><head></head><body>{body}</body></html>'
    page = read_html(html)
    assert parked_reason(page.text, page.html, {}, URL) is not None
