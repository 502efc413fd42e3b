"""Cookie consent walls served at the cited URL itself: a 200 page whose only content
is a consent manager's dialog stands in front of the source, which was never seen
(blocked, inconclusive). A page with a cookie banner beside its own content, and a
page about cookies or consent, is the page itself."""

from __future__ import annotations

import pytest

from checks.botwall import consent_page_reason
from checks.model import ClaimSpec, Verdict
from tests.checks.conftest import Check
from tests.checks.server import LoopbackServer, Reply

URL = "https://www.news.example/politik/2019/bericht-123.html"
WALL = (
    "consent wall (the page at www.news.example/politik/2019/bericht-123.html"
    " is only a cookie consent dialog)"
)

# --- pages that are nothing but a consent dialog -------------------------------------

ONETRUST = """<!doctype html><html lang="en"><head><title>Example Daily</title>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"></script></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a>
<a href="/business">Business</a></nav></header>
<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter"></div>
<div id="onetrust-banner-sdk" class="otCenterRounded" role="dialog" aria-modal="true">
<div class="ot-sdk-container"><div id="onetrust-policy">
<h2 id="onetrust-policy-title">We value your privacy</h2>
<div id="onetrust-policy-text">We and our partners store and/or access information on
a device, such as cookies, and process personal data, such as unique identifiers and
standard information sent by a device for personalised advertising and content, ad and
content measurement, and audience insights. <a href="/privacy">Privacy policy</a></div>
</div><div id="onetrust-button-group-parent"><div id="onetrust-button-group">
<button id="onetrust-pc-btn-handler">Manage options</button>
<button id="onetrust-reject-all-handler">Reject all</button>
<button id="onetrust-accept-btn-handler">Accept All Cookies</button></div></div></div>
</div>
<div id="onetrust-pc-sdk" class="otPcCenter" style="display: none">
<h2>Privacy preference centre</h2><p>When you visit any website, it may store or
retrieve information on your browser, mostly in the form of cookies. This information
might be about you, your preferences or your device and is mostly used to make the site
work as you expect it to.</p><h3>Strictly necessary cookies</h3><p>These cookies are
necessary for the website to function and cannot be switched off in our systems.</p>
<h3>Performance cookies</h3><p>These cookies allow us to count visits and traffic
sources so we can measure and improve the performance of our site.</p>
<button>Allow all</button><button>Confirm my choices</button></div></div>
<footer><a href="/imprint">Imprint</a> <a href="/terms">Terms</a></footer></body></html>"""

# Sourcepoint's message, rendered in the page rather than in an iframe.
SOURCEPOINT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>The Herald</title>
</head><body class="sp-message-open">
<div id="sp_message_container_812345" class="sp_message_container">
<div class="message-overlay"><div id="sp_message_id_812345" class="message type-modal">
<div class="message-component message-row"><img class="message-component"
 src="/img/herald-logo.svg" alt="The Herald"></div>
<div class="message-component message-row"><p class="message-component message-title">
The Herald and our 842 partners ask for your consent</p></div>
<div class="message-component message-row"><p class="message-component message-text">
We and our partners use cookies and similar technologies to store and access personal
data on your device, such as browsing data or unique identifiers, and process it. You
can accept all or reject all, or manage your choices at any time via "Privacy
settings" at the bottom of every page.</p></div>
<div class="message-component message-row">
<button class="message-component message-button no-children focusable sp_choice_type_12"
 title="Manage options">Manage options</button>
<button class="message-component message-button no-children focusable sp_choice_type_13"
 title="Reject all">Reject all</button>
<button class="message-component message-button no-children focusable sp_choice_type_11"
 title="Accept all">Accept all</button></div></div></div></div>
<script>window._sp_queue = []; window._sp_ = {config: {accountId: 1234}};</script>
</body></html>"""

GERMAN = """<!doctype html><html lang="de"><head><title>Tageblatt</title></head><body>
<div class="cmp-root"><div class="cmp-layer" role="dialog" aria-labelledby="cmp-title">
<div class="cmp-content"><h2 id="cmp-title">Datenschutz-Einstellungen</h2>
<p>Wir und unsere Partner verwenden Cookies und ähnliche Technologien, um Informationen
auf Ihrem Gerät zu speichern und abzurufen. Dabei werden personenbezogene Daten wie
IP-Adressen verarbeitet, um Inhalte und Anzeigen zu personalisieren und die Nutzung
zu messen. Ihre Einwilligung können Sie jederzeit widerrufen.</p>
<p><a href="/datenschutz">Datenschutzerklärung</a> · <a href="/impressum">Impressum</a></p>
</div><div class="cmp-buttons"><button class="cmp-accept">Alle akzeptieren</button>
<button class="cmp-reject">Nur notwendige Cookies</button>
<a class="cmp-settings" href="#einstellungen">Einstellungen</a></div></div></div>
</body></html>"""

# "Consent or pay": read with advertising and tracking, or subscribe. The title and the
# subscription offer sit beside the block that names the cookies.
CONSENT_OR_PAY = """<!doctype html><html lang="de"><head><title>Nachrichten aktuell</title>
</head><body><header class="site-header"><a href="/"><img src="/logo.svg"
 alt="Rundschau"></a></header>
<div id="consent-wall"><h1>Rundschau mit Werbung oder als Pur-Abo lesen</h1>
<div class="choices"><section class="choice"><h2>Mit Werbung</h2>
<p>Nutzen Sie unser Angebot wie gewohnt mit Werbung und Tracking. Wir und unsere
Partner verwenden Cookies und verarbeiten personenbezogene Daten, um Inhalte und
Werbung zu personalisieren.</p>
<button class="accept">Akzeptieren und weiter</button></section>
<section class="choice"><h2>Pur-Abo</h2><p>Ohne Werbung und ohne Tracking für
2,99 € im Monat.</p><a class="button" href="/abo">Jetzt abonnieren</a></section></div>
<p class="note">Details finden Sie in unserer <a href="/datenschutz">Datenschutzerklärung</a>
und in den <a href="/privacy-center">Privatsphäre-Einstellungen</a>.</p></div>
</body></html>"""

# The consent page a form posts the choice from, its button an input with a value.
AGREE_FORM = """<html><head><title>Before you continue</title></head><body>
<div class="consent-box"><h1>Before you continue</h1><p>We use cookies and data to
deliver and maintain our services, measure audience engagement and show personalised
ads.</p><form method="post" action="/save"><input type="hidden" name="continue"
 value="/reports/2019"><input type="submit" value="Reject all">
<input type="submit" value="I agree"></form></div></body></html>"""


# The dialog in the form that posts the choice: text extraction sets such a form aside,
# so the page's extracted text is next to nothing.
IN_A_FORM = """<!doctype html><html lang="en"><head><title>Privacy choices</title></head>
<body><form class="consent-form" method="post" action="/consent/save">
<input type="hidden" name="returnUrl" value="/reports/2019">
<p class="consent-text">We and our partners use cookies to store and access personal
data on your device, for ads and content, measurement and audience research.</p>
<p class="consent-more">You can change your mind at any time in the privacy
settings.</p><button type="submit" name="choice" value="accept">Accept all</button>
<button type="submit" name="choice" value="reject">Reject all</button></form>
</body></html>"""


def dialog_in(lang: str, title: str, text: str, accept: str, reject: str) -> str:
    return (
        f"<!doctype html><html lang='{lang}'><head><title>{title}</title></head><body>"
        f"<div class='cookie-wall'><div class='cookie-wall__box'><h2>{title}</h2>"
        f"<p>{text}</p><div class='cookie-wall__buttons'><button>{reject}</button>"
        f"<button>{accept}</button></div></div></div></body></html>"
    )


FRENCH = dialog_in(
    "fr",
    "Vos choix concernant les cookies",
    "Avec nos partenaires, nous utilisons des cookies pour stocker et accéder à des "
    "données personnelles vous concernant, comme vos données de navigation.",
    "Tout accepter",
    "Continuer sans accepter",
)
DUTCH = dialog_in(
    "nl",
    "Uw privacy",
    "Wij en onze partners gebruiken cookies en verwerken persoonsgegevens om "
    "advertenties te tonen en het gebruik van de site te meten.",
    "Alles accepteren",
    "Weigeren",
)
SPANISH = dialog_in(
    "es",
    "Tu privacidad es importante",
    "Nosotros y nuestros socios utilizamos cookies y tratamos datos personales para "
    "mostrar anuncios y medir la audiencia.",
    "Aceptar todo",
    "Rechazar todo",
)
ITALIAN = dialog_in(
    "it",
    "Informativa sui cookie",
    "Noi e terze parti selezionate utilizziamo cookie o tecnologie simili per finalità "
    "tecniche e, con il tuo consenso, anche per altre finalità.",
    "Accetta tutti",
    "Rifiuta",
)

# --- pages that are the page itself ----------------------------------------------------

PARAGRAPH = (
    "<p>The unemployment rate was 4.2 percent in the county during 2019, down from 4.9"
    " percent a year earlier, according to the survey of households. Estimates come from"
    " the monthly household survey, weighted to population controls.</p>"
)
ONETRUST_BANNER = """<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk"
 role="region" aria-label="Cookie banner"><div id="onetrust-policy"><div
 id="onetrust-policy-text">We use cookies to improve your experience and to show you
personalised content. <a href="/cookies">Cookie policy</a></div></div>
<div id="onetrust-button-group"><button id="onetrust-reject-all-handler">Reject
all</button><button id="onetrust-accept-btn-handler">Accept all cookies</button></div>
</div></div>"""

ARTICLE_WITH_ONETRUST = (
    "<!doctype html><html><head><title>Labour market report</title></head><body>"
    "<header><nav><a href='/'>Home</a></nav></header><main><article>"
    "<h1>Annual labour market report</h1>"
    + PARAGRAPH * 3
    + "</article></main>"
    + ONETRUST_BANNER
    + "<footer><a href='/privacy'>Privacy</a></footer></body></html>"
)
# A short page, no main part: its heading and a line of its own beside a banner.
SHORT_PAGE_WITH_BANNER = """<!doctype html><html><head><title>Parking permits</title>
</head><body><div id="page"><h1>Residential parking permits</h1><p>Permits cost
$35 a year and are renewed each January.</p>
<div class="cookie-banner"><p>This site uses cookies to remember your choices.</p>
<button>Accept</button><button>Decline</button></div></div></body></html>"""
DIALOG_BESIDE_CONTENT = (
    "<!doctype html><html><head><title>Housing statistics</title></head><body>"
    "<h1>Housing statistics</h1>" + PARAGRAPH + "<dialog open class='consent'>"
    "<h2>Cookies</h2><p>We use cookies for analytics.</p><form method='dialog'>"
    "<button>Agree</button><button>Refuse</button></form></dialog></body></html>"
)
NOT_FOUND_WITH_BANNER = """<!doctype html><html><head><title>Page not found</title>
</head><body><div class="cookie-notice" role="dialog"><p>We use cookies to give you the
best experience on our website.</p><a class="button" href="#">Accept all</a></div>
<h1>Page not found</h1><p>Sorry, the page you are looking for does not exist.</p>
</body></html>"""
# A privacy notice with its cookie buttons in the page's main part: the page's text.
PRIVACY_NOTICE = (
    "<!doctype html><html><head><title>Privacy notice</title></head><body><main>"
    "<h1>Privacy policy</h1><p>This policy explains how we collect and use personal data"
    " when you visit our website, and the choices you have.</p><h2>Cookies</h2><p>We use"
    " cookies to remember your preferences. You can accept or refuse them in the cookie"
    " settings; by clicking Accept all you consent to all of them.</p><h2>Your rights</h2>"
    "<p>You may ask for a copy of the personal data we hold about you, have it corrected"
    " or deleted, and withdraw your consent at any time.</p>"
    "<p><button>Accept all</button> <button>Reject all</button></p></main>"
    "<footer><a href='/'>Home</a></footer></body></html>"
)
POLICY_SECTION = (
    "<h2>{}</h2><p>We process personal data only where the law allows it: to provide the"
    " services you ask for, to meet our legal obligations, where we have a legitimate"
    " interest that your rights do not override, or with your consent. We keep the data"
    " no longer than needed for the purpose it was collected for, and we protect it with"
    " technical and organisational measures suited to the risk. Where we share it with"
    " processors acting on our behalf, a written contract binds them to our instructions"
    " and to the same protection.</p>"
)
PRIVACY_POLICY = (
    "<!doctype html><html><head><title>Privacy policy</title></head><body>"
    "<div class='page'><h1>Privacy policy</h1>"
    + "".join(
        POLICY_SECTION.format(title)
        for title in (
            "Who we are",
            "Cookies and similar technologies",
            "Newsletters",
            "Analytics",
            "Advertising partners",
            "Your rights",
            "Contact",
        )
    )
    + "</div>"
    + ONETRUST_BANNER
    + "</body></html>"
)
# The same policy under a banner that does not name cookies: the nearest text naming
# them around its button is the whole page, longer than any dialog.
POLICY_UNDER_PLAIN_BANNER = PRIVACY_POLICY.replace(
    ONETRUST_BANNER,
    "<div class='notice'><p>This site measures its use.</p><button>Accept</button></div>",
)
CONSENT_GUIDANCE = (
    "<!doctype html><html><head><title>Consent to treatment</title></head><body><main>"
    "<h1>Consent to treatment</h1><p>Consent to treatment means a person must give"
    " permission before they receive any type of medical treatment, test or examination."
    "</p><p>For consent to be valid, it must be voluntary and informed, and the person"
    " consenting must have the capacity to make the decision.</p><h2>Giving consent</h2>"
    "<p>Consent can be given verbally or in writing, for example by signing a form.</p>"
    "</main>" + ONETRUST_BANNER + "</body></html>"
)
# An article about cookie consent, short and without a main part.
ABOUT_COOKIES = """<!doctype html><html><head><title>Cookie walls</title></head><body>
<div class="content"><h1>Why cookie walls are spreading</h1><p>Regulators in several
countries have looked at whether websites may refuse readers who decline cookies.
Some news sites now offer a paid subscription instead of consent to tracking.</p>
<p>Consent managers report that most readers click Accept all within two seconds.</p>
</div><div class="cc-banner"><p>We use cookies.</p><button>Accept</button></div>
</body></html>"""
VIDEO_WITH_BANNER = """<!doctype html><html><head><title>Briefing</title></head><body>
<video src="/media/briefing.mp4" controls></video>
<div class="cookie-banner"><p>We use cookies to measure views.</p>
<button>Accept all</button></div></body></html>"""


@pytest.mark.parametrize(
    "html",
    [
        ONETRUST,
        SOURCEPOINT,
        GERMAN,
        CONSENT_OR_PAY,
        AGREE_FORM,
        IN_A_FORM,
        FRENCH,
        DUTCH,
        SPANISH,
        ITALIAN,
    ],
    ids=[
        "onetrust",
        "sourcepoint",
        "alle-akzeptieren",
        "consent-or-pay",
        "agree-form",
        "in-a-form",
        "tout-accepter",
        "alles-accepteren",
        "aceptar-todo",
        "accetta-tutti",
    ],
)
def test_page_that_is_only_a_consent_dialog_is_a_wall(html: str) -> None:
    assert consent_page_reason(200, html, URL) == WALL


@pytest.mark.parametrize(
    "html",
    [
        ARTICLE_WITH_ONETRUST,
        SHORT_PAGE_WITH_BANNER,
        DIALOG_BESIDE_CONTENT,
        NOT_FOUND_WITH_BANNER,
        PRIVACY_NOTICE,
        PRIVACY_POLICY,
        POLICY_UNDER_PLAIN_BANNER,
        CONSENT_GUIDANCE,
        ABOUT_COOKIES,
        VIDEO_WITH_BANNER,
    ],
    ids=[
        "article-with-onetrust-banner",
        "short-page-with-banner",
        "dialog-beside-content",
        "not-found-page-with-banner",
        "privacy-notice-in-main",
        "privacy-policy",
        "privacy-policy-under-plain-banner",
        "consent-guidance",
        "article-about-cookie-walls",
        "video-with-banner",
    ],
)
def test_page_with_content_of_its_own_is_no_wall(html: str) -> None:
    assert consent_page_reason(200, html, URL) is None


def test_hidden_preferences_are_not_content_beside_the_dialog() -> None:
    # The preference centre a click opens, once shown, is content besides the banner.
    shown = ONETRUST.replace('style="display: none"', "")
    assert consent_page_reason(200, ONETRUST, URL) == WALL
    assert consent_page_reason(200, shown, URL) is None


def test_a_refusing_or_missing_answer_is_its_own() -> None:
    assert consent_page_reason(404, GERMAN, URL) is None
    assert consent_page_reason(503, GERMAN, URL) is None
    assert consent_page_reason(204, GERMAN, URL) == WALL


def test_extracted_text_that_cannot_be_a_dialog_is_passed_over() -> None:
    # The text extraction gives: a dialog's (naming cookies), or the few words left
    # when the dialog sits in a form, which extraction sets aside.
    assert consent_page_reason(200, GERMAN, URL, text="Wir verwenden Cookies. " * 100) == WALL
    assert consent_page_reason(200, GERMAN, URL, text="Tageblatt " * 40) == WALL
    # Longer than any dialog, or not naming cookies: the page's own text.
    assert consent_page_reason(200, GERMAN, URL, text="Wir verwenden Cookies. " * 200) is None
    assert consent_page_reason(200, GERMAN, URL, text="Bericht " * 41) is None


def test_accept_word_outside_a_button_is_no_control() -> None:
    # The same dialog with its buttons as plain text is a notice, not a wall.
    notice = GERMAN.replace("<button", "<span").replace("</button>", "</span>")
    notice = notice.replace("<a class", "<span class").replace("</a></div>", "</span></div>")
    assert consent_page_reason(200, notice, URL) is None


# --- a real check against a loopback server ----------------------------------------------


def test_consent_page_at_the_cited_url_is_blocked(server: LoopbackServer, check: Check) -> None:
    server.route("/politik/bericht-123.html", Reply(body=CONSENT_OR_PAY.encode()))
    result = check(server.url("/politik/bericht-123.html", host="www.news.example"))
    assert result.verdict is Verdict.BLOCKED
    assert result.status == 200
    assert result.reason == (
        "200 OK: consent wall (the page at www.news.example/politik/bericht-123.html"
        " is only a cookie consent dialog)"
    )


def test_onetrust_consent_page_is_blocked(server: LoopbackServer, check: Check) -> None:
    server.route("/world/story", Reply(body=ONETRUST.encode()))
    result = check(server.url("/world/story"))
    assert result.verdict is Verdict.BLOCKED
    assert "consent wall (the page at 127.0.0.1/world/story" in result.reason


def test_consent_dialog_in_a_form_is_blocked(server: LoopbackServer, check: Check) -> None:
    # The extracted text leaves the form out: the markup is read for the dialog.
    server.route("/reports/2019", Reply(body=IN_A_FORM.encode()))
    result = check(server.url("/reports/2019"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason.startswith("200 OK: consent wall (the page at 127.0.0.1/reports/2019")


def test_page_with_a_cookie_banner_is_ok(server: LoopbackServer, check: Check) -> None:
    # No claims: the banner beside the page's text is no wall on the page's structure
    # alone, not because the cited evidence was found.
    server.route("/reports/labour-2019", Reply(body=ARTICLE_WITH_ONETRUST.encode()))
    result = check(server.url("/reports/labour-2019"))
    assert (result.verdict, result.reason) == (Verdict.OK, "200 OK")


def test_not_found_page_with_a_cookie_banner_is_still_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/reports/gone", Reply(body=NOT_FOUND_WITH_BANNER.encode()))
    result = check(server.url("/reports/gone"))
    assert result.verdict is Verdict.SOFT_404


def test_consent_page_holding_the_cited_claim_is_the_source(
    server: LoopbackServer, check: Check
) -> None:
    # A consent page that shows the article's lead under its dialog: what was cited
    # is there, so the page is no stand-in.
    lead = (
        "<p class='teaser'>Rent rose 7.5 percent in the city last year, the housing"
        " office reported on Monday.</p>"
    )
    page = GERMAN.replace('<div class="cmp-content">', '<div class="cmp-content">' + lead)
    server.route("/wohnen/mieten", Reply(body=page.encode()))
    url = server.url("/wohnen/mieten")
    claim = ClaimSpec(id="rent", evidence="7.5 percent")
    assert check(url).verdict is Verdict.BLOCKED
    found = check(url, claims=(claim,))
    assert found.verdict is Verdict.OK
    assert [finding.found for finding in found.claims] == [True]
