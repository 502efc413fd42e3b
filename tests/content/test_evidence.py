"""Finding a claim's evidence: numbers, quotes, regular expressions."""

from __future__ import annotations

import pytest

from checks.content import fuzzy
from checks.content.evidence import (
    FUZZY_THRESHOLD,
    EvidenceKind,
    find_all,
    find_evidence,
    parse_evidence,
)
from checks.content.searchtext import MAX_SENTENCE
from checks.model import ClaimSpec
from monitor.registry.model import Claim


def claim(evidence: str, lenient: bool = False) -> ClaimSpec:
    return ClaimSpec(id="c1", evidence=evidence, lenient=lenient)


# --- kinds ---


@pytest.mark.parametrize(
    ("evidence", "kind"),
    [
        ("100,000", EvidenceKind.NUMBER),
        ("95%", EvidenceKind.NUMBER),
        ("95 per cent", EvidenceKind.NUMBER),
        ("1.5 million", EvidenceKind.NUMBER),
        ("  326,000 ", EvidenceKind.NUMBER),
        ("/sold (for|into) sex/", EvidenceKind.REGEX),
        ("/sold for sex/i", EvidenceKind.REGEX),
        ("re:\\d+ children", EvidenceKind.REGEX),
        ("100,000 children", EvidenceKind.QUOTE),
        ("teen prostitutes", EvidenceKind.QUOTE),
        ("and/or", EvidenceKind.QUOTE),
    ],
)
def test_evidence_kind_is_detected(evidence: str, kind: EvidenceKind) -> None:
    assert parse_evidence(evidence).kind is kind


def test_bad_regex_is_reported_not_raised() -> None:
    parsed = parse_evidence("/sold (for sex/")
    assert parsed.kind is EvidenceKind.REGEX
    assert parsed.error is not None and parsed.error.startswith("bad regular expression")
    finding = find_evidence("sold (for sex", claim("/sold (for sex/"))
    assert (finding.found, finding.method) == (False, "regex")


# --- numbers ---


@pytest.mark.parametrize(
    ("evidence", "text"),
    [
        ("100,000", "estimate that 100,000 children"),
        ("100,000", "estimate that 100 000 children"),
        ("100,000", "estimate that 100\u2009000 children"),  # thin space
        ("100,000", "estimate that 100\u00a0000 children"),  # no-break space
        ("100,000", "estimate that 100\u202f000 children"),  # narrow no-break space
        ("100,000", "estimate that 100000 children"),
        ("100,000", "estimate that 100.000 children"),  # European grouping
        ("100,000", "estimate that 100 thousand children"),
        ("100,000", "estimate that 100,000\u00b9 children"),  # footnote marker
        ("100000", "estimate that 100,000 children"),
        ("100 000", "estimate that 100,000 children"),
        ("95%", "95% of teens"),
        ("95%", "95 % of teens"),
        ("95%", "95 percent of teens"),
        ("95%", "95 per cent of teens"),
        ("95 percent", "95% of teens"),
        ("95%", "95.4% of teens"),  # the claim rounds its source
        ("95", "95% of teens"),
        ("1.5 million", "1,500,000 people"),
        ("1.5 million", "1.5 million people"),
        ("1.5 million", "1,523,000 people"),
        ("1,500,000", "1.5 million people"),
        ("326,000", "326,000."),
        ("1,234.5", "1.234,5 euros"),
        ("250", "Cases 100 250"),  # neighbouring table cells
    ],
)
def test_number_matches_across_formats(evidence: str, text: str) -> None:
    finding = find_evidence(text, claim(evidence))
    assert (finding.found, finding.method) == (True, "number")


@pytest.mark.parametrize(
    ("evidence", "text"),
    [
        ("95%", "Ninety-five percent of teen victims had run away."),
        ("20%", "Twenty per cent of youth ran away."),
        ("2 million", "About two million pages were checked."),
        ("12", "Victims were as young as twelve."),
    ],
)
def test_number_written_in_words_matches(evidence: str, text: str) -> None:
    finding = find_evidence(text, claim(evidence))
    assert (finding.found, finding.method) == (True, "number")
    assert finding.sentence == text


@pytest.mark.parametrize(
    ("evidence", "text"),
    [
        ("95%", "Ninety-five teens had run away."),  # a percentage needs one
        ("5%", "Ninety-five percent of teen victims had run away."),
        ("90%", "Ninety-five percent of teen victims had run away."),
        ("2", "Someone else checked the pages."),  # "one" inside a word
        ("1", "No one checked the pages, one of the reports said."),  # "one" is a word
    ],
)
def test_number_in_words_is_read_whole(evidence: str, text: str) -> None:
    assert not find_evidence(text, claim(evidence)).found


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        ("one in five government pages", "About 1 in 5 government pages hold a broken link."),
        ("1 in 5 government pages", "About one in five government pages hold a broken link."),
    ],
)
def test_quote_with_a_ratio_in_words_or_digits(quote: str, text: str) -> None:
    finding = find_evidence(text, claim(quote))
    assert (finding.found, finding.method) == (True, "normalised")


@pytest.mark.parametrize(
    ("evidence", "text"),
    [
        ("100,000", "estimate that 1,100,000 children"),
        ("100,000", "estimate that 100,0001 children"),
        ("100,000", "estimate that 100,000,000 children"),
        ("100,000", "estimate that 2100,000 children"),
        ("100,000", "estimate that 1 100 000 children"),
        ("100,000", "estimate that 1.100.000 children"),
        ("100,000", "estimate that 100,001 children"),
        ("100,000", "estimate that 10,000 children"),
        ("100,000", "estimate that FY100,000 children"),
        ("95%", "95 teens"),  # a claimed percentage needs one
        ("95%", "96.5% of teens"),
        ("1.5 million", "1,600,000 people"),
        ("1,523,000", "1.5 million people"),  # the claim is more precise than its source
        ("1.5 million", "1.5 billion people"),
    ],
)
def test_number_does_not_match_other_or_larger_numbers(evidence: str, text: str) -> None:
    finding = find_evidence(text, claim(evidence))
    assert (finding.found, finding.method, finding.sentence) == (False, "number", None)


@pytest.mark.parametrize(
    ("evidence", "text"),
    [
        ("100,000", "Arrest rates were 12.5 per 100,000 population in 2013."),
        ("100,000", "Arrests: 12.5/100,000 residents."),
        ("95%", "The odds ratio was 2.1 (95% CI 1.4-3.0)."),
        ("95%", "Estimates carry a 95% confidence interval of two points."),
    ],
)
def test_statistical_notation_is_not_a_claimed_quantity(evidence: str, text: str) -> None:
    assert not find_evidence(text, claim(evidence)).found


def test_a_quantity_beside_notation_is_still_found() -> None:
    text = "About 100,000 children were counted, a rate of 12.5 per 100,000 population."
    assert find_evidence(text, claim("100,000")).found
    assert find_evidence("Of victims, 95% (CI 93-97) had run away.", claim("95%")).found


def test_number_finding_reports_its_sentence() -> None:
    text = (
        "Problem\nRecent statistics from the FBI estimate that 100,000 children are sold "
        "each year. Hundreds of cases go unreported."
    )
    finding = find_evidence(text, claim("100,000"))
    assert finding.sentence == (
        "Recent statistics from the FBI estimate that 100,000 children are sold each year."
    )


def test_sentence_runs_over_pdf_line_breaks() -> None:
    text = "the FBI estimate that\n100,000 children are sold for\nsex each year. Next one."
    finding = find_evidence(text, claim("100,000"), paragraphs=False)
    assert finding.sentence == "the FBI estimate that 100,000 children are sold for sex each year."


def test_long_sentence_is_cut_around_the_match() -> None:
    filler = " ".join(f"word{i}" for i in range(200))
    text = f"{filler} the figure 326,000 appears here {filler}"
    finding = find_evidence(text, claim("326,000"))
    assert finding.sentence is not None
    assert "the figure 326,000 appears here" in finding.sentence
    assert finding.sentence.startswith("…") and finding.sentence.endswith("…")
    assert len(finding.sentence) <= MAX_SENTENCE + 2


# --- quotes ---


def test_quote_exact() -> None:
    finding = find_evidence(
        "They were \u201cteen prostitutes\u201d then.", claim("teen prostitutes")
    )
    assert (finding.found, finding.method, finding.score) == (True, "exact", None)
    assert finding.sentence == "They were \u201cteen prostitutes\u201d then."


def test_quote_with_curly_quotes_and_soft_hyphen() -> None:
    text = "Abuse: 95% of \u201cteen pros\u00adtitutes\u201d were victims of earlier abuse."
    finding = find_evidence(text, claim('95% of "Teen Prostitutes" were victims'))
    assert (finding.found, finding.method) == (True, "normalised")
    assert finding.sentence == text.replace("\u00ad", "")


def test_quote_across_pdf_line_break_and_hyphenation() -> None:
    text = "at risk for becoming victims of commercial sexual exploi-\ntation in\nthe country"
    finding = find_evidence(
        text, claim("Victims of commercial sexual exploitation in the country"), paragraphs=False
    )
    assert (finding.found, finding.method) == (True, "normalised")
    # Line breaks and hyphenation are layout: the quote as written is in the text.
    assert find_evidence(text, claim("exploitation in the"), paragraphs=False).method == "exact"


def test_short_quote_with_a_compound_split_at_a_pdf_line_end() -> None:
    finding = find_evidence(
        "improves their well-\nbeing over time", claim("well-being"), paragraphs=False
    )
    assert (finding.found, finding.method) == (True, "normalised")
    # Only a hyphen between letters: a range is not a number.
    assert not find_evidence("in 1214 cases", claim("12-14 cases")).found


def test_quote_with_a_number_in_another_format() -> None:
    text = "An estimated 100 000 children are sold for sex each year."
    finding = find_evidence(text, claim("100,000 children are sold"))
    assert (finding.found, finding.method) == (True, "normalised")


def test_quote_with_omitted_words() -> None:
    text = "Recent statistics from the FBI estimate that 100,000 children are sold each year."
    assert find_evidence(text, claim("Recent statistics ... 100,000 children")).found
    assert not find_evidence(text, claim("Recent statistics ... 300,000 children")).found


def test_fuzzy_match_reports_its_score() -> None:
    text = (
        "Many victims of sex trafficking have been molested, raped and sexually assaulted "
        "by a family member or a close family friend."
    )
    quote = "victims of sex trafficking had been molested, raped, and sexually assaulted"
    finding = find_evidence(text, claim(quote))
    assert finding.found and finding.method == "fuzzy"
    assert finding.score is not None and FUZZY_THRESHOLD <= finding.score < 1.0
    assert finding.sentence == text


def test_fuzzy_long_quote_with_an_edited_word() -> None:
    paragraph = (
        "All acts involved in the recruitment, abduction, transport, harboring, transfer, "
        "sale or receipt of persons, within national or across international borders, "
        "through force, coercion, fraud or deception, to place persons in situations of "
        "slavery or slavery-like conditions, forced labor or services, such as forced "
        "prostitution or sexual services, domestic servitude, bonded sweatshop labor, or "
        "other debt bondage."
    )
    text = f"California Law\n{paragraph}\nFederal Law\nSex trafficking in which a commercial act."
    quote = paragraph.replace("domestic servitude", "domestic slavery")
    finding = find_evidence(text, claim(quote))
    assert (finding.found, finding.method) == (True, "fuzzy")
    assert finding.score is not None and FUZZY_THRESHOLD <= finding.score < 1.0
    assert finding.sentence is not None and finding.sentence.startswith("All acts involved")


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        (
            "Recent statistics estimate that 10,000 children are sold for sex each year.",
            "100,000 children are sold for sex each year",
        ),
        (
            "An estimated 25% of youth in foster care are at risk of exploitation.",
            "95% of youth in foster care are at risk of exploitation",
        ),
        (
            "The number of trafficked children increased sharply in 2012 across the county.",
            "The number of trafficked children increased sharply in 2013",
        ),
        (
            "The study found that victims were not sexually abused as children by a relative.",
            "victims were sexually abused as children by a relative",
        ),
        (
            "The study found that victims were sexually abused as children by a relative.",
            "victims were never sexually abused as children by a relative",
        ),
    ],
    ids=["figure", "percentage", "year", "negation-added", "negation-dropped"],
)
def test_fuzzy_match_never_accepts_a_changed_figure_or_negation(text: str, quote: str) -> None:
    # Each is within a few characters of the quote, and says something else.
    finding = find_evidence(text, claim(quote))
    assert (finding.found, finding.method) == (False, "fuzzy")
    assert finding.score is not None and finding.score >= FUZZY_THRESHOLD


def test_fuzzy_match_reads_a_number_word_in_a_compound() -> None:
    text = "The county adopted a ten-year plan to end the exploitation of children."
    finding = find_evidence(text, claim("The county adopted a ten year plan to end exploitation"))
    assert (finding.found, finding.method) == (True, "fuzzy")


def test_fuzzy_match_accepts_a_figure_printed_another_way() -> None:
    text = "Recent statistics estimate that 100 000 children were sold for sex each year."
    finding = find_evidence(text, claim("100,000 children are sold for sex each year"))
    assert (finding.found, finding.method) == (True, "fuzzy")


def test_fuzzy_below_threshold_is_not_found_but_scored() -> None:
    text = "The county approved a multi-agency response model in September 2013."
    finding = find_evidence(text, claim("The state rejected a single-agency model in May 2020"))
    assert (finding.found, finding.method, finding.sentence) == (False, "fuzzy", None)
    assert finding.score is not None and 0 < finding.score < FUZZY_THRESHOLD


def test_quote_absent_from_text_scores_zero() -> None:
    finding = find_evidence("Nothing in common here.", claim("completely unrelated quotation"))
    assert (finding.found, finding.score) == (False, 0.0)


def test_fuzzy_work_is_bounded_on_repetitive_text() -> None:
    # A quote word that occurs thousands of times must not mean thousands of windows.
    text = "children are sold each year " * 5000
    starts = fuzzy._candidate_starts("children were sold in that decade", text)
    assert 0 < len(starts) <= fuzzy.MAX_WINDOWS


# --- regular expressions ---


def test_regex_matches_collapsed_straightened_text_ignoring_case() -> None:
    text = "An estimated 100,000\nChildren are \u201csold\u201d for sex each year."
    finding = find_evidence(text, claim('/100,000 children are "sold"/'))
    assert (finding.found, finding.method) == (True, "regex")
    assert (
        finding.sentence == "An estimated 100,000 Children are \u201csold\u201d for sex each year."
    )
    assert find_evidence(text, claim("re:\\d{3},\\d{3} children")).found
    assert not find_evidence(text, claim("/\\b200,000\\b/")).found


# --- several claims ---


def test_find_all_keeps_order_and_leniency() -> None:
    text = "An estimated 100,000 children are sold each year."
    findings = find_all(
        text,
        [
            ClaimSpec("a", "100,000"),
            ClaimSpec("b", "300,000", lenient=True),
            ClaimSpec("c", "children are sold"),
        ],
    )
    assert [(f.claim_id, f.found, f.lenient) for f in findings] == [
        ("a", True, False),
        ("b", False, True),
        ("c", True, False),
    ]


def test_empty_evidence_is_never_found() -> None:
    finding = find_evidence("Any text.", claim("   "))
    assert (finding.found, finding.method) == (False, None)


FIGURE_TWICE = (
    "Our site had over 100,000 visitors last year. Researchers estimate that 100,000 "
    "children are sold for sex in the United States each year."
)
STATEMENT = "An estimated 100,000 children are sold for sex each year in the U.S."


def test_a_figure_printed_twice_is_shown_where_the_statement_s_words_are() -> None:
    found = find_evidence(FIGURE_TWICE, ClaimSpec("c", "100,000", statement=STATEMENT))
    assert found.found and found.method == "number"
    assert found.sentence is not None and "children" in found.sentence


def test_a_figure_away_from_the_statement_s_words_is_still_found_where_it_is() -> None:
    found = find_evidence("Over 100,000 visitors.", ClaimSpec("c", "100,000", statement=STATEMENT))
    assert found.found and found.sentence == "Over 100,000 visitors."
    bare = find_evidence(FIGURE_TWICE, ClaimSpec("c", "100,000"))
    assert bare.found and bare.sentence is not None and "visitors" in bare.sentence


def test_a_registry_claim_gives_its_statement_to_the_check() -> None:
    claim = Claim("c", STATEMENT, "100,000")
    assert claim.spec().statement == STATEMENT
