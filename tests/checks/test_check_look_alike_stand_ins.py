"""Pages that only look like stand-ins for the source: a page moved for good to a URL
about maintenance or outages, a news brief about a website that went offline, a consent
redirect that went on to the page, a cited page about consent, and Spanish prose in
which "no se encuentra" means "is not". Each is read as the page it is."""

from __future__ import annotations

import pytest

from checks import botwall
from checks.botwall import maintenance_reason
from checks.model import ClaimSpec, Verdict
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply

RATE = (ClaimSpec(id="rate", evidence="4.2 percent"),)
LONG_PARAGRAPH = b"<p>" + b" ".join([b"Household survey estimates of road works."] * 40) + b"</p>"


def page(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
    ).encode()


# --- maintenance ---


def test_page_moved_for_good_to_a_maintenance_or_outage_url_is_moved(
    server: LoopbackServer, check: Check
) -> None:
    moves = {
        "/roads/maintenance/index.html": "/roads/maintenance/",
        "/reports/outage-statistics-2019.html": "/data/outage",
    }
    for cited, target in moves.items():
        server.route(cited, Reply(301, headers={"Location": target}))
        server.route(
            target,
            Reply(body=page("Road works", "<h1>Road works</h1>") + LONG_PARAGRAPH),
        )
        result = check(server.url(cited))
        assert result.verdict is Verdict.MOVED, result.reason
        assert result.suggested_url == server.url(target)


def test_temporary_redirect_to_the_cited_page_itself_is_no_maintenance_page(
    server: LoopbackServer, check: Check
) -> None:
    # The site names its pages by their directory: the page cited, not a notice.
    cited = "/roads/maintenance/index.html"
    server.route(cited, Reply(302, headers={"Location": "/roads/maintenance/"}))
    server.route("/roads/maintenance/", Reply(body=page("Road maintenance", "<p>Crews.</p>")))
    result = check(server.url(cited))
    assert result.verdict is Verdict.OK, result.reason


BRIEF = page(
    "State unemployment website is temporarily offline after surge in claims",
    "<h1>State unemployment website is temporarily offline after surge in claims</h1>"
    "<p>More than 100,000 residents filed claims on Monday, the labor department said."
    " Officials expect the site to return by Friday.</p>",
)


def test_news_brief_about_a_website_offline_is_read_as_a_page(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/news/2020/unemployment-site-offline", Reply(body=BRIEF))
    url = server.url("/news/2020/unemployment-site-offline")
    assert check(url).verdict is Verdict.OK
    claims = (ClaimSpec(id="claims", evidence="200,000 residents"),)
    assert check(url, claims=claims).verdict is Verdict.CLAIM_MISSING


def test_maintenance_wording_needs_the_site_itself_where_it_counts() -> None:
    cited = "https://www.example.org/news/2020/library"
    story = "Officials said the website is currently down for maintenance this weekend."
    assert maintenance_reason(cited, cited, [], "Library closes for the holidays", story) is None
    # The same words head a notice, or a page a temporary redirect sent the reader to.
    assert maintenance_reason(cited, cited, [], "Site Maintenance | County", story)
    assert maintenance_reason(cited, "https://www.example.org/down.html", [302], "County", story)
    assert (
        maintenance_reason(cited, "https://www.example.org/down.html", [301], "County", story)
        is None
    )


# --- consent walls ---


def test_consent_bounce_that_lands_on_the_moved_page_is_no_wall(
    server: LoopbackServer, check: Check
) -> None:
    consent = server.url("/copyConsent?sessionId=abc", host="guce.news.example")
    story = server.url("/news/story-123.html", host="news.example")
    server.route("/old-story", Reply(301, headers={"Location": consent}))
    server.route("/copyConsent", Reply(302, headers={"Location": story}))
    server.route("/news/story-123.html", Reply(body=REPORT))
    result = check(server.url("/old-story", host="news.example"))
    assert result.verdict is Verdict.OK, result.reason


def test_cited_page_about_consent_redirected_with_a_return_path_is_no_wall(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/research/consent/guidance",
        Reply(
            302,
            headers={
                "Location": "/en/research/consent/guidance?returnUrl=/research/consent/guidance"
            },
        ),
    )
    server.route("/en/research/consent/guidance", Reply(body=REPORT))
    result = check(server.url("/research/consent/guidance"))
    assert result.verdict is Verdict.OK, result.reason


def test_consent_url_serving_the_cited_claims_is_the_page(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/reports/2019",
        Reply(302, headers={"Location": "/cookie-consent?returnUrl=%2Freports%2F2019"}),
    )
    server.route("/cookie-consent", Reply(body=REPORT))
    assert check(server.url("/reports/2019"), claims=RATE).verdict is Verdict.OK
    assert check(server.url("/reports/2019")).verdict is Verdict.BLOCKED


# --- Spanish "no se encuentra" ---

ACUERDO = page(
    "Firman acuerdo contra la trata",
    "<h1>Firman acuerdo contra la trata</h1><p>El documento, que a\u00fan no se encuentra"
    " firmado por todas las partes, establece que el 12% de los fondos se destinar\u00e1 a"
    " refugios.</p>",
)
INFORME = page(
    "Informe anual",
    "<h1>Informe anual</h1><p>El contenido de este informe no se encuentra en otros"
    " idiomas. El 12% de los hogares est\u00e1 en pobreza.</p>",
)
FISCALIA = page(
    "Auditor\u00eda de casos",
    "<h1>Auditor\u00eda de casos</h1><p>La fiscal\u00eda inform\u00f3 que el archivo del"
    " caso no se encontr\u00f3. El 30% de los expedientes presenta faltantes.</p>",
)


def test_spanish_prose_saying_no_se_encuentra_is_no_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/noticias/acuerdo", Reply(body=ACUERDO))
    server.route("/informe", Reply(body=INFORME))
    twelve = (ClaimSpec(id="fondos", evidence="12%"),)
    for path in ("/noticias/acuerdo", "/informe"):
        assert check(server.url(path)).verdict is Verdict.OK
        assert check(server.url(path), claims=twelve).verdict is Verdict.OK


def test_not_found_wording_on_a_page_holding_its_claims_is_no_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/auditoria", Reply(body=FISCALIA))
    claims = (ClaimSpec(id="expedientes", evidence="30%"),)
    assert check(server.url("/auditoria"), claims=claims).verdict is Verdict.OK
    # Without a claim to read it by, the wording still stands.
    assert check(server.url("/auditoria")).verdict is Verdict.SOFT_404


def test_spanish_not_found_ending_its_sentence_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/es/informe.html",
        Reply(
            body=page(
                "Condado",
                "<p>Inicio</p><p>El documento solicitado no se encontr\u00f3 en este"
                " servidor.</p><p>Contacto</p>",
            )
        ),
    )
    assert check(server.url("/es/informe.html")).verdict is Verdict.SOFT_404


def test_spanish_page_not_available_ending_its_sentence_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/es/guia.html",
        Reply(
            body=page(
                "Condado",
                "<p>Inicio</p><p>La p\u00e1gina solicitada no se encuentra disponible."
                "</p><p>Contacto</p>",
            )
        ),
    )
    server.route(
        "/es/resumen.html",
        Reply(
            body=page(
                "Resumen",
                "<p>Este documento no est\u00e1 disponible en ingl\u00e9s; el resumen"
                " indica que el 12% de los casos se resolvieron.</p>",
            )
        ),
    )
    assert check(server.url("/es/guia.html")).verdict is Verdict.SOFT_404
    # Another language, not another page: "no está disponible en inglés".
    assert check(server.url("/es/resumen.html")).verdict is Verdict.OK


@pytest.mark.parametrize(
    "text",
    [
        "our website is currently undergoing scheduled maintenance",
        "the system is down for maintenance",
        "we're offline for planned maintenance tonight",
        "site maintenance is in progress",
        "this site is in maintenance mode",
        "the portal is temporarily unavailable",
        "the site is currently down",
        "503 service unavailable",
        "service temporarily unavailable",
        "we'll be back soon",
        "el sitio esta en mantenimiento",
        "estamos en mantenimiento",
    ],
)
def test_the_quick_look_for_maintenance_wording_misses_none(text: str) -> None:
    # Pages are passed over when they hold none of the wording's key words.
    assert botwall._MAINTENANCE_WORDING.search(text) is not None
    assert botwall._says_maintenance(text) is not None
