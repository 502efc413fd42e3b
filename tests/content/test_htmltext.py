"""The reader's text of HTML and XML pages on markup that is easy to get wrong."""

from __future__ import annotations

import pytest

from checks.content.htmltext import PageText, page_text


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


# --- which elements hold the main text ---


def test_a_main_inside_an_article_is_the_main_text() -> None:
    text = page_text(page("<article><h1>Story</h1><main><p>Body</p></main><p>After</p></article>"))
    assert text.main == "Body"
    assert text.full == "Story\nBody\nAfter"


def test_only_the_outermost_main_counts() -> None:
    text = page_text(
        page("<p>Intro</p><main><p>One</p><div role='main'><p>Two</p></div></main><p>Out</p>")
    )
    assert text.main == "One\nTwo"


def test_articles_inside_a_main_are_part_of_it() -> None:
    text = page_text(
        page("<main><article>A</article><article>B</article></main><article>C</article>")
    )
    assert text.main == "A\nB"


def test_main_elements_each_start_their_own_lines() -> None:
    text = page_text(page("<p>x <span role='main'>one</span><span role='MAIN'>two</span> y</p>"))
    assert text.main == "one\ntwo"
    assert text.full == "x onetwo y"


def test_a_role_among_several_counts() -> None:
    text = page_text(page("<div>skip</div><div role='region main'>kept</div>"))
    assert text.main == "kept"


def test_outermost_articles_without_a_main() -> None:
    text = page_text(
        page("<div>Menu</div><article>A<article>B</article></article><article>C</article>")
    )
    assert text.main == "A\nB\nC"


def test_a_hidden_main_is_not_the_main_text() -> None:
    text = page_text(page("<main hidden>Old</main><article>New</article>"))
    assert text.main == "New"
    assert text.full == "New"


def test_a_main_inside_a_hidden_block_is_still_the_main_text() -> None:
    text = page_text(page("<div hidden><main>Inside</main></div><p>Outside</p>"))
    assert text.main == "Inside"
    assert text.full == "Outside"


def test_a_main_inside_navigation_is_still_the_main_text() -> None:
    text = page_text(page("<nav><main>Inside</main></nav><p>Outside</p>"))
    assert text.main == "Inside"
    assert text.full == "Outside"


def test_a_main_in_a_template_is_empty_and_the_body_is_used() -> None:
    text = page_text(page("<template><main>Later</main></template><p>Now</p>"))
    assert text.main == "Now"


def test_an_empty_main_falls_back_to_the_page_without_sidebars() -> None:
    text = page_text(page("<main></main><p>Body</p><aside>Fact box</aside>"))
    assert text.main == "Body"
    assert text.full == "Body\nFact box"


# --- what is left out ---


@pytest.mark.parametrize(
    "attributes",
    [
        "hidden",
        "hidden=''",
        "hidden='hidden'",
        "style='display:none'",
        "style='color: red; DISPLAY : None'",
        "style='visibility:hidden'",
    ],
)
def test_hidden_elements_are_left_out(attributes: str) -> None:
    text = page_text(page(f"<p>Shown</p><div {attributes}>Secret</div>"))
    assert (text.main, text.full, text.title) == ("Shown", "Shown", None)
    # A collapsed panel: one click shows it, so evidence in it is still the source's.
    assert text.revealed == "Shown\nSecret"


def test_collapsed_accordion_panels_are_revealed_but_never_code_or_furniture() -> None:
    text = page_text(
        page(
            "<main><h2>Data</h2><button>Show figures</button>"
            "<div class='usa-accordion__content' hidden><p>95% of victims</p>"
            "<nav>Panel menu</nav><script>var x = 1;</script></div></main>"
            "<nav><ul style='display:none'><li>Sub-menu</li></ul></nav>"
        )
    )
    assert (text.main, text.full) == ("Data", "Data")
    assert text.revealed == "Data\n95% of victims"


def test_a_page_without_hidden_elements_has_nothing_to_reveal() -> None:
    assert page_text(page("<p>Shown</p><nav>Menu</nav>")).revealed is None
    # A hidden tracking pixel or an empty hidden block holds no text to reveal.
    hidden = "<img src='/px.gif' style='display:none'><div hidden> </div>"
    assert page_text(page(f"<p>Shown</p>{hidden}")).revealed is None


@pytest.mark.parametrize(
    "attributes", ["hidden='until-found'", "HIDDEN='Until-Found'", "aria-hidden='true'"]
)
def test_elements_a_reader_can_see_are_kept(attributes: str) -> None:
    assert page_text(page(f"<p>Shown</p><div {attributes}>Also shown</div>")).full == (
        "Shown\nAlso shown"
    )


def test_code_and_comments_are_not_text() -> None:
    markup = page(
        "<p>a<!-- note -->b</p><script>var x = 1;</script><style>p {}</style>"
        "<noscript>Enable scripts</noscript><template><p>later</p></template>"
        "<iframe>frame</iframe><object>obj</object><canvas>pixels</canvas><math><mi>x</mi></math>"
        "<p>c<?php echo 1 ?>d</p>",
        head="<title>T</title><style>body {}</style>",
    )
    assert page_text(markup) == PageText("ab\ncd", "ab\ncd", "T")


def test_furniture_is_left_out_but_sidebars_stay_in_the_full_text() -> None:
    markup = page(
        "<header>Site</header><nav>Menu</nav><div role='banner'>Banner</div>"
        "<form><input name='q'><button>Search</button></form><p>Body</p>"
        "<aside>Fact</aside><div role='complementary'>Box</div>"
        "<div role='search'>Find</div><select><option>One</option></select>"
        "<footer>Copyright</footer><div role='contentinfo'>Info</div>"
    )
    assert page_text(markup) == PageText("Body", "Body\nFact\nBox", None)


def test_an_articles_own_header_and_footer_are_content() -> None:
    text = page_text(
        page("<article><header>By A. Writer</header><p>Text</p><footer>2024</footer></article>")
    )
    assert text.main == "By A. Writer\nText\n2024"


def test_a_form_around_the_whole_page_is_content() -> None:
    text = page_text(page("<form><section><h2>Report</h2><p>Figures</p></section></form>"))
    assert text.main == "Report\nFigures"


def test_a_webforms_page_inside_one_form_is_content() -> None:
    # ASP.NET and SharePoint pages: no main, section or h1/h2, only prose in the form.
    text = page_text(
        page(
            "<form id='aspnetForm'><input type='hidden' name='__VIEWSTATE'>"
            "<div id='content'><h3>Facts</h3><p>An estimated 325,000 children are at risk.</p>"
            "<table><tr><td>2013</td><td>1,200</td></tr></table></div></form>"
        )
    )
    assert text.main == "Facts\nAn estimated 325,000 children are at risk.\n2013 1,200"


def test_a_sign_up_form_with_a_line_of_help_is_still_furniture() -> None:
    text = page_text(
        page(
            "<p>Body</p><form><h3>Newsletter</h3><p>We never share your address.</p>"
            "<input name='email'><button>Sign up</button></form>"
        )
    )
    assert (text.main, text.full) == ("Body", "Body")


def test_a_main_that_is_also_a_sidebar_is_main_text() -> None:
    text = page_text(page("<p>Body</p><aside role='main'>Side</aside>"))
    assert text.main == "Side"
    assert text.full == "Body\nSide"


# --- how text is joined ---


def test_inline_markup_joins_and_blocks_break_lines() -> None:
    markup = page(
        "<p>100,<b>000</b> chil<i>dren</i></p><div>one<br>two<br/>three</div>"
        "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>"
        "<p>100,000<sup>1</sup> and H<sub>2</sub>O</p>"
    )
    assert (
        page_text(markup).full == "100,000 children\none\ntwo\nthree\na b\nc d\n100,000 1 and H 2O"
    )


def test_line_breaks_in_the_source_are_spaces() -> None:
    markup = page("<p>one\r\ntwo\nthree\u2028four\u2029five\x0bsix\x0cseven</p>")
    assert page_text(markup).full == "one two three four five six seven"


def test_entities_are_decoded() -> None:
    markup = page("<p>A&nbsp;&amp;&#160;B &lt;tag&gt; &quot;q&quot; caf&eacute; &#x2028;end</p>")
    assert page_text(markup).full == 'A & B <tag> "q" café end'


def test_ruby_annotations_are_read_inline() -> None:
    assert page_text(page("<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>字</p>")).full == (
        "漢(kan)字"
    )


@pytest.mark.parametrize("depth", [200, 254, 255, 300, 3000])
def test_deep_nesting_is_read_to_the_bottom(depth: int) -> None:
    # libxml2's own tree stops at 255 levels; the text does not.
    markup = page("<div>" * depth + "<b>deep</b>" + "</div>" * depth + "<main><p>after</p></main>")
    assert page_text(markup) == PageText("after", "deep\nafter", None)


# --- the title ---


def test_the_title_is_not_an_icons_title() -> None:
    markup = page("<svg><title>Menu icon</title></svg><p>Body</p>", head="<title>Real</title>")
    assert page_text(markup).title == "Real"


def test_only_icon_titles_give_no_title() -> None:
    markup = page("<svg><title>Icon</title><g><title>Other</title></g></svg><p>Body</p>")
    assert page_text(markup).title is None


def test_the_title_is_collapsed_and_decoded() -> None:
    # A title holds text only: what looks like markup in it is text.
    markup = page("<p>x</p>", head="<title>\n  A &amp; B\t<b>C</b>\n</title>")
    assert page_text(markup).title == "A & B <b>C</b>"


def test_an_empty_title_is_no_title() -> None:
    assert page_text(page("<p>x</p>", head="<title> </title><title>Second</title>")).title is None


# --- broken and unusual documents ---


def test_malformed_html_is_read_as_a_browser_would_recover_it() -> None:
    markup = "<html><body><p>One<p>Two</b><div>Three</span><table><td>Cell</table><p>Four"
    assert page_text(markup).full == "One\nTwo\nThree\nCell\nFour"


def test_content_after_the_end_of_the_document_is_read() -> None:
    markup = "<html><body><main><p>Main</p></main></body></html><p>Late</p>after"
    assert page_text(markup) == PageText("Main", "Main\nLate\nafter", None)


@pytest.mark.parametrize(
    "markup",
    ["<!DOCTYPE html><html><head></head><body></body></html>", "<!-- only a comment -->", "<?pi?>"],
)
def test_documents_without_text(markup: str) -> None:
    assert page_text(markup) == PageText("", "", None)


@pytest.mark.parametrize(("markup", "text"), [("1 < 2", "1 < 2"), ("<>", "<>"), ("a</>b", "ab")])
def test_stray_angle_brackets(markup: str, text: str) -> None:
    assert page_text(markup).full == text


def test_text_without_markup_keeps_its_lines() -> None:
    assert page_text("  one \n\n two  three ") == PageText("one\ntwo three", "one\ntwo three", None)


def test_a_byte_order_mark_is_not_text() -> None:
    assert page_text("\ufeff<p>Body</p>").full == "Body"


def test_nul_characters_are_not_line_breaks() -> None:
    assert page_text(page("<p>a\x00b&#0;c</p>")).full == "a\ufffdb\ufffdc"


# --- XML ---


def test_xml_elements_are_all_blocks_and_namespaces_are_read() -> None:
    feed = (
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<title>Feed</title><entry><title>First</title><summary>100,<b>000</b></summary>"
        "</entry></feed>"
    )
    assert page_text(feed, xml=True) == PageText(
        "Feed\nFirst\n100,\n000", "Feed\nFirst\n100,\n000", "Feed"
    )


def test_xml_rules_on_prefixed_elements_use_local_names() -> None:
    document = (
        "<doc xmlns:s='http://www.w3.org/2000/svg' xmlns:h='http://www.w3.org/1999/xhtml'>"
        "<s:svg><s:title>Icon</s:title></s:svg><h:title>Doc</h:title>"
        "<h:nav>Menu</h:nav><h:main><h:p>Body<h:br/>line</h:p></h:main><p hidden=''>x</p></doc>"
    )
    assert page_text(document, xml=True) == PageText(
        "Body\nline", "Doc\nBody\nline", "Doc", revealed="Doc\nBody\nline\nx"
    )


def test_xml_cdata_is_text_and_comments_are_not() -> None:
    document = "<doc><p>a<![CDATA[<b>]]>c<!-- no --></p></doc>"
    assert page_text(document, xml=True).full == "a<b>c"


def test_broken_xml_is_read_as_the_parser_recovers_it() -> None:
    # The start tag with an unquoted attribute stays open: what follows is inside it.
    document = "<doc><p>one</p><p a=b><span>two</span>three</p></doc>"
    assert page_text(document, xml=True).full == "one\nb>\ntwo\nthree"


def test_xml_after_an_internal_dtd_subset() -> None:
    document = "<!DOCTYPE doc [<!ENTITY e 'entity'>]><doc><p>&e; text</p></doc>"
    assert page_text(document, xml=True) == PageText("", "", None)


def test_an_empty_xml_document() -> None:
    assert page_text("<", xml=True) == PageText("", "", None)
