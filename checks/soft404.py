"""Soft 404s: a page that answers 2xx although what was cited is gone.

Pure decision functions; the caller fetches and passes what it saw. Three kinds of
evidence, each with its own function:

- the page itself says "not found", or a deep link was redirected to the site's home,
  a directory above it, an error, search or login page (:func:`soft404_reason`);
- the domain is parked or for sale (:func:`parked_reason`);
- the host answers a random path in the same directory the same way, so a 200 means
  nothing there (:class:`PageSummary`, :func:`random_sibling_url`,
  :func:`catch_all_reason`).

Telling an owner that a live source is dead costs more than missing a dead one, so
every rule here prefers to stay silent when the evidence is weak.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import random
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from lxml import etree

# Word counts that bound how far a "not found" wording can be trusted.
_BODY_WORDS = 250  # the wording anywhere in the text
_LINE_WORDS = 600  # the wording as a short line of its own
_TITLE_WORDS = 1500  # the wording in the title or the first headings only
_HEADLINE_MAX_WORDS = 12
_MAX_TEXT_SCAN = 200_000


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- "not found" wording -------------------------------------------------------------
# Matched against folded text: case-folded, accents and curly quotes flattened to ASCII.
_EN_NOUN = r"(?:web ?page|page|file|document|resource|url|link|content|article|post|item|video)s?"
# "the page", "this requested page", "the page you are looking for": the site is
# speaking about its own page, not reporting that something was removed somewhere.
_EN_SUBJECT = rf"\b(?:this|that|the|your)(?: [a-z]+){{0,2}}? {_EN_NOUN}\b[^.!?\n]{{0,60}}"
_NOT_FOUND_PATTERNS = (
    # English
    r"\b(?:web ?page|page|file|document|resource|url|content) (?:was |is )?not found\b",
    r"\b404\b[ .:!|-]*(?:error|not found|page)\b",
    r"\berror[ :-]*404\b",
    rf"{_EN_SUBJECT}\b(?:does not|doesn't|did not|didn't|no longer) exists?\b",
    rf"{_EN_SUBJECT}\b(?:was|were|is) not found\b",
    rf"{_EN_SUBJECT}\b(?:is|seems to be|appears to be) missing(?=\s*(?:[.!,;]|$))",
    r"\bnothing (?:was )?found at this (?:location|address)\b",
    rf"{_EN_SUBJECT}\b(?:is|was|are|were|has been|have been|may have been|might have been)"
    r" (?:permanently )?(?:removed|deleted|taken down)\b",
    rf"{_EN_SUBJECT}\b(?:(?:is|are) no longer|isn't|aren't) available\b",
    rf"{_EN_SUBJECT}\b(?:cannot|can't|can not|could not|couldn't) be (?:found|located)\b",
    r"\b(?:we|i)(?: just| really)? (?:cannot|can't|can not|could not|couldn't|were unable to"
    r"|are unable to)(?: seem to)? find (?:(?:the|that|this|a|any|your) )?"
    rf"(?:{_EN_NOUN}|what you(?:'re| are| were) looking for)\b",
    r"\bthe requested url\b[^\n]{0,200}\bwas not found on this server\b",
    # French
    r"\bpage (?:introuvable|non trouvee|inexistante)\b",
    r"\b(?:la|cette|le|ce|votre) (?:[a-z]+ )?(?:page|fichier|document|contenu|lien)s?\b"
    r"[^.!?\n]{0,60}(?:\bn'existe (?:pas|plus)|\b(?:est|sont) introuvables?"
    r"|\bn'a pas (?:pu )?ete trouvee?|\bn'est plus disponible|\ba ete (?:supprimee?|retiree?))\b",
    r"\berreur ?404\b",
    # Spanish
    r"\bpagina no (?:encontrada|existe)\b",
    r"\b(?:la|esta|el|este|su) (?:[a-z]+ )?(?:pagina|archivo|documento|contenido|enlace)s?\b"
    r"[^.!?\n]{0,60}\b(?:ya no existe|no existe|no se (?:ha podido|pudo|puede) encontrar"
    r"|no (?:ha sido|fue) encontrad[oa]|ya no (?:esta|se encuentra) disponible"
    r"|ha sido (?:eliminad|borrad|retirad)[oa])\b",
    # "No se encuentra" is also Spanish for "is not" ("no se encuentra firmado", "no se
    # encuentra en otros idiomas"): it says "not found" only where the clause ends; so
    # does "no está disponible" ("... en inglés" is another matter).
    r"\b(?:la|esta|el|este|su) (?:[a-z]+ )?(?:pagina|archivo|documento|contenido|enlace)s?\b"
    r"[^.!?\n]{0,60}\bno (?:se (?:encontro|encuentra|ha encontrado)"
    r"|(?:esta|se encuentra) disponible)"
    r"(?: en (?:este|el) (?:servidor|sitio(?: web)?))?(?=[ \t]*(?:[.!?;:\n]|$))",
    r"\bno (?:se ha podido|se pudo|pudimos|podemos|hemos podido|encontramos|se encontro"
    r"|se encuentra|se ha encontrado|hemos encontrado)(?: encontrar)? (?:la|esta) pagina\b",
    # Portuguese
    r"\bpagina nao (?:encontrada|existe)\b",
    r"\b(?:a|esta|essa|o|este|esse) (?:[a-z]+ )?(?:pagina|arquivo|ficheiro|documento|conteudo)s?\b"
    r"[^.!?\n]{0,60}\b(?:nao existe|nao (?:foi|pode ser) encontrad[oa]"
    r"|(?:ja )?nao esta mais disponivel|ja nao esta disponivel"
    r"|foi (?:removid|excluid|apagad)[oa])\b",
    r"\bnao (?:foi possivel|conseguimos|encontramos|pudemos)(?: encontrar)? (?:a|esta|essa)"
    r" pagina\b",
    r"\berro ?404\b",
    # German
    r"\b(?:seite|datei|dokument) (?:wurde )?nicht gefunden\b",
    r"\b(?:die|diese|das|dieses|der|ihre)(?: [a-z]+){0,3}"
    r" (?:seite|datei|dokument|inhalt|webseite)n?\b"
    r"[^.!?\n]{0,60}\b(?:existiert (?:leider )?nicht(?: mehr)?|(?:wurde|konnte) (?:leider )?nicht"
    r" gefunden(?: werden)?|ist (?:leider )?nicht mehr verfugbar|wurde (?:entfernt|geloscht))\b",
    r"\bfehler ?404\b",
    # Italian
    r"\bpagina non (?:trovata|esistente)\b",
    r"\b(?:la|questa|il|questo) (?:[a-z]+ )?(?:pagina|file|documento|contenuto)\b[^.!?\n]{0,60}"
    r"\b(?:non esiste(?: piu)?|non e stat[oa] trovat[oa]|non (?:e|risulta) piu disponibile"
    r"|e stat[oa] (?:rimoss|eliminat|cancellat)[oa])\b",
    r"\bimpossibile trovare la pagina\b",
    r"\berrore ?404\b",
    # Dutch
    r"\bpagina niet gevonden\b",
    r"\b(?:de|deze|het|dit) (?:[a-z]+ )?(?:pagina|bestand|document)\b[^.!?\n]{0,60}"
    r"\b(?:bestaat niet(?: meer)?|(?:is|werd) niet gevonden|kon niet (?:worden )?gevonden"
    r"(?: worden)?|is niet meer beschikbaar|is verwijderd)\b",
    r"\bfout ?404\b",
)
_NOT_FOUND = re.compile("|".join(f"(?:{p})" for p in _NOT_FOUND_PATTERNS))
# Strings of which every _NOT_FOUND match holds one. The search runs on folded text
# (lower-case ASCII), so a text without any of them is passed over at once.
_NOT_FOUND_ANCHORS = (
    "not found",
    "404",
    "exist",
    "esist",
    "missing",
    "found at this",
    "removed",
    "deleted",
    "taken down",
    "available",
    "be found",
    "be located",
    "find",
    "introuvable",
    "non trouvee",
    "ete trouve",
    "disponi",
    "ete supprime",
    "ete retire",
    "pagina",
    "encontr",
    "encuentra",
    "ha sido",
    "foi ",
    "gefunden",
    "verfugbar",
    "entfernt",
    "geloscht",
    "trovat",
    "rimoss",
    "eliminat",
    "cancellat",
    "gevonden",
    "bestaat niet",
    "beschikbaar",
    "verwijderd",
)
# A title or heading that is nothing but one of these, give or take "oops" and "error".
_BARE_HEADLINES = frozenset(
    {
        "404",
        "410",
        "not found",
        "404 not found",
        "nothing found",
        "introuvable",
        "no encontrado",
        "no encontrada",
        "nao encontrado",
        "nao encontrada",
        "nicht gefunden",
        "non trovato",
        "non trovata",
        "niet gevonden",
    }
)
# Words that may come before the wording in a headline: "Oops! Sorry, page not found".
_HEADLINE_FILLER = _wordset(
    "oops ooops whoops uh oh ah sorry so very we we're are hmm ouch error erreur fehler"
    " errore erro fout page pagina seite the unfortunately lo sentimos desole oups ops"
    " leider hoppla helaas spiacenti ci dispiace desculpe ups uy vaya"
)
_LEAD_FILLER = _HEADLINE_FILLER | {"404", "410"}
# Words around the wording that show a text reporting it rather than saying it:
# "users saw a page not found message".
_MENTION_BEFORE = _wordset(
    "a an saw see sees seeing get gets got getting receive receives received return returns"
    " returned show shows showed display displays displayed throw throws threw told tells"
    " telling said says saying stated stating reads reading"
)
_MENTION_AFTER = _wordset(
    "message messages error errors screen screens page pages response responses code codes"
)
_BARE_404 = re.compile(r"\b(?:404|410)\b|\bnot found\b|\bnothing found\b")
_WORD_BEFORE = re.compile(r"([a-z']+)\s*$")
_WORD_AFTER = re.compile(r"^\s*([a-z']+)")
# Pages *about* error pages ("What is a 404 error?", "HTTP status codes"). The first
# set rules a page out wherever it appears in its title or first headings; the second
# only in the same part of a headline as the "not found" wording, since a site name
# such as "Travel Guide" says nothing about a "Page not found | Travel Guide" page.
_ERROR_TOPIC = re.compile(
    r"\b(?:http|status|response|error) codes?\b|\bhttp (?:status|errors?)\b|\bsoft 404s?\b"
    r"|\b(?:404|error) pages\b"
)
_ABOUT_ERRORS = re.compile(
    r"\b(?:how (?:to|do)|what (?:is|are|does|causes)|why (?:do|does|is|am)|fix(?:ing|es|ed)?"
    r"|troubleshoot\w*|meaning|means|explained|explainer|guide|tutorial|seo|design"
    r"|examples|templates?|ideas|inspiration|best practices?|versus|vs)\b"
)
_ABOUT_ERRORS_PATH = re.compile(r"(?<![0-9])404(?![0-9])|not[-_]?found|error[-_]?pages?")
_TITLE_SPLIT = re.compile(
    r"\s[-|:\u2013\u2014\u00b7\u2022\u00bb/]+\s|\s?[|\u2013\u2014\u00b7\u2022\u00bb]\s?"
)
_QUOTE_CHARS = "\"'"
_FOLD_TABLE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
    }
)


def soft404_reason(
    requested_url: str,
    final_url: str,
    status: int,
    title: str | None,
    text: str,
    *,
    html: str | None = None,
    evidence_found: bool = False,
) -> str | None:
    """Why a 2xx answer for ``requested_url`` is really a missing page, or None.

    ``text`` is the page's visible text (line breaks between blocks help but are not
    needed); ``html``, when given, lets the first headings count like the title. A
    redirect that only adds a slash, switches to https or adds ``www.`` is fine, and
    so is a redirect from a site's root to its home page. ``evidence_found``: the
    evidence cited from the page is on the one that answered, so a redirect to a
    directory above it is a merge, not a removal, and "not found" wording in it is
    about something else (a file in a news story, a result in an abstract): no
    missing page holds what was cited from it.
    """
    if not 200 <= status < 300:
        return None
    redirect = _redirect_reason(requested_url, final_url, evidence_found=evidence_found)
    if redirect is not None or evidence_found:
        return redirect
    return _wording_reason(requested_url, title, text, html)


def _wording_reason(
    requested_url: str, title: str | None, text: str, html: str | None
) -> str | None:
    if _ABOUT_ERRORS_PATH.search(_fold(_path_of(requested_url))):
        return None  # a page about 404 errors, such as a status-code reference
    headings = _first_headings(html) if html else []
    if any(_ERROR_TOPIC.search(_fold(h)) for h in [title or "", *headings]):
        return None
    words = _count_words(text, limit=_TITLE_WORDS + 1)
    title_says = _headline(title) if title else _Headline.OTHER
    heading_says = [(h, _headline(h)) for h in headings]
    if _Headline.ABOUT_ERRORS in (title_says, *(v for _, v in heading_says)):
        return None
    short_page = words <= _TITLE_WORDS
    # A long page (a news site's 404 full of popular stories) needs a second voice.
    if (
        title
        and title_says is _Headline.NOT_FOUND
        and (short_page or _first_line_saying(text, headings) is not None)
    ):
        return f'page reads as "not found" (title: "{_clip(title)}")'
    for heading, says in heading_says:
        if says is _Headline.NOT_FOUND and short_page:
            return f'page reads as "not found" (heading: "{_clip(heading)}")'
    if words <= _LINE_WORDS:
        line = _first_line_saying(text, [])
        if line is not None:
            return f'page reads as "not found" (text: "{_clip(line)}")'
    if words <= _BODY_WORDS:
        phrase = _unquoted_match(_fold(text))
        if phrase is not None:
            return f'page reads as "not found" (text: "{_clip(phrase)}")'
    return None


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return url


def _first_line_saying(text: str, headings: list[str]) -> str | None:
    """The first heading or short line of text that says "not found"; None if a line
    talks *about* such pages instead."""
    for line in [*headings, *text[:_MAX_TEXT_SCAN].splitlines()]:
        if len(line.split()) > _HEADLINE_MAX_WORDS:
            continue
        says = _headline(line)
        if says is _Headline.ABOUT_ERRORS:
            return None
        if says is _Headline.NOT_FOUND:
            return line.strip()
    return None


class _Headline(enum.Enum):
    OTHER = "other"
    NOT_FOUND = "not found"
    ABOUT_ERRORS = "about errors"


def _headline(headline: str) -> _Headline:
    """Whether a title, heading or short line says "not found", or talks about it.

    The wording must open the part it is in (after "oops", "sorry" and the like), so
    that a short sentence merely mentioning it does not count.
    """
    for part in _TITLE_SPLIT.split(headline):
        folded = _fold(part)
        mentions = _not_found_in(folded) or _BARE_404.search(folded)
        if mentions and _ABOUT_ERRORS.search(folded):
            return _Headline.ABOUT_ERRORS
        tokens = folded.split()
        if not mentions or len(tokens) > _HEADLINE_MAX_WORDS:
            continue
        words = re.findall(r"[a-z0-9']+", folded)
        bare = " ".join(w for w in words if w not in _HEADLINE_FILLER)
        if bare in _BARE_HEADLINES or _opening_match(folded):
            return _Headline.NOT_FOUND
    return _Headline.OTHER


def _not_found_in(folded: str) -> re.Match[str] | None:
    """The first "not found" wording in folded text."""
    return _NOT_FOUND.search(folded) if _may_say_not_found(folded) else None


def _may_say_not_found(folded: str) -> bool:
    return any(anchor in folded for anchor in _NOT_FOUND_ANCHORS)


def _opening_match(folded: str) -> bool:
    for match in _NOT_FOUND.finditer(folded):
        lead = re.findall(r"[a-z0-9']+", folded[: match.start()])
        if all(word in _LEAD_FILLER for word in lead):
            return True
    return False


def _unquoted_match(folded: str) -> str | None:
    """The first place the text says "not found" rather than quoting or reporting it."""
    if not _may_say_not_found(folded):
        return None
    for match in _NOT_FOUND.finditer(folded):
        before, after = folded[: match.start()], folded[match.end() :]
        opens, closes = before.rstrip()[-1:], after.lstrip()[:1]
        if opens and closes and opens in _QUOTE_CHARS and closes in _QUOTE_CHARS:
            continue
        word_before = _WORD_BEFORE.search(before[-40:])
        word_after = _WORD_AFTER.search(after[:40])
        if word_before and word_before.group(1) in _MENTION_BEFORE:
            continue
        if word_after and word_after.group(1) in _MENTION_AFTER:
            continue
        return match.group(0)
    return None


def _first_headings(html: str, limit: int = 3) -> list[str]:
    parser = etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.LxmlError, ValueError):
        return []
    if root is None:
        return []
    headings: list[str] = []
    for element in root.iter("h1", "h2"):
        heading = " ".join("".join(element.itertext()).split())
        if heading:
            headings.append(heading)
        if len(headings) >= limit:
            break
    return headings


def _fold(text: str) -> str:
    """Case-folded ASCII with single spaces: "Página não" -> "pagina nao"."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE).casefold())
    return " ".join(text.encode("ascii", "ignore").decode("ascii").split())


def _count_words(text: str, limit: int) -> int:
    """The number of words in ``text``, counted up to ``limit`` (at least 1)."""
    # At most ``limit`` pieces: each is a word but the last, which starts with one.
    return len(text.split(maxsplit=limit - 1))


def _clip(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


# --- redirects to generic pages --------------------------------------------------------
_ROOT_STEMS = _wordset(
    "index default home homepage home-page welcome start main portal accueil inicio startseite"
)
# Language roots such as /en/ or /fr-ca/ count as a home page.
_LANGUAGE_CODES = _wordset(
    "en fr de es it pt nl sv da no nb nn fi pl cs sk hu ro bg el tr ru uk ar he fa hi ur bn"
    " zh ja ko vi th id ms tl ca eu gl hr sr sl et lv lt is ga cy sq mk bs hy ka sw am"
)
_LANGUAGE = re.compile(r"([a-z]{2})(?:[-_][a-z]{2,4})?")
# A last path segment of this shape (en, fr-ca, pt_br) picks the page's language.
_LANGUAGE_SEGMENT = re.compile(r"[a-z]{2}(?:[-_][a-z]{2})?")
_BENIGN_ROOT_KEYS = _wordset(
    "lang language locale hl l ref referrer from source src r redirect redirected"
    " redirect_from returnurl return origin msg message notice error err notfound 404"
    " reason status code page"
)
_ERROR_STEMS = _wordset(
    "404 410 error404 404error error-404 404-error error_404 notfound not-found not_found"
    " pagenotfound page-not-found page_not_found filenotfound errorpage error-page error_page"
    " customerror page-introuvable pagina-no-encontrada seite-nicht-gefunden"
    " pagina-niet-gevonden"
)
_ERROR_SECTIONS = _wordset("error errors erreur fehler errore")
_SEARCH_STEMS = _wordset(
    "search searchresults search-results suche recherche buscar busca busqueda ricerca"
    " zoeken pesquisa"
)
_SEARCH_KEYS = _wordset("s q query search searchterm keys keywords")
_LOGIN_STEMS = _wordset(
    "login log-in log_in logon log-on signin sign-in sign_in signon sign-on sso ssoservice"
    " wp-login servicelogin authenticate authorize adfs openid-connect"
)
_LOGIN_HOST_LABELS = _wordset("login signin sso idp adfs logon")
# Last path segments that name another view of the page before them, not a page.
_VIEW_SEGMENTS = _wordset("amp print printable printer-friendly full fulltext view embed")
# Services whose whole job is to send a short link elsewhere; their target may be a root.
_REDIRECTORS = _wordset(
    "t.co bit.ly goo.gl tinyurl.com ow.ly buff.ly is.gd lnkd.in rb.gy t.ly cutt.ly"
    " shorturl.at doi.org dx.doi.org hdl.handle.net purl.org w3id.org perma.cc"
)


@dataclass(frozen=True)
class _Url:
    """The parts of a URL that decide whether it names a generic page."""

    host: str
    segments: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    shown: str

    @staticmethod
    def parse(url: str) -> _Url | None:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").removeprefix("www.")
        except ValueError:
            return None
        segments = tuple(s for s in parts.path.split("/") if s)
        query = tuple((k.lower(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True))
        shown = host + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return _Url(host, segments, query, shown)

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(re.sub(r"\.[a-z0-9]{1,5}$", "", s.lower()) for s in self.segments)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.query)

    def same_resource(self, other: _Url) -> bool:
        return (self.host, self.stems, sorted(self.query)) == (
            other.host,
            other.stems,
            sorted(other.query),
        ) or (self.host == other.host and self.is_root and other.is_root)

    @property
    def is_root(self) -> bool:
        stems = self.stems
        if len(stems) > 2:
            return False
        if len(stems) == 2 and not (_is_language(stems[0]) and stems[1] in _ROOT_STEMS):
            return False
        if len(stems) == 1 and not (stems[0] in _ROOT_STEMS or _is_language(stems[0])):
            return False
        return self.plain_query

    @property
    def plain_query(self) -> bool:
        """No query, or only one that does not pick a page (language, tracking...)."""
        return all(k in _BENIGN_ROOT_KEYS or k.startswith("utm_") for k in self.keys)

    def is_parent_of(self, other: _Url) -> bool:
        """Whether this URL names a directory above ``other``'s path on the same host.

        A removed page sent to its section's index is as gone as one sent to the home
        page. ``/a/index.html`` and ``/a/a.html`` are the directory ``/a/`` itself, and
        a view or a language of a page (``/post/amp``, ``/report/print``,
        ``/report/en``) is that page, so none of them counts as a level.
        """
        if self.host != other.host or not self.plain_query:
            return False
        mine, theirs = _directory_stems(self.stems), _page_stems(other)
        return len(mine) < len(theirs) and theirs[: len(mine)] == mine

    @property
    def is_error(self) -> bool:
        stems = self.stems
        if any(s in _ERROR_STEMS for s in stems) or "aspxerrorpath" in self.keys:
            return True
        if stems and stems[0] in _ERROR_SECTIONS and len(stems) <= 2:
            return True
        return any(v.lower() in {"404", "notfound", "not-found"} for _, v in self.query)

    @property
    def is_search(self) -> bool:
        stems = self.stems
        if stems and (stems[-1] in _SEARCH_STEMS or (stems[0] == "search" and len(stems) <= 2)):
            return True
        return not stems and bool(self.keys & _SEARCH_KEYS)

    @property
    def is_login(self) -> bool:
        if self.host.split(".", 1)[0] in _LOGIN_HOST_LABELS:
            return True
        return any(s in _LOGIN_STEMS for s in self.stems)


def _directory_stems(stems: tuple[str, ...]) -> tuple[str, ...]:
    """The path's stems, without a last one that names a directory's own page: an
    index (``/a/index.html``) or a page named after it (``/research/research.html``)."""
    if stems and (stems[-1] in _ROOT_STEMS or (len(stems) > 1 and stems[-1] == stems[-2])):
        return stems[:-1]
    return stems


def _page_stems(url: _Url) -> tuple[str, ...]:
    """The stems of the page a URL shows, without trailing views or languages of it."""
    stems = _directory_stems(url.stems)
    while stems and _names_a_version(url.segments[len(stems) - 1]):
        stems = _directory_stems(stems[:-1])
    return stems


def _names_a_version(segment: str) -> bool:
    """Whether a path segment picks a view (``amp``, ``print``) or a language (``en``,
    ``pt-BR``) of the page before it."""
    lowered = segment.lower()
    return (
        lowered in _VIEW_SEGMENTS
        or _LANGUAGE_SEGMENT.fullmatch(lowered) is not None
        or _is_language(lowered)
    )


def _is_language(stem: str) -> bool:
    match = _LANGUAGE.fullmatch(stem)
    return match is not None and match.group(1) in _LANGUAGE_CODES


def _redirect_reason(requested_url: str, final_url: str, *, evidence_found: bool) -> str | None:
    requested, final = _Url.parse(requested_url), _Url.parse(final_url)
    if requested is None or final is None or requested.same_resource(final):
        return None
    if final.is_login and not requested.is_login:
        return f"redirected to a login page ({_clip(final.shown)})"
    if final.is_error and not requested.is_error:
        return f"redirected to an error page ({_clip(final.shown)})"
    if requested.is_root or _deliberate_redirect(requested, final):
        return None
    if final.is_search and not requested.is_search:
        return f"redirected to a search page ({_clip(final.shown)})"
    if final.is_root:
        return f"a deep link was redirected to the site's home page ({_clip(final.shown)})"
    # The cited evidence found at the target: the page was folded into the one above.
    if not evidence_found and final.is_parent_of(requested):
        return f"redirected to a parent page ({_clip(final.shown)})"
    return None


def _deliberate_redirect(requested: _Url, final: _Url) -> bool:
    """Redirects whose target is meant to be a root: short links, vanity paths."""
    if requested.host == final.host:
        return False
    if requested.host in _REDIRECTORS:
        return True
    # example.org/blog -> blog.example.org/
    if len(requested.stems) == 1 and requested.stems[0] in final.host.split("."):
        return True
    # example.org/out?url=https://other.example/
    for _, value in requested.query:
        if value.startswith(("http://", "https://")):
            target = _Url.parse(value)
            if target is not None and target.host == final.host:
                return True
    return False


# --- parked and for-sale domains --------------------------------------------------------
_PARKING_HOSTS = _wordset(
    "sedo.com sedoparking.com bodis.com parkingcrew.net above.com dan.com afternic.com"
    " hugedomains.com buydomains.com undeveloped.com efty.com domainmarket.com"
    " uniregistry.com forsale.godaddy.com parkingpage.namecheap.com domainnamesales.com"
)
_PARKING_HOST_IN_ATTR = re.compile(
    r"""(?:src|href|action|content|url)\s*=\s*["']?[^"'>\s]*?\b(?:sedoparking\.com|sedo\.com"""
    r"|parkingcrew\.net|bodis\.com|above\.com|dan\.com|afternic\.com|hugedomains\.com"
    r"|buydomains\.com|undeveloped\.com|efty\.com|domainmarket\.com|uniregistry\.com"
    r"|forsale\.godaddy\.com|parkingpage\.namecheap\.com|domainnamesales\.com)\b",
    re.IGNORECASE,
)
# Lander code that only parking services serve, wherever it sits in the page.
_PARKING_CODE = re.compile(
    r"data-adblockkey\s*="
    r"|window\.location\.(?:href|replace)\s*(?:=|\()\s*[\"']/lander\b"
    r"|/parking-lander/",
    re.IGNORECASE,
)
# Lower-case strings of which every match holds one, for searches over the markup
# with IGNORECASE, slow over a long page: a page without them skips the search.
_PARKING_CODE_ANCHORS = ("adblockkey", "lander")
_PARKING_HOST_ANCHORS = (
    "sedo",
    "parkingcrew",
    "bodis",
    "above.com",
    "dan.com",
    "afternic",
    "hugedomains",
    "buydomains",
    "undeveloped",
    "efty",
    "domainmarket",
    "uniregistry",
    "godaddy",
    "namecheap",
    "domainnamesales",
)
# IGNORECASE also matches these to ASCII letters (I, S, K), as str.lower() does not:
# on a page holding one, the anchors prove nothing.
_CASE_ODDITIES = re.compile("[\u0130\u0131\u017f\u212a]")
# Google's ads-for-parked-domains script; some content sites load it too, so it only
# counts on a page as bare as a lander.
_DOMAIN_ADS_SCRIPT = re.compile(r"/adsense/domains/caf\.js", re.IGNORECASE)
_FOR_SALE = re.compile(
    r"\b(?:this|the) domain(?: name)?(?: [a-z0-9-]+(?:\.[a-z0-9-]+)+)? (?:is|may be|might be"
    r"|could be) (?:available )?for sale\b"
    r"|\bbuy (?:this|the) domain\b"
    r"|\bmake an offer (?:on|for) (?:this|the) domain\b"
    r"|\binquire about (?:this|the) domain\b"
    r"|\b(?:this|the) domain(?: name)?(?: [a-z0-9-]+(?:\.[a-z0-9-]+)+)? (?:is|has been) parked\b"
    r"|\bparked free,? courtesy of\b"
    r"|\bthis (?:web )?page is parked\b"
    r"|\bthe owner of (?:this|the) domain(?: name)? is (?:offering|selling)\b"
)
# Strings of which every _FOR_SALE match holds one, in folded text.
_FOR_SALE_ANCHORS = ("domain", "parked")
_NAMED_FOR_SALE = re.compile(r"\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) (?:is|may be) for sale\b")
_PARKING_ADS = re.compile(r"\brelated searches\b.*\bsponsored (?:listings|links)\b", re.DOTALL)
_PARKED_WORDS = 500
# A page this bare whose only feature is a link to a domain marketplace is a lander; a
# longer one is more likely a post that mentions the marketplace.
_PARKED_LINK_WORDS = 100
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_BODIS_HOST = re.compile(r"ww\d+\.")


def parked_reason(
    text: str,
    html: str,
    headers: Mapping[str, str],
    final_url: str,
    *,
    requested_url: str | None = None,
) -> str | None:
    """Why the page is a parked or for-sale domain placeholder, or None.

    ``text`` is the visible text, ``html`` the markup, ``headers`` the final response's
    headers (any letter case) and ``final_url`` where redirects ended. ``requested_url``
    keeps a link that points at a parking service itself from counting.
    """
    final = _Url.parse(final_url)
    requested = _Url.parse(requested_url) if requested_url else None
    service = _parking_service(final.host) if final else None
    if service and not (requested and _parking_service(requested.host) == service):
        return f"parked or for-sale domain (redirected to {service})"
    if final and _BODIS_HOST.match(final.host) and "subid1" in final.keys:
        return "parked or for-sale domain (parking-service lander)"
    head = {str(k).lower(): str(v) for k, v in headers.items()}
    for name in ("location", "refresh", "link"):
        target = _PARKING_HOST_IN_ATTR.search(f"url={head.get(name, '')}")
        if target:
            return "parked or for-sale domain (parking service named in a response header)"
    if _may_hold(html, _PARKING_CODE_ANCHORS) and _PARKING_CODE.search(html):
        return "parked or for-sale domain (parking-service lander)"
    words = _count_words(text, limit=_PARKED_WORDS + 1)
    if words > _PARKED_WORDS:
        return None
    title = _HTML_TITLE.search(html)
    folded = _fold(((title.group(1) + "\n") if title else "") + text[:_MAX_TEXT_SCAN])
    phrase = _for_sale_in(folded) or _own_name_for_sale(folded, final)
    if phrase:
        return f'parked or for-sale domain (page says "{_clip(phrase.group(0))}")'
    # The search backtracks over the whole text: only run it where it may match.
    if "related searches" in folded and _PARKING_ADS.search(folded):
        return 'parked or for-sale domain ("related searches" and "sponsored listings")'
    if (
        words <= _PARKED_LINK_WORDS
        and _may_hold(html, _PARKING_HOST_ANCHORS)
        and _PARKING_HOST_IN_ATTR.search(html)
    ):
        return "parked or for-sale domain (links to a domain-parking or sales service)"
    if words <= _PARKED_LINK_WORDS and _DOMAIN_ADS_SCRIPT.search(html):
        return "parked or for-sale domain (parked-domain ads)"
    return None


def _for_sale_in(folded: str) -> re.Match[str] | None:
    if not any(anchor in folded for anchor in _FOR_SALE_ANCHORS):
        return None
    return _FOR_SALE.search(folded)


def _may_hold(html: str, anchors: tuple[str, ...]) -> bool:
    """False only when an IGNORECASE search for a pattern anchored by ``anchors``
    surely finds nothing in ``html``."""
    if not html.isascii() and _CASE_ODDITIES.search(html):
        return True
    lowered = html.lower()
    return any(anchor in lowered for anchor in anchors)


def _own_name_for_sale(folded: str, final: _Url | None) -> re.Match[str] | None:
    """ "example.org is for sale" on example.org itself; a page naming another domain is
    more likely news about a sale."""
    if final is None or " for sale" not in folded:
        return None
    for match in _NAMED_FOR_SALE.finditer(folded):
        if match.group(1).removeprefix("www.") == final.host:
            return match
    return None


def _parking_service(host: str) -> str | None:
    for service in _PARKING_HOSTS:
        if host == service or host.endswith("." + service):
            return service
    return None


# --- catch-all hosts --------------------------------------------------------------------
_PROBE_LETTERS = string.ascii_lowercase
_PROBE_LENGTH = 24
_PROBE_DIGITS = 4
_EXTENSION = re.compile(r".+(\.[A-Za-z0-9]{1,5})")
_URLISH = re.compile(r"[/\\=?&%@#]")
_WORD_PARTS = re.compile(r"[^\W_]+")
_EDGE_PUNCTUATION = string.punctuation + "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026"
_VOWELS = frozenset("aeiouy")
_RANDOM_MIN_LENGTH = 12


@dataclass(frozen=True)
class PageSummary:
    """What a catch-all comparison needs from one fetched page.

    ``text_fingerprint`` is a hash of the words that one page template repeats for
    every path: digits, URLs and paths, random-looking tokens and the words of the
    page's own URL path are left out, so a catch-all page that echoes the requested
    path fingerprints the same for every path. ``length`` is the size in characters of
    the text that was hashed.
    """

    status: int
    final_url: str
    title: str | None
    text_fingerprint: str
    length: int

    @staticmethod
    def of(status: int, final_url: str, title: str | None, text: str) -> PageSummary:
        """Summarise a fetched page for :func:`catch_all_reason`."""
        tokens = _stable_tokens(text[:_MAX_TEXT_SCAN], _path_words(final_url))
        joined = " ".join(tokens)
        fingerprint = hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]
        clean_title = " ".join(title.split()) if title else None
        return PageSummary(status, final_url, clean_title or None, fingerprint, len(joined))


def random_sibling_url(url: str, rng: random.Random) -> str:
    """A URL on the same scheme and host that almost surely names nothing.

    It sits in the same directory as ``url``'s path (a directory URL gets a sibling
    directory), keeps the file extension, and has no query or fragment. The random
    part mixes letters and digits, which :class:`PageSummary` leaves out of the
    fingerprint, so a page that echoes it still compares equal.
    """
    parts = urlsplit(url)
    letters = [rng.choice(_PROBE_LETTERS) for _ in range(_PROBE_LENGTH - _PROBE_DIGITS)]
    digits = [rng.choice(string.digits) for _ in range(_PROBE_DIGITS)]
    chars = letters + digits
    rng.shuffle(chars)
    token = "".join(chars)
    path = parts.path or "/"
    if path.endswith("/") and path != "/":
        parent = path.rstrip("/").rpartition("/")[0]
        new_path = f"{parent}/{token}/"
    else:
        directory, _, last = path.rpartition("/")
        extension = _EXTENSION.fullmatch(last)
        new_path = f"{directory}/{token}{extension.group(1) if extension else ''}"
    return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))


def catch_all_reason(
    page: PageSummary, probe: PageSummary, *, requested_url: str | None = None
) -> str | None:
    """Why ``page`` cannot be told from a missing page, judged by ``probe``, or None.

    ``probe`` is the answer for :func:`random_sibling_url`. When it is a 2xx that looks
    like ``page`` (same text fingerprint, or redirected to the same place with the same
    title), the host answers every path the same way. A real 404 or 410 for the probe,
    or any other non-2xx, clears the page. ``requested_url`` keeps a page that the probe
    was merely redirected to (a section index, say) from being blamed.
    """
    if not (200 <= page.status < 300 and 200 <= probe.status < 300):
        return None
    landed, probed = _Url.parse(page.final_url), _Url.parse(probe.final_url)
    if landed is None or probed is None or landed.is_root:
        return None  # the home page is what every catch-all serves; it is alive
    same_place = (landed.host, landed.stems) == (probed.host, probed.stems)
    requested = _Url.parse(requested_url) if requested_url else None
    if requested is not None and same_place and requested.same_resource(landed):
        return None
    same_text = page.text_fingerprint == probe.text_fingerprint
    if not (same_text or (same_place and page.title == probe.title)):
        return None
    where = f" (both end at {_clip(landed.shown)})" if same_place else ""
    return (
        "the host answers every path the same way (catch-all); a random path in the same"
        f" directory got the same page{where}, so this one cannot be told from a missing page"
    )


def _path_words(url: str) -> frozenset[str]:
    """The words of a URL's path and query, which a catch-all page may echo back."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return frozenset()
    raw = unquote(parts.path) + " " + unquote(parts.query)
    return frozenset(w.casefold() for w in _WORD_PARTS.findall(raw))


def _stable_tokens(text: str, echoed: frozenset[str]) -> list[str]:
    """Words that stay the same between two answers of one page template."""
    kept: list[str] = []
    # A page repeats most of its words; each distinct one is judged once.
    judged: dict[str, str | None] = {}
    for raw in text.split():
        if raw in judged:
            folded = judged[raw]
        else:
            folded = judged[raw] = _stable_token(raw, echoed)
        if folded is not None:
            kept.append(folded)
    return kept


def _stable_token(raw: str, echoed: frozenset[str]) -> str | None:
    """``raw``'s folded form if it is a word one page template repeats, else None."""
    token = raw.strip(_EDGE_PUNCTUATION)
    if not token or any(c.isdigit() for c in token) or _URLISH.search(token):
        return None
    if _looks_random(token):
        return None
    folded = token.casefold()
    if folded in echoed or all(p in echoed for p in _WORD_PARTS.findall(folded)):
        return None
    return folded


def _looks_random(token: str) -> bool:
    if len(token) < _RANDOM_MIN_LENGTH:
        return False
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return True
    case_changes = sum(1 for x, y in itertools.pairwise(token) if x.islower() and y.isupper())
    vowel_share = sum(1 for c in letters if c.lower() in _VOWELS) / len(letters)
    longest_consonants = max(
        (len(run) for run in re.findall(r"[b-df-hj-np-tv-xz]+", token.lower())), default=0
    )
    return case_changes >= 2 or vowel_share < 0.2 or longest_consonants >= 6
