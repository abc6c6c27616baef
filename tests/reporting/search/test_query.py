from reporting.search.query import MAX_WORDS, Term, parse

ABBREVIATIONS = [
    ("BES", "Berufseinstiegsschule"),
    ("Kita", "Kindertagesstätte"),
    ("VerA", "Verhinderung von Ausbildungsabbrüchen"),
]


def groups(text):
    return parse(text, ABBREVIATIONS).groups


def test_each_word_is_a_group_matched_by_its_root_as_a_prefix():
    assert groups("Sprachkurse Eltern") == (
        ((Term("sprachkur", prefix=True),),),
        ((Term("elt", prefix=True),),),
    )


def test_short_words_are_whole_words_and_single_letters_and_filler_words_are_dropped():
    assert groups("Bus und der S4 a") == (
        ((Term("bus", prefix=False),),),
        ((Term("s4", prefix=False),),),
    )


def test_a_short_form_adds_its_long_form_as_an_alternative():
    assert groups("Kitas") == (
        ((Term("kita", prefix=False),), (Term("kindertagesstatt", prefix=True),)),
    )


def test_a_long_form_adds_its_short_form_as_an_alternative():
    assert groups("Berufseinstiegsschulen") == (
        ((Term("berufseinstiegsschul", prefix=True),), (Term("bes", prefix=False),)),
    )
    assert groups("Kindertages")[0][1] == (Term("kita", prefix=False),)


def test_a_long_form_of_several_words_is_one_group():
    assert groups("Verhinderung von Ausbildungsabbrüchen 2025") == (
        (
            (Term("verhind", prefix=True), Term("ausbildungsabbruch", prefix=True)),
            (Term("vera", prefix=False),),
        ),
        ((Term("2025", prefix=True),),),
    )


def test_expansions_are_named_for_the_page():
    query = parse("BES Kindertagesstätten", ABBREVIATIONS)
    assert [(e.asked, e.also) for e in query.expansions] == [
        ("BES", "Berufseinstiegsschule"),
        ("Kindertagesstätten", "Kita"),
    ]


def test_words_beyond_the_limit_are_ignored():
    assert len(groups(" ".join(f"Wort{i}" for i in range(30)))) == MAX_WORDS


def test_the_compact_form_names_a_measure_code():
    assert parse("aG 1").compact == "aG1"
    assert parse("x" * 31).compact == ""


def test_an_empty_query_is_false():
    assert not parse("  und  ")
    assert parse("Sprache")
