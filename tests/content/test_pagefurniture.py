"""A PDF's running headers and footers are left out of the text searched."""

from __future__ import annotations

from fpdf import FPDF

from checks.content import analyse
from checks.content.pagefurniture import without_running_lines
from checks.model import ClaimSpec

QUOTE = "children are at risk of being sold for sex each year within the United States"


class _Report(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, "U.S. Department of Justice, Office of the Inspector General")
        self.ln(8)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, f"- {self.page_no()} -", align="C")


def _report_with_a_sentence_over_a_page_break() -> bytes:
    pages = [
        ["Findings of the review.", "The FBI estimates that hundreds of thousands of "
         "American children are at risk of being sold for sex each"],
        ["year within the United States, and the number grows.", "Methods follow."],
        ["Recommendations.", "Every county should keep a registry."],
    ]  # fmt: skip
    pdf = _Report()
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_quote_over_a_page_break_is_found_without_the_running_lines() -> None:
    body = _report_with_a_sentence_over_a_page_break()
    analysis = analyse(
        body, "application/pdf", "https://example.org/r.pdf", [ClaimSpec("q", QUOTE)]
    )
    assert analysis.extracted.pages is not None and analysis.extracted.pages >= 3
    assert "Inspector General" not in analysis.extracted.text
    assert "- 2 -" not in analysis.extracted.text
    (finding,) = analysis.findings
    assert finding.found and finding.method in ("exact", "normalised")


def test_lines_repeated_inside_pages_or_on_few_pages_stay() -> None:
    pages = [
        "Annual Report\nIntroduction\nTotal 12\nPage 1 of 4",
        "Annual Report\nMethods\nTotal 12\nmore text\nPage 2 of 4",
        "Annual Report\nResults\n325,000 children\nTotal 12\nend\nPage 3 of 4",
        "Summary\nOnly this page\nclosing words here\nand more",
    ]
    kept = without_running_lines(pages)
    assert kept[0] == "Introduction\nTotal 12"
    assert kept[2] == "Results\n325,000 children\nTotal 12\nend"
    assert kept[3] == pages[3]


def test_two_pages_are_too_few_to_tell_running_lines() -> None:
    pages = ["Title\nbody one", "Title\nbody two"]
    assert without_running_lines(pages) == pages


def test_rows_of_a_table_continued_over_pages_stay() -> None:
    # The rows at the page edges look alike but for their numbers, which do not count
    # with the pages.
    pages = [
        "\n".join(
            f"FY {1960 + 10 * page + row} children served {200 + row},000" for row in range(8)
        )
        + f"\n- {page + 1} -"
        for page in range(6)
    ]
    kept = without_running_lines(pages)
    assert "FY 1960 children served 200,000" in kept[0]
    assert [page.count("FY ") for page in kept] == [8] * 6
    assert not any("- 2 -" in page for page in kept)


def test_a_page_number_may_start_past_the_cover() -> None:
    words = ["Methods", "Findings", "Arrests", "Services", "Courts"]
    pages = ["Cover\nA report"] + [
        f"Annual report 2013\n{word} are described.\n{word} in detail.\nPage {n} of 5"
        for n, word in enumerate(words, start=1)
    ]
    kept = without_running_lines(pages)
    assert kept[1] == "Methods are described.\nMethods in detail."
    assert kept[0] == pages[0]


def test_page_numbers_that_start_again_or_run_by_chapter_are_running() -> None:
    body = "Finding {n} is set out in this paragraph."
    chapters = [
        f"Final Report on Water Quality\n{body.format(n=n)}\nmore\nPage {n // 4 + 1}-{n % 4 + 1}"
        for n in range(12)
    ]
    exhibits = [
        f"Case 1:20-cv-00123 Document 5 Filed 01/02/20 Page {n % 4 + 1} of 4\n{body.format(n=n)}"
        for n in range(12)
    ]
    assert not any("Page" in page or "Final" in page for page in without_running_lines(chapters))
    assert not any("Case 1" in page for page in without_running_lines(exhibits))


def test_a_number_alone_at_an_edge_is_kept_unless_it_is_the_page_number() -> None:
    pages = [f"Paragraph {word} of the body.\nMore text.\nClosing line.\n{n + 1}" for n, word in
             enumerate(["one", "two", "three", "four", "five", "six"])]  # fmt: skip
    pages[2] = "Paragraph three of the body.\nThe total number of admissions was\n1500\n3"
    kept = without_running_lines(pages)
    assert kept[2] == "Paragraph three of the body.\nThe total number of admissions was\n1500"
