"""Sentence boundaries that footnotes depend on."""

from __future__ import annotations

from monitor.scan.sentences import split_sentences


def sentences(text: str, breaks: tuple[int, ...] = ()) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, breaks)]


def test_initials_and_abbreviations_do_not_end_a_sentence() -> None:
    text = "L.A. County officers help. It is 300,000 U.S. children. Dr. Who came. Done."
    assert sentences(text) == [
        "L.A. County officers help.",
        "It is 300,000 U.S. children.",
        "Dr. Who came.",
        "Done.",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert sentences("He said “Stop.” Then 5 left! Why? (Nobody knows.)") == [
        "He said “Stop.”",
        "Then 5 left!",
        "Why?",
        "(Nobody knows.)",
    ]


def test_lower_case_after_a_full_stop_continues_the_sentence() -> None:
    assert sentences("Version 2. is out. and more") == ["Version 2. is out. and more"]


def test_hard_breaks_end_a_line_of_text() -> None:
    text = "Department of Justice\nOffice of the Attorney General"
    assert sentences(text, (text.index("\n"),)) == [
        "Department of Justice",
        "Office of the Attorney General",
    ]
