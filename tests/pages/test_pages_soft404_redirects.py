"""Where a redirect ended: a generic page stands in for a gone one; a tidy-up does not."""

from __future__ import annotations

import pytest

from checks.soft404 import soft404_reason

ARTICLE = "Annual report 2019\nChildren and families served by the county in 2019."


def reason(requested: str, final: str) -> str | None:
    return soft404_reason(requested, final, 200, "Annual report 2019", ARTICLE)


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        ("https://example.gov/reports/2019", "https://example.gov/reports/2019/"),
        ("https://example.gov/reports/2019/", "https://example.gov/reports/2019"),
        ("http://example.gov/reports/2019.pdf", "https://example.gov/reports/2019.pdf"),
        ("https://example.gov/reports/2019", "https://www.example.gov/reports/2019"),
        ("http://example.gov/reports/2019", "https://www.example.gov/reports/2019/"),
        ("https://www.example.gov/reports/2019", "https://example.gov/reports/2019"),
        ("https://EXAMPLE.gov:443/reports/2019", "https://example.gov/reports/2019"),
        ("https://example.gov/reports/2019", "https://example.gov/reports/2019/index.html"),
        ("https://example.gov/", "https://example.gov/home"),
        ("https://example.gov", "https://example.gov/en/"),
        ("https://example.gov/index.html", "https://example.gov/"),
        ("https://example.gov/?utm_source=newsletter", "https://example.gov/"),
        ("https://example.gov/reports/2019", "https://example.gov/publications/annual-report-2019"),
        ("https://example.gov/reports?id=7", "https://example.gov/reports/annual-2019"),
        ("https://example.gov/search?q=foster+care", "https://example.gov/search/?q=foster+care"),
        ("https://example.gov/login", "https://example.gov/login/"),
        ("https://bit.ly/3xYzAbc", "https://www.example.gov/"),
        ("https://doi.org/10.1000/xyz123", "https://journal.example.org/"),
        ("https://example.gov/careers", "https://careers.example.gov/"),
        (
            "https://example.gov/out?url=https://partner.example.org/",
            "https://partner.example.org/",
        ),
        ("https://example.gov/docs/errors", "https://example.gov/docs/error-codes"),
        ("https://example.gov/reports/ai-2024", "https://example.gov/ai"),
        ("https://example.gov/docs/api/auth-guide", "https://example.gov/docs/api/oauth/overview"),
    ],
)
def test_tidy_redirects_are_not_soft_404s(requested: str, final: str) -> None:
    assert reason(requested, final) is None


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        ("https://example.gov/reports/2019/annual.pdf", "https://example.gov/"),
        ("http://example.gov/reports/2019/annual.pdf", "https://www.example.gov/"),
        (
            "https://example.gov/oig/reports/FBI/a0908/final.pdf",
            "https://www.example.gov/index.html",
        ),
        ("https://example.gov/reports/2019", "https://example.gov/home"),
        ("https://example.gov/reports/2019", "https://example.gov/en/"),
        ("https://example.gov/reports/2019", "https://example.gov/en-us/home"),
        ("https://example.gov/reports/2019", "https://example.gov/default.aspx"),
        ("https://example.gov/page.aspx?id=42", "https://example.gov/"),
        ("https://example.gov/?p=1234", "https://example.gov/?lang=en"),
        ("https://old-agency.example.gov/csec/facts", "https://new-agency.example.gov/"),
    ],
)
def test_deep_link_to_home_page_is_flagged(requested: str, final: str) -> None:
    got = reason(requested, final)
    assert got is not None and "home page" in got


@pytest.mark.parametrize(
    "final",
    [
        "https://example.gov/404",
        "https://example.gov/404.html",
        "https://example.gov/error",
        "https://example.gov/errors/404",
        "https://example.gov/not-found",
        "https://example.gov/page-not-found/",
        "https://example.gov/Error.aspx?aspxerrorpath=/reports/2019",
        "https://example.gov/?error=404",
    ],
)
def test_redirect_to_an_error_page_is_flagged(final: str) -> None:
    got = reason("https://example.gov/reports/2019", final)
    assert got is not None and "error page" in got


@pytest.mark.parametrize(
    "final",
    [
        "https://example.gov/search",
        "https://example.gov/search?q=annual+report",
        "https://example.gov/search/results?query=annual",
        "https://example.gov/?s=annual-report",
    ],
)
def test_redirect_to_a_search_page_is_flagged(final: str) -> None:
    got = reason("https://example.gov/reports/annual-report", final)
    assert got is not None and "search page" in got


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        ("https://example.gov/reports/2019", "https://example.gov/login?next=/reports/2019"),
        ("https://example.gov/reports/2019", "https://example.gov/users/sign_in"),
        ("https://example.gov/reports/2019", "https://example.gov/Account/Login.aspx?ReturnUrl=x"),
        ("https://example.gov/reports/2019", "https://example.gov/wp-login.php?redirect_to=x"),
        (
            "https://example.gov/reports/2019",
            "https://login.microsoftonline.com/common/oauth2/authorize",
        ),
        (
            "https://docs.example.com/d/abc/edit",
            "https://accounts.example.com/ServiceLogin?continue=x",
        ),
        ("https://intranet.example.gov/", "https://sso.example.gov/idp/profile/SAML2/Redirect/SSO"),
    ],
)
def test_redirect_to_a_login_page_is_flagged(requested: str, final: str) -> None:
    got = reason(requested, final)
    assert got is not None and got.startswith("redirected to a login page")


def test_the_reason_names_where_the_redirect_ended() -> None:
    got = reason("https://example.gov/reports/2019/annual.pdf", "https://www.example.gov/")
    assert got == "a deep link was redirected to the site's home page (example.gov/)"


def test_redirect_evidence_wins_over_page_wording() -> None:
    got = soft404_reason(
        "https://example.gov/reports/2019", "https://example.gov/", 200, "Page not found", ""
    )
    assert got is not None and "home page" in got


def test_malformed_urls_are_left_alone() -> None:
    assert reason("https://[broken/reports", "https://example.gov/") is None
