from reporting.search.highlight import excerpt, highlight
from reporting.search.query import Term

SPRACHKURS = (Term("sprachkur", prefix=True),)


def test_found_words_are_marked_and_everything_is_escaped():
    text = '<b>Sprachkurse</b> & "Sprachkurs" für <Eltern>'
    assert highlight(text, SPRACHKURS) == (
        "&lt;b&gt;<mark>Sprachkurse</mark>&lt;/b&gt; &amp; &quot;<mark>Sprachkurs</mark>&quot; "
        "für &lt;Eltern&gt;"
    )


def test_a_whole_word_term_marks_only_whole_words():
    assert highlight("BES und besondere", (Term("bes", prefix=False),)) == (
        "<mark>BES</mark> und besondere"
    )


def test_a_short_text_is_the_excerpt():
    assert excerpt("Ein\nSprachkurs", SPRACHKURS) == "Ein <mark>Sprachkurs</mark>"


def test_a_long_text_is_cut_around_the_first_found_word_at_spaces():
    text = "Anfang " + "Wort " * 100 + "der Sprachkurs beginnt " + "Ende " * 100
    cut = excerpt(text, SPRACHKURS, length=60)
    assert cut.startswith("… ") and cut.endswith(" …")
    assert "<mark>Sprachkurs</mark>" in cut
    assert "Wor " not in cut and len(cut) < 100


def test_without_a_found_word_the_excerpt_is_the_beginning():
    cut = excerpt("Wort " * 100, SPRACHKURS, length=20)
    assert cut == "Wort Wort Wort Wort …"
