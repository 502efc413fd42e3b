"""Is a claim's evidence in the source text, and in which sentence?

Evidence is one of three kinds, told apart by its form:

- a regular expression, written ``/.../`` (optionally followed by flags ``imsx``) or
  ``re:...``, matched against the text with whitespace collapsed, quotes and dashes
  straightened, ignoring case;
- a number (``100,000``, ``95%``, ``1.5 million``), matched by value in any printed
  form, never inside a larger number (see :mod:`checks.content.numbers`);
- anything else is a quote, matched exactly, then normalised (case, quotes, dashes,
  hyphenation, whitespace, number formats, ``...`` for omitted words), then fuzzily.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from checks.content.fuzzy import best_match
from checks.content.normalise import collapse, normalise
from checks.content.numbers import Number, canonicalise, parse_number, same, scan, scan_words
from checks.content.searchtext import SearchText
from checks.model import ClaimFinding, ClaimSpec

# A fuzzy match counts as found from this similarity up.
FUZZY_THRESHOLD = 0.9
# Words left out of a quote ("...") may stand for at most this many characters.
_GAP = 400
_REGEX_SLASHES = re.compile(r"/(?P<pattern>.+)/(?P<flags>[imsx]*)", re.DOTALL)
# Words that turn a statement into its opposite (text is folded: lower case, straight
# apostrophes).
_NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|without|cannot)\b|n't\b")
_RATE_BASE = re.compile(r"(?:\bper|/) ?$")
_CONFIDENCE = re.compile(r" ?(?:ci\b|c\.i\.|cl\b|confidence\b|credible\b)")
_COMPOUND_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class EvidenceKind(enum.StrEnum):
    """How a piece of evidence is matched."""

    REGEX = "regex"
    NUMBER = "number"
    QUOTE = "quote"


@dataclass(frozen=True)
class Evidence:
    """Parsed evidence. ``error`` says why a regular expression does not compile."""

    kind: EvidenceKind
    text: str
    numbers: tuple[Number, ...] = ()
    pattern: re.Pattern[str] | None = None
    error: str | None = None


def parse_evidence(evidence: str) -> Evidence:
    """The kind of ``evidence`` and what is needed to match it. Never raises: a bad
    regular expression comes back with ``error`` set, for the registry to report."""
    stripped = evidence.strip()
    source: str | None = None
    flags = re.IGNORECASE
    slashes = _REGEX_SLASHES.fullmatch(stripped)
    if slashes:
        source = slashes.group("pattern")
        for flag in slashes.group("flags"):
            flags |= _FLAGS[flag]
    elif stripped.startswith("re:"):
        source = stripped[3:]
    if source is not None:
        try:
            pattern = re.compile(source, flags)
        except re.error as exc:
            return Evidence(EvidenceKind.REGEX, stripped, error=f"bad regular expression: {exc}")
        return Evidence(EvidenceKind.REGEX, stripped, pattern=pattern)
    numbers = parse_number(normalise(stripped))
    if numbers:
        return Evidence(EvidenceKind.NUMBER, stripped, numbers=numbers)
    return Evidence(EvidenceKind.QUOTE, stripped)


def find_evidence(
    text: str | SearchText, claim: ClaimSpec, *, paragraphs: bool = True
) -> ClaimFinding:
    """Whether ``claim``'s evidence is in ``text``, how it was matched, and the
    sentence that holds it.

    ``paragraphs`` is False for PDF text, whose lines are layout, not paragraphs; it
    only matters when ``text`` is a string.
    """
    search = text if isinstance(text, SearchText) else SearchText(text, paragraphs=paragraphs)
    evidence = parse_evidence(claim.evidence)
    if not evidence.text:
        return ClaimFinding(claim.id, False, lenient=claim.lenient)
    if evidence.kind is EvidenceKind.REGEX:
        return _regex(search, claim, evidence)
    if evidence.kind is EvidenceKind.NUMBER:
        return _number(search, claim, evidence)
    return _quote(search, claim, evidence)


def find_all(
    text: str | SearchText, claims: Sequence[ClaimSpec], *, paragraphs: bool = True
) -> tuple[ClaimFinding, ...]:
    """:func:`find_evidence` for every claim, preparing the text once."""
    search = text if isinstance(text, SearchText) else SearchText(text, paragraphs=paragraphs)
    return tuple(find_evidence(search, claim) for claim in claims)


def _regex(search: SearchText, claim: ClaimSpec, evidence: Evidence) -> ClaimFinding:
    match = evidence.pattern.search(search.straight) if evidence.pattern else None
    if match is None:
        return ClaimFinding(claim.id, False, method="regex", lenient=claim.lenient)
    sentence = search.sentence("display", match.start(), match.end())
    return ClaimFinding(claim.id, True, sentence, "regex", lenient=claim.lenient)


def _number(search: SearchText, claim: ClaimSpec, evidence: Evidence) -> ClaimFinding:
    text = search.folded
    topic = _topic_words(claim.statement)
    # Numbers in words are read only when the digits do not hold it: few pages need
    # them, and every page has its "ten" and "one of".
    for numbers in (search.numbers, search.word_numbers):
        first: str | None = None
        for found in numbers:
            if _notation(text, found.start, found.end):
                continue
            if any(same(want, seen) for want in evidence.numbers for seen in found.readings):
                sentence = search.sentence("folded", found.start, found.end)
                if not topic or topic & _words(sentence):
                    return ClaimFinding(claim.id, True, sentence, "number", lenient=claim.lenient)
                # A figure printed elsewhere too ("100,000 visitors a year"): shown
                # only if it is nowhere among the statement's words.
                first = first or sentence
        if first is not None:
            return ClaimFinding(claim.id, True, first, "number", lenient=claim.lenient)
    return ClaimFinding(claim.id, False, method="number", lenient=claim.lenient)


def _topic_words(statement: str) -> frozenset[str]:
    """The words of a statement that say what its figure counts: those of four letters
    or more, but for the commonest."""
    return frozenset(w for w in _words(statement) if len(w) >= 4 and w not in _COMMON)


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(normalise(text)))


_WORD = re.compile(r"[^\W\d_]+")
# Words that any sentence with a figure may hold, whatever it counts.
_COMMON_WORDS = (
    "about above after also among around been before being between both each estimated"
    " estimate from have into least less more most nearly number over percent some than"
    " that their there these they this those through under were what when which while"
    " with within year years"
)
_COMMON = frozenset(_COMMON_WORDS.split())


def _notation(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` (folded) is statistical notation, not
    a quantity: the base of a rate ("per 100,000 population") or the level of a
    confidence interval ("95% ci"). Every statistical report prints these."""
    return (
        _RATE_BASE.search(text, max(0, start - 5), start) is not None
        or _CONFIDENCE.match(text, end) is not None
    )


def _quote(search: SearchText, claim: ClaimSpec, evidence: Evidence) -> ClaimFinding:
    def found(view: str, start: int, end: int, method: str) -> ClaimFinding:
        sentence = search.sentence(view, start, end)
        return ClaimFinding(claim.id, True, sentence, method, lenient=claim.lenient)

    exact = collapse(evidence.text)
    at = search.display.find(exact)
    if at != -1:
        return found("display", at, at + len(exact), "exact")
    folded = normalise(evidence.text)
    at = search.folded.find(folded)
    if at != -1:
        return found("folded", at, at + len(folded), "normalised")
    unhyphenated = _COMPOUND_HYPHEN.sub("", folded)
    if unhyphenated != folded:
        # A PDF's line-end hyphen is taken out when the lines are joined, also in a
        # compound split there ("well-" / "being"): the text may say "wellbeing".
        at = search.folded.find(unhyphenated)
        if at != -1:
            return found("folded", at, at + len(unhyphenated), "normalised")
    canon = canonicalise(folded)
    if canon != folded or any(char.isdigit() for char in folded):  # it holds a number
        at = search.canon.find(canon)
        if at != -1:
            return found("canon", at, at + len(canon), "normalised")
    if "..." in folded:
        gapped = _with_gaps(folded)
        match = gapped.search(search.folded) if gapped else None
        if match:
            return found("folded", match.start(), match.end(), "normalised")
        folded = collapse(folded.replace("...", " "))
    approximate = best_match(folded, search.folded)
    score = round(approximate.score, 3)
    window = _whole_words(search.folded, approximate.start, approximate.end)
    if approximate.score >= FUZZY_THRESHOLD and _says_the_same(folded, window):
        sentence = search.sentence("folded", approximate.start, approximate.end)
        return ClaimFinding(claim.id, True, sentence, "fuzzy", score, lenient=claim.lenient)
    return ClaimFinding(claim.id, False, method="fuzzy", score=score, lenient=claim.lenient)


def _says_the_same(quote: str, window: str) -> bool:
    """Whether a window that looks like the quote still states the same thing: a
    changed figure or an added or dropped negation changes a few characters, well
    within a fuzzy match, and everything the quote is cited for."""
    # "ten-year" and "ten year" say the same: words joined by a hyphen count apart.
    quote, window = _COMPOUND_HYPHEN.sub(" ", quote), _COMPOUND_HYPHEN.sub(" ", window)
    seen_numbers = [*scan(window), *scan_words(window)]
    for number in [*scan(quote), *scan_words(quote)]:
        if not any(
            same(want, seen)
            for seen_number in seen_numbers
            for seen in seen_number.readings
            for want in number.readings[:1]
        ):
            return False
    return _negations(quote) == _negations(window)


def _whole_words(text: str, start: int, end: int) -> str:
    """``text[start:end]`` widened to whole words: an aligned window may begin or end
    inside a number."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _negations(text: str) -> int:
    return len(_NEGATION.findall(text))


def _with_gaps(folded: str) -> re.Pattern[str] | None:
    """A pattern for a quote whose ``...`` stand for left-out words."""
    parts = [part.strip() for part in folded.split("...") if part.strip()]
    if not parts:
        return None
    return re.compile(f".{{0,{_GAP}}}?".join(re.escape(part) for part in parts), re.DOTALL)
