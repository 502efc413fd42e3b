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


def test_fingerprints_keep_their_stored_form() -> None:
    # Fingerprints are stored between runs: the same text must keep giving the same
    # string, or every source would read as changed.
    assert fingerprint("") == (
        "v1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:"
    )
    assert fingerprint("word") == (
        "v1:98c1eb4ee93476743763878fcb96a25fbc9a175074d64004779ecb5242f645e6:eXjNhA=="
    )
    assert fingerprint("one two") == (
        "v1:8ab63e29a4ba14e4e1688f9c15e5af90895421358c945b0431f85d66977bd3d2:pZ9e0Q=="
    )
    assert fingerprint("Ünïcödé ﬁle “quoted” — exploi-\ntation, 100,000²") == (
        "v1:04b9d07cb7f689fe8d0e93044268f46ea1760e4fc4b9c6bce59e482bd0aadb7f:"
        "AmEvHQQ/E02O+AYym4h3E+7bc4M="
    )
    assert fingerprint(prose(1)) == (
        "v1:e749384ebcd05a87754291c9165e81513c32ad6225d3e30af45cace4186a27ba:"
        "AEEHpABenycAX7szAOBwYQDjGYYBBHLfAZwRVwGhQ94B3roDAeGvmgMVt+8DMiOEAzKujAOgs00D2f2rA+n8"
        "swPrUH8D/3i9BBKrzAUhytQFfrY4BdUNzQZB/aAGbEYxBqEKnQb82h4HQkl/B4jyDQf4rWQIMIPzCDvtWQiJ"
        "pxUJSOZtChDQ7goqSrEKmCwEDJXTTQ3HRe0N1tWCDjjWyw9+vrEP7tfAEF9F8RCr6DsQ+9WWETpH5hE6TO0S"
        "UsBZElkHjRK6XfsTrqIOFCCc7BRqimsUe9y7FN/UYBVPlx4VxRfhFsNb6xbzit4XHZfgF7B39BfbJtUY5HTQ"
        "GQO2XA=="
    )
