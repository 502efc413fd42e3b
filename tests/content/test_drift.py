"""Content fingerprints and their similarity estimate."""

from __future__ import annotations

import random

from checks.content.drift import changed, fingerprint, similarity

_VOCABULARY = (
    "children county services report federal estimate victims program youth court "
    "support protocol agency statistics annual survey data outreach placement probation "
    "health mental public law trafficking exploitation response model plan department"
)
_WORDS = _VOCABULARY.split()


def prose(seed: int, words: int = 600) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def test_same_text_same_fingerprint() -> None:
    text = prose(1)
    assert fingerprint(text) == fingerprint(text)
    assert similarity(fingerprint(text), fingerprint(text)) == 1.0
    assert not changed(fingerprint(text), fingerprint(text))


def test_layout_and_case_do_not_change_the_fingerprint() -> None:
    text = "Recent statistics estimate that 100,000 children are \u201csold\u201d each year."
    reflowed = 'RECENT statistics estimate\nthat 100,000   children are "sold" each year.'
    assert fingerprint(text) == fingerprint(reflowed)


def test_small_edit_is_a_change_with_high_similarity() -> None:
    text = prose(2)
    edited = text.replace(text[1000:1040], "a sentence that was rewritten by an editor", 1)
    a, b = fingerprint(text), fingerprint(edited)
    assert changed(a, b)
    assert 0.8 < similarity(a, b) < 1.0


def test_one_word_edit_in_a_long_text_stays_below_one() -> None:
    words = prose(3, words=3000).split()
    words[1500] = "renamed"
    a, b = fingerprint(" ".join(prose(3, words=3000).split())), fingerprint(" ".join(words))
    assert changed(a, b)
    assert 0.9 < similarity(a, b) < 1.0


def test_unrelated_texts_have_low_similarity() -> None:
    a, b = fingerprint(prose(4)), fingerprint(prose(5))
    assert changed(a, b)
    assert similarity(a, b) < 0.2
    assert similarity(a, b) == similarity(b, a)


def test_half_replaced_text_scores_in_between() -> None:
    first, second = prose(6, 1000).split(), prose(7, 1000).split()
    mixed = " ".join(first[:500] + second[500:])
    score = similarity(fingerprint(" ".join(first)), fingerprint(mixed))
    assert 0.15 < score < 0.6


def test_short_and_empty_texts() -> None:
    assert similarity(fingerprint(""), fingerprint("")) == 1.0
    assert similarity(fingerprint(""), fingerprint("some words here")) == 0.0
    assert 0.0 <= similarity(fingerprint("one two"), fingerprint("one three")) < 1.0


def test_fingerprint_in_another_format_compares_by_equality() -> None:
    assert similarity("abc123", "abc123") == 1.0
    assert similarity("abc123", fingerprint("text")) == 0.0
    assert changed("abc123", fingerprint("text"))
