"""The outline parser and validator: plain text in, dataclasses and German issues out (no DB)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from concept.outline import (
    ERROR,
    FLAG,
    WARNING,
    OutlineInvalid,
    decode_outline,
    derive_district,
    goal_line_text,
    looks_like_collapsed_list,
    read_outline,
    split_goal_text,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "fixtures" / "integrationskonzept-lk-vechta.txt").read_text(encoding="utf-8")
DATA = Path(__file__).resolve().parent / "data"


def seed_with(replacements):
    """The seed with some lines (1-based) replaced; other line numbers stay the same."""
    lines = SEED.split("\n")
    for number, text in replacements.items():
        lines[number - 1] = text
    return "\n".join(lines)


def messages(parsed, level=ERROR):
    return [
        str(issue)
        for issue in {ERROR: parsed.errors, WARNING: parsed.warnings, FLAG: parsed.flags}[level]
    ]


def outline(body, title="Integrationskonzept Testkreis"):
    """A small outline from numbered lines (blank lines between them, as the tool writes)."""
    return "\n\n".join([title, *body]) + "\n"


MINIMAL = [
    "1. Zielsetzung",
    "1.1. Strategisches Ziel 1: Sprache Alle sprechen Deutsch.",
    "1.1.1. Teilziel 1: Mehr Kurse",
]


# --- the seed --------------------------------------------------------------------------------

SEED_GOALS = [
    (1, "Sprachförderung und Spracherwerb", "Jede*r Zugewanderte spricht die deutsche Sprache."),
    (
        2,
        "Bildung",
        "Jede*r Zugewanderte hat die Möglichkeit zur erfolgreichen Teilnahme an Bildungsangeboten.",
    ),
    (
        3,
        "Ausbildung",
        "Bei Vorliegen der Zugangsvoraussetzungen zum Arbeitsmarkt erhält jede*r Zugewanderte "
        "die Möglichkeit eine Ausbildung aufzunehmen.",
    ),
    (
        4,
        "Arbeit und Beschäftigung",
        "Bei Vorliegen der Zugangsvoraussetzungen zum Arbeitsmarkt erhält jede*r Zugewanderte "
        "die Möglichkeit eine Arbeit aufzunehmen.",
    ),
    (
        5,
        "Wohn- und Lebensumfeld",
        "Zugewanderte werden in das örtliche Wohn- und Lebensumfeld integriert.",
    ),
    (
        6,
        "Teilhabe am gesellschaftliche Leben",
        "Zugewanderten soll die Teilhabe am örtlichen gesellschaftlichen Leben erleichtert werden.",
    ),
    (
        7,
        "Aufnehmende Gesellschaft",
        "Die aufnehmende Gesellschaft soll für die Migrationsvielfalt sensibilisiert werden.",
    ),
]


def test_seed_reads_without_errors_or_warnings():
    parsed = read_outline(SEED)
    assert parsed.errors == []
    assert parsed.warnings == []
    assert parsed.title == "Integrationskonzept LK Vechta"
    assert parsed.title_line == 1
    assert parsed.district == "LK Vechta"
    assert [line for line, _text in parsed.skipped] == [3, 4, 5]
    assert (len(parsed.goals), parsed.sub_goal_count, len(parsed.measures)) == (7, 28, 37)
    assert len(parsed.statements) == 11


@pytest.mark.parametrize(("number", "title", "aim"), SEED_GOALS, ids=lambda v: str(v)[:12])
def test_seed_goal_lines_split_into_title_and_aim(number, title, aim):
    goal = read_outline(SEED).goals[number - 1]
    assert (goal.number, goal.title, goal.aim) == (number, title, aim)


def test_short_titles_come_from_the_measures_section():
    goals = read_outline(SEED).goals
    assert [g.short_title for g in goals] == [
        "Sprache",
        "Bildung",
        "Ausbildung",
        "Arbeit und Beschäftigung",
        "Wohn- und Lebensumfeld",
        "Teilhabe am gesellschaftlichen Leben",
        "Aufnehmende Gesellschaft",
    ]


def test_measures_keep_outline_numbers_and_normalised_codes():
    parsed = read_outline(SEED)
    by_number = {m.number: m for m in parsed.measures}
    assert (by_number["4.7.1"].code, by_number["4.7.1"].title) == (
        "aG1",
        "Durchführung einer interkulturellen Woche",
    )
    assert (by_number["4.1.6"].code, by_number["4.1.6"].title) == (
        "S6",
        "Alphabetisierungskurse anbieten",
    )
    uncoded = by_number["4.1.9"]
    assert (uncoded.code, uncoded.goal_number) == ("", 1)
    assert uncoded.title.startswith("Fortschreibung des kreiseigenen Sprachförderkonzeptes")
    assert [m.label for m in parsed.coordination_measures] == ["N1", "N2", "N3", "N4", "N5"]
    assert next(m.number for m in parsed.coordination_measures) == "3.2.1"
    assert [m.position for m in parsed.measures] == list(range(1, 38))
    assert by_number["4.1.5"].target_group == "alle Zuwanderungsgruppen"


def test_statements_and_the_collapsed_network_list():
    parsed = read_outline(SEED)
    assert [(s.section, s.number) for s in parsed.statements] == [
        ("situation", "1.1"),
        ("situation", "1.1.1"),
        ("situation", "1.1.1.1"),
        ("situation", "1.1.2"),
        ("situation", "1.1.3"),
        ("coordination", "3.1"),
        ("coordination", "3.2"),
        ("evaluation", "5.1"),
        ("evaluation", "5.2"),
        ("evaluation", "5.3"),
        ("evaluation", "5.4"),
    ]
    assert [s.number for s in parsed.statements if s.needs_split] == ["3.1"]
    assert messages(parsed, FLAG) == [
        "Zeile 93: 3.1 enthält offenbar eine Liste in einer Zeile – als eine Aussage übernommen "
        "und zum Trennen markiert."
    ]


def test_seed_figures():
    total, ranking = read_outline(SEED).figures
    assert total.name == "Ausländer*innen"
    assert total.statement_number == "1.1"
    assert total.reference_date == dt.date(2019, 12, 31)
    assert [(v.breakdown, v.value, v.position) for v in total.values] == [
        ("", Decimal(20714), 0),
        ("männlich", Decimal(11207), 1),
        ("weiblich", Decimal(9450), 2),
    ]
    assert ranking.name == "Ausländer*innen nach Staatsangehörigkeit (Top 10)"
    assert ranking.statement_number == "1.1.1.1"
    assert ranking.reference_date == dt.date(2019, 12, 31)
    assert ranking.values[0].breakdown == "Polen" and ranking.values[0].value == 3902
    assert ranking.values[8].breakdown == "Russische Föderation"
    assert [v.position for v in ranking.values] == list(range(1, 11))


# --- goal title and aim --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "aim", "how"),
    [
        ("Bildung – Jede*r lernt.", "Bildung", "Jede*r lernt.", "separator"),
        ("Bildung - Jede*r lernt.", "Bildung", "Jede*r lernt.", "separator"),
        ("Bildung: Jede*r lernt.", "Bildung", "Jede*r lernt.", "separator"),
        ("Sprache und Bildung. Jede*r lernt.", "Sprache und Bildung", "Jede*r lernt.", "separator"),
        (
            "Gesundheit Alle haben Zugang zur Versorgung.",
            "Gesundheit",
            "Alle haben Zugang zur Versorgung.",
            "heuristic",
        ),
        (
            "Ankommen Neuzugewanderte finden schnell Beratung.",
            "Ankommen",
            "Neuzugewanderte finden schnell Beratung.",
            "heuristic",
        ),
        (
            "Ankommen Neuzugewanderte nutzen Beratung.",
            "Ankommen Neuzugewanderte nutzen Beratung.",
            "",
            None,
        ),
        ("Gesundheit", "Gesundheit", "", None),
        # A separator inside the aim does not win over the sentence start before it.
        (
            "Bildung Jede*r hat Zugang – auch im Alter.",
            "Bildung",
            "Jede*r hat Zugang – auch im Alter.",
            "heuristic",
        ),
        (
            "Bildung Jede*r lernt. Niemand bleibt zurück.",
            "Bildung",
            "Jede*r lernt. Niemand bleibt zurück.",
            "heuristic",
        ),
        # "z. B." is no sentence end.
        ("Bildung z. B. Kurse", "Bildung z. B. Kurse", "", None),
        # A closing dash says: no aim (the export writes it where the heuristic would split).
        ("Ausbildung Für alle –", "Ausbildung Für alle", "", "separator"),
        ("Bildung: Schule -", "Bildung: Schule", "", "separator"),
    ],
)
def test_split_goal_text(text, title, aim, how):
    assert split_goal_text(text) == (title, aim, how)


def test_unsplittable_goal_is_a_warning_not_an_error():
    parsed = read_outline(
        outline(
            ["1. Zielsetzung", "1.1. Strategisches Ziel 1: Ankommen Neuzugewanderte nutzen Rat."]
        )
    )
    assert parsed.errors == []
    goal = parsed.goals[0]
    assert (goal.title, goal.aim) == ("Ankommen Neuzugewanderte nutzen Rat.", "")
    assert messages(parsed, WARNING) == [
        "Zeile 5: Titel und Zielaussage von Strategisches Ziel 1 ließen sich nicht trennen; der "
        "ganze Text wurde als Titel übernommen, die Zielaussage bleibt leer. Zum Trennen "
        "„Titel – Zielaussage“ schreiben."
    ]


@pytest.mark.parametrize(
    ("title", "aim", "line"),
    [
        ("Bildung", "Jede*r Zugewanderte hat Zugang.", "Bildung Jede*r Zugewanderte hat Zugang."),
        ("Gesundheit", "gute Versorgung für alle", "Gesundheit – gute Versorgung für alle"),
        ("Ankommen", "Neuzugewanderte nutzen Rat.", "Ankommen – Neuzugewanderte nutzen Rat."),
        ("Nur ein Titel", "", "Nur ein Titel"),
        ("Ausbildung Für alle", "", "Ausbildung Für alle –"),
        ("Bildung: Schule", "", "Bildung: Schule –"),
    ],
)
def test_goal_line_text_is_read_back_the_same(title, aim, line):
    assert goal_line_text(title, aim) == line
    assert split_goal_text(line)[:2] == (title, aim)


# --- other districts -------------------------------------------------------------------------


def test_district_with_other_codes_sections_and_separators():
    parsed = read_outline((DATA / "landkreis-musterland.txt").read_text(encoding="utf-8"))
    assert parsed.errors == [] and parsed.warnings == [] and parsed.flags == []
    assert parsed.district == "Landkreis Musterland"
    assert set(parsed.sections) == {"situation", "goals", "measures"}
    goals = {g.number: g for g in parsed.goals}
    assert (goals[1].title, goals[1].aim, goals[1].short_title) == (
        "Integration durch Sprache",
        "Alle Zugewanderten erreichen mindestens das Sprachniveau B1.",
        "Sprache",
    )
    assert goals[2].sub_goals == [] and goals[2].aim.startswith("Zugewanderte kennen")
    # Goal 3 has no line in the Maßnahmen section: short title = title, no measures.
    assert goals[3].short_title == "Gute Nachbarschaft" and goals[3].measures == []
    assert [(m.code, m.number) for m in goals[1].measures] == [
        ("I1", "3.1.1"),
        ("I2", "3.1.2"),
        ("", "3.1.3"),
    ]
    assert goals[1].measures[1].description == (
        "Zwei Gruppen in der Kreisstadt\nFinanzierung über Landesmittel"
    )
    assert [(m.code, m.title) for m in goals[2].measures] == [
        ("GE1", "Mehrsprachiger Gesundheitswegweiser")
    ]
    assert parsed.statements == [] and parsed.figures == []


def test_city_with_top_five_and_a_reference_date_elsewhere():
    parsed = read_outline((DATA / "stadt-beispielstadt.txt").read_text(encoding="utf-8"))
    assert parsed.errors == [] and parsed.warnings == []
    # No title line: the title comes from the tool's "… von Mind Map: …" line.
    assert (parsed.title, parsed.title_line) == ("Integrationskonzept Stadt Beispielstadt", 3)
    assert parsed.district == "Stadt Beispielstadt"
    total, ranking = parsed.figures
    assert total.reference_date == ranking.reference_date == dt.date(2023, 6, 30)
    assert [(v.breakdown, v.value) for v in total.values] == [
        ("", 7950),
        ("weiblich", 4100),
        ("männlich", 3800),
    ]
    assert ranking.name == "Ausländer*innen nach Staatsangehörigkeit (Top 5)"
    assert [v.breakdown for v in ranking.values] == [
        "Ukraine",
        "Syrien",
        "Rumänien",
        "Polen",
        "Afghanistan",
    ]
    assert [s.number for s in parsed.statements if s.needs_split] == ["3.1"]
    assert [m.code for m in parsed.coordination_measures] == ["K1"]
    assert parsed.goals[1].sub_goals == [] and parsed.goals[1].measures == []
    assert parsed.goals[1].short_title == "Arbeit"


# --- variants of the same file -----------------------------------------------------------------


def snapshot(parsed):
    return (
        parsed.title,
        [
            (g.number, g.title, g.aim, g.short_title, [(s.number, s.text) for s in g.sub_goals])
            for g in parsed.goals
        ],
        [(m.number, m.code, m.title, m.goal_number, m.position) for m in parsed.measures],
        [(s.section, s.number, s.text, s.needs_split, s.position) for s in parsed.statements],
        [
            (f.name, f.reference_date, [(v.breakdown, v.value) for v in f.values])
            for f in parsed.figures
        ],
    )


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: "\ufeff" + text, id="bom"),
        pytest.param(
            lambda text: "\n".join(
                "\t" * line.count(".") + "  " + line + "   \t" for line in text.split("\n")
            ),
            id="indentation-and-trailing-spaces",
        ),
        pytest.param(lambda text: text.replace("\n\n", "\n"), id="no-blank-lines"),
    ],
)
def test_layout_variants_read_the_same(variant):
    assert snapshot(read_outline(variant(SEED))) == snapshot(read_outline(SEED))


def test_bom_and_crlf_bytes_decode_to_the_same_outline():
    data = b"\xef\xbb\xbf" + SEED.replace("\n", "\r\n").encode("utf-8")
    text, notes = decode_outline(data)
    assert notes == []
    assert snapshot(read_outline(text)) == snapshot(read_outline(SEED))


def test_windows_1252_is_read_with_a_warning():
    text, notes = decode_outline(SEED.encode("cp1252"))
    assert snapshot(read_outline(text)) == snapshot(read_outline(SEED))
    assert [str(note) for note in notes] == [
        "Die Datei ist nicht UTF-8-kodiert (erstes abweichendes Zeichen in Zeile 9) und wurde "
        "als Windows-1252 gelesen. Bitte Umlaute und Sonderzeichen in der Vorschau prüfen."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\xef\xbb\xbf  \r\n\n", "Die Datei ist leer."),
        (b"%PDF-1.7\n\x00\x01\x02binary", "Die Datei ist keine Textdatei"),
        ("1. Zielsetzung".encode("utf-16"), "Die Datei ist UTF-16-kodiert."),
        (
            b"Titel\n\n1. Zielsetzung\n\x07\n",
            "Zeile 4: Der Text enthält an Stelle 1 das unsichtbare Steuerzeichen U+0007 (BEL)",
        ),
        (b"\x81\x8d\x8f\x90\x9d", "Zeile 1: Die Datei ist keine Textdatei"),
    ],
)
def test_what_is_not_text(data, message):
    with pytest.raises(OutlineInvalid) as caught:
        decode_outline(data)
    assert next(str(issue) for issue in caught.value.issues).startswith(message)


# --- invalid outlines ------------------------------------------------------------------------


def test_gap_in_teilziele_names_line_and_expected_number():
    parsed = read_outline(seed_with({25: ""}))
    assert messages(parsed) == [
        "Zeile 27: Nummerierungslücke – nach 2.1.1 folgt 2.1.3 (erwartet 2.1.2)."
    ]


def test_a_mistyped_number_is_one_error_not_a_cascade():
    # 2.1.2 typed as 2.1.5: the following 2.1.3 and 2.1.4 continue as expected.
    parsed = read_outline(seed_with({25: SEED.split("\n")[24].replace("2.1.2.", "2.1.5.", 1)}))
    assert messages(parsed) == [
        "Zeile 25: Nummerierungslücke – nach 2.1.1 folgt 2.1.5 (erwartet 2.1.2).",
        "Zeile 31: Die Gliederungsnummer 2.1.5 kommt doppelt vor (zuerst in Zeile 25).",
    ]


def test_numbers_going_back_are_reported():
    parsed = read_outline(outline([*MINIMAL, "1.1.3. Teilziel 3: A", "1.1.2. Teilziel 2: B"]))
    assert messages(parsed) == [
        "Zeile 9: Nummerierungslücke – nach 1.1.1 folgt 1.1.3 (erwartet 1.1.2).",
        "Zeile 11: Falsche Reihenfolge – nach 1.1.3 folgt 1.1.2 (erwartet 1.1.4).",
    ]


def test_gap_between_goals_of_the_measures_section():
    parsed = read_outline(seed_with(dict.fromkeys(range(143, 152), "")))
    assert messages(parsed) == [
        "Zeile 153: Nummerierungslücke – nach 4.2 folgt 4.4 (erwartet 4.3)."
    ]


def test_gap_at_the_first_child_and_at_the_start():
    parsed = read_outline(outline(["2. Zielsetzung", "2.2. Strategisches Ziel 1: A – B c."]))
    assert messages(parsed) == [
        "Zeile 3: Nummerierungslücke – die Gliederung beginnt mit 2 (erwartet 1).",
        "Zeile 5: Nummerierungslücke – nach 2 folgt 2.2 (erwartet 2.1).",
    ]


def test_duplicate_number_wrong_order_and_missing_parent():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "1.1.1. Teilziel 2: Doppelt",
                "1.2. Strategisches Ziel 2: Arbeit – Alle arbeiten.",
                "1.1.2. Teilziel 2: Zu spät",
                "1.2.1.1. Ohne Eltern",
            ]
        )
    )
    assert messages(parsed) == [
        "Zeile 9: Die Gliederungsnummer 1.1.1 kommt doppelt vor (zuerst in Zeile 7).",
        "Zeile 13: Falsche Reihenfolge – 1.1.2 steht nach 1.2, aber hinter den Punkten von 1.1.",
        "Zeile 15: Gliederungspunkt 1.2.1.1 steht ohne übergeordneten Punkt 1.2.1.",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "- ein Spiegelstrich",
            "Zeile 9: Keine Gliederungszeile: „- ein Spiegelstrich“. Nach der ersten "
            "nummerierten Zeile muss jede Zeile die Form „<Nummer>. <Text>“ haben; ein Text, der "
            "über mehrere Zeilen geht, gehört in eine Zeile.",
        ),
        (
            "1.1.2.Teilziel 2: Mehr",
            "Zeile 9: Nach der Gliederungsnummer fehlt ein Leerzeichen: „1.1.2.Teilziel 2: Mehr“ "
            "(erwartet z. B. „2.1. Text“).",
        ),
        (
            "1.1.2 Teilziel 2: Mehr",
            "Zeile 9: Der Gliederungsnummer fehlt der abschließende Punkt: „1.1.2 Teilziel 2: "
            "Mehr“ (erwartet z. B. „2.1. Text“).",
        ),
        ("1.1.2.", "Zeile 9: Gliederungspunkt 1.1.2 hat keinen Text."),
    ],
)
def test_lines_that_are_not_outline_lines(line, message):
    parsed = read_outline(outline([*MINIMAL, line]))
    assert messages(parsed) == [message]


def test_semantic_errors_are_all_collected():
    parsed = read_outline(
        outline(
            [
                "1. Zielsetzung",
                "1.1. Strategisches Ziel 1: Sprache – Alle sprechen Deutsch.",
                "1.2. Teilziel 1: Ohne Ziel",
                "2. Maßnahmen zur Zielerreichung",
                "2.1. Strategisches Ziel 1: Sprache",
                "2.1.1. Maßnahme S1: Kurse",
                "2.1.2. Maßnahme s 1: Noch einmal S1",
                "2.2. Strategisches Ziel 8: Unbekannt",
                "2.2.1. Maßnahme X1: Wohin?",
                "2.2.2. Maßnahme X2: Wohin auch?",
                "3. Anhang",
            ]
        )
    )
    assert messages(parsed) == [
        "Zeile 7: „Teilziel 1“ steht außerhalb eines strategischen Ziels – Teilziele gehören "
        "unter „Strategisches Ziel N“ im Abschnitt „Zielsetzung“.",
        "Zeile 15: Das Maßnahmenkürzel s1 kommt doppelt vor (zuerst in Zeile 13).",
        "Zeile 17: Strategisches Ziel 8 ist in der Zielsetzung nicht definiert; die Maßnahmen "
        "darunter können keinem Ziel zugeordnet werden (Maßnahmen in Zeile 19, 21).",
        "Zeile 23: Unbekannter Abschnitt „Anhang“ – erwartet wird einer von: Ausgangslage, "
        "Zielsetzung, Koordination und Netzwerke, Maßnahmen zur Zielerreichung, "
        "Fortschreibung / Evaluation.",
    ]


def test_file_without_zielsetzung():
    parsed = read_outline(outline(["1. Ausgangslage", "1.1. Viele Menschen sind zugewandert."]))
    assert messages(parsed) == [
        "Die Datei enthält keinen Abschnitt „Zielsetzung“ – ohne strategische Ziele kann kein "
        "Konzept angelegt werden."
    ]


def test_empty_zielsetzung_and_text_without_numbers():
    assert messages(read_outline(outline(["1. Zielsetzung"]))) == [
        "Zeile 3: Der Abschnitt „Zielsetzung“ enthält keine strategischen Ziele."
    ]
    assert messages(read_outline("Nur ein Titel\nund noch eine Zeile\n")) == [
        "Die Datei enthält keine nummerierten Gliederungszeilen (z. B. „1. Ausgangslage“). Ist "
        "es der Export der Mind Map als nummerierte Gliederung?"
    ]


def test_misplaced_measures_and_teilziele():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "1.1.2. Maßnahme S1: In der Zielsetzung",
                "2. Koordination und Netzwerke",
                "2.1. Teilziel 1: In der Koordination",
                "3. Fortschreibung / Evaluation",
                "3.1. Maßnahme E1: Jahresbericht",
            ]
        )
    )
    assert messages(parsed) == [
        "Zeile 9: Maßnahme im Abschnitt „Zielsetzung“ – Maßnahmen gehören in den Abschnitt "
        "„Maßnahmen zur Zielerreichung“.",
        "Zeile 13: „Teilziel 1“ steht außerhalb eines strategischen Ziels – Teilziele gehören "
        "unter „Strategisches Ziel N“ im Abschnitt „Zielsetzung“.",
    ]
    # A measure in the Fortschreibung is kept as a statement, with a warning.
    assert [s.text for s in parsed.statements] == ["Maßnahme E1: Jahresbericht"]
    assert messages(parsed, WARNING)[0].startswith("Zeile 17: Maßnahme im Abschnitt")


def test_label_number_differing_from_position_is_a_warning():
    parsed = read_outline(
        outline(["1. Zielsetzung", "1.1. Strategisches Ziel 2: Arbeit – Alle arbeiten."])
    )
    assert parsed.errors == []
    assert parsed.goals[0].number == 2
    assert messages(parsed, WARNING) == [
        "Zeile 5: „Strategisches Ziel 2“ steht an Gliederungsposition 1.1; übernommen wird die "
        "Nummer aus dem Text (2)."
    ]


def test_too_long_texts_are_errors_with_line():
    parsed = read_outline(
        outline(
            [
                "1. Zielsetzung",
                "1.1. Strategisches Ziel 1: Sprache – Alle sprechen Deutsch.",
                "2. Maßnahmen zur Zielerreichung",
                "2.1. Strategisches Ziel 1: Sprache",
                "2.1.1. Maßnahme S1: " + "x" * 501,
            ]
        )
    )
    assert messages(parsed) == [
        "Zeile 11: Der Maßnahmentitel ist 501 Zeichen lang; erlaubt sind höchstens 500."
    ]


# --- figures ---------------------------------------------------------------------------------


def test_figures_without_any_date_are_skipped_with_a_warning():
    parsed = read_outline(
        outline(["1. Ausgangslage", "1.1. Im Kreis: 5.000 Ausländer*innen", *_renumbered(MINIMAL)])
    )
    assert parsed.figures == []
    assert messages(parsed, WARNING) == [
        "Zeile 5: Zahlen ohne Stichtag (weder „Stand …“ noch „Im Jahr …“ in der Ausgangslage) – "
        "nicht als Kennzahl übernommen, nur als Aussage."
    ]
    assert [s.text for s in parsed.statements] == ["Im Kreis: 5.000 Ausländer*innen"]


def test_invalid_reference_date_is_an_error():
    parsed = read_outline(
        outline(
            ["1. Ausgangslage", "1.1. 5.000 Personen (Stand 31.02.2020)", *_renumbered(MINIMAL)]
        )
    )
    assert messages(parsed) == ["Zeile 5: Ungültiges Datum „Stand 31.02.2020“."]


def test_ranking_longer_than_stated_gets_its_real_length():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Top 3 (Stand 2021): Polen (30 Personen) Syrien (20 Personen)",
                *_renumbered(MINIMAL),
            ]
        )
    )
    (figure,) = parsed.figures
    assert figure.name == "Ausländer*innen nach Staatsangehörigkeit (Top 2)"
    assert figure.reference_date == dt.date(2021, 12, 31)
    assert messages(parsed, WARNING) == [
        "Zeile 5: Als Stichtag ist nur das Jahr 2021 angegeben; angenommen wurde der 31.12.2021. "
        "Bitte nach dem Import prüfen.",
        "Zeile 5: Laut Text „Top 3“, aufgeführt sind 2 Einträge – die Kennzahl heißt nach den "
        "aufgeführten Einträgen „Top 2“.",
    ]


def _renumbered(lines, by=1):
    """Shift the top-level number of outline lines (to put a section before them)."""
    result = []
    for line in lines:
        number, text = line.split(". ", 1)
        parts = number.split(".")
        parts[0] = str(int(parts[0]) + by)
        result.append(".".join(parts) + ". " + text)
    return result


# --- lists collapsed into one line ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Vorhandene Netzwerke (beispielhaft): Koordinierungsstab Flüchtlinge (mit dazugehörigen "
        "Arbeitskreisen) Bildungskoordination für Flüchtlinge Koordination der Sprachförderung "
        "Koordinierungsstelle Migration und Teilhabe Integrationslotsen/-lotsinnen KMN-Treffen "
        "Migrationsdienst des Caritas-Sozialwerkes Koordination Kita-Einstieg u.v.m.",
        "Beteiligte: Jobcenter Beispielstadt Volkshochschule Caritasverband Diakonisches Werk",
        "Gremien: Steuerungsgruppe Integration HVB-Konferenz Kreistag",
        # Lists that kept their separators still stand in one line: split them too.
        "Vorhandene Netzwerke: Runder Tisch Integration; Migrationsberatung der AWO; Sprachcafé",
        "Netzwerke: Koordinierungsstab, Bildungskoordination, Integrationslotsen",
        "Angebote (Auswahl): Sprachcafé (Stadt, Kreis) • Lernpaten • Elterntreff",
        "Akteure in den Gemeinden: Jobcenter, Volkshochschule, Caritas, Diakonie, Sportbund",
    ],
)
def test_collapsed_lists_are_recognised(text):
    assert looks_like_collapsed_list(text)


@pytest.mark.parametrize(
    "text",
    [
        "Folgende Maßnahmen zur Verbesserung der Kommunikation und des Informationsaustausches:",
        "Hinweis: Die Zahlen stammen aus dem Ausländerzentralregister der Stadt.",
        "Die Fluchtgründe und Lebensbedingungen im Heimatland von Menschen mit Fluchterfahrung "
        "sind in der Gesellschaft bekannt und nachvollziehbar.",
        "Ziel: Die Menschen finden Arbeit. Die Betriebe finden Fachkräfte.",
        "Ziel: Sprache, Bildung und Arbeit fördern",
        "Netzwerke: Viele arbeiten mit, aber die Abstimmung fehlt noch",
        "Hinweis: Jobcenter, Volkshochschule und Caritas beraten gemeinsam",
        "Regelmäßige Vorstellung in der Steuerungsgruppe Integration",
    ],
)
def test_ordinary_lines_are_not_flagged(text):
    assert not looks_like_collapsed_list(text)


# --- district ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "district", "derived"),
    [
        ("Integrationskonzept LK Vechta", "LK Vechta", True),
        ("Integrationskonzept des Landkreises Emsland 2022–2026", "Landkreis Emsland", True),
        (
            "Integrationskonzept für den Landkreis Osnabrück (Fortschreibung)",
            "Landkreis Osnabrück",
            True,
        ),
        ("Kommunales Integrationskonzept Stadt Oldenburg 2025", "Stadt Oldenburg", True),
        ("Zusammenleben in Cloppenburg", "Zusammenleben in Cloppenburg", False),
    ],
)
def test_district_is_derived_from_the_title(title, district, derived):
    assert derive_district(title) == (district, derived)


def test_title_without_district_warns():
    parsed = read_outline(outline(MINIMAL, title="Zusammenleben in Cloppenburg"))
    assert parsed.district == "Zusammenleben in Cloppenburg"
    assert messages(parsed, WARNING) == [
        "Zeile 1: Die Gebietskörperschaft ließ sich nicht aus dem Titel ablesen; es wird der "
        "Titel eingetragen. Bitte nach dem Import in der Verwaltung korrigieren."
    ]


@pytest.mark.parametrize(
    ("text", "code", "title", "warned"),
    [
        ("Maßnahme aG 1: Interkulturelle Woche", "aG1", "Interkulturelle Woche", False),
        ("Maßnahme S6:Alphabetisierungskurse", "S6", "Alphabetisierungskurse", False),
        ("Maßnahme I1 – Kursträgerkonferenz", "I1", "Kursträgerkonferenz", False),
        ("Massnahme B 2: Förderunterricht", "B2", "Förderunterricht", False),
        ("Maßnahme: Ohne Kürzel", "", "Ohne Kürzel", False),
        ("Maßnahmenpaket 1: Sprachcafés", "", "Maßnahmenpaket 1: Sprachcafés", False),
        ("Maßnahme S1 Feststellung", "", "Maßnahme S1 Feststellung", True),
        ("Maßnahmen S7: Plural", "", "Maßnahmen S7: Plural", True),
        ("Maßnahmen zur Sprachförderung", "", "Maßnahmen zur Sprachförderung", False),
    ],
)
def test_measure_labels(text, code, title, warned):
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "2. Maßnahmen zur Zielerreichung",
                "2.1. Strategisches Ziel 1: Sprache",
                f"2.1.1. {text}",
            ]
        )
    )
    assert parsed.errors == []
    (measure,) = parsed.measures
    assert (measure.code, measure.title, measure.number) == (code, title, "2.1.1")
    assert bool(parsed.warnings) == warned


def test_plural_measure_label_is_named_in_the_warning():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "2. Koordination und Netzwerke",
                "2.1. Maßnahmen K1: Runder Tisch",
                "3. Maßnahmen zur Zielerreichung",
                "3.1. Strategisches Ziel 1: Sprache",
                "3.1.1. Maßnahmen S7: Plural",
            ]
        )
    )
    assert messages(parsed, WARNING) == [
        "Zeile 11: „Maßnahmen K1“ ist kein Maßnahmenkürzel (erwartet „Maßnahme K1: Titel“) – "
        "als Aussage übernommen, nicht als Maßnahme.",
        "Zeile 17: „Maßnahmen S7“ ist kein Maßnahmenkürzel (erwartet „Maßnahme S7: Titel“) – "
        "als Maßnahme ohne Kürzel mit dem ganzen Text als Titel übernommen.",
    ]
    assert [s.text for s in parsed.statements] == ["Maßnahmen K1: Runder Tisch"]


def test_lines_below_a_measure_target_group_and_escaped_description():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "2. Maßnahmen zur Zielerreichung",
                "2.1. Strategisches Ziel 1: Sprache",
                "2.1.1. Maßnahme S1: Kurse. Zielgruppe: alle",
                "2.1.1.1. Zielgruppe: Frauen mit Kindern",
                "2.1.1.2. Beschreibung: Teilziel 1: wird damit erreicht",
                "2.1.1.3. Zweite Zeile",
                "2.1.1.3.1. Zielgruppe: tiefer bleibt es Beschreibung",
                "2.1.2. Maßnahme S2: Treffs",
            ]
        )
    )
    assert parsed.errors == [] and parsed.warnings == []
    first, second = parsed.measures
    assert first.target_group == "Frauen mit Kindern"
    assert first.description == (
        "Teilziel 1: wird damit erreicht\nZweite Zeile\nZielgruppe: tiefer bleibt es Beschreibung"
    )
    assert (second.target_group, second.description) == ("", "")


def test_figure_named_before_the_colon_when_the_label_is_a_unit():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Geflüchtete: 1.234 Personen (Stand 31.12.2020)",
                "1.2. Im Jahr 2020: 5.000 Personen",
                *_renumbered(MINIMAL),
            ]
        )
    )
    assert [(f.name, f.unit, f.values[0].value) for f in parsed.figures] == [
        ("Geflüchtete", "Personen", 1234),
        # A year is no name: the label stays.
        ("Personen", "Personen", 5000),
    ]


def test_parts_exceeding_the_total_name_both_numbers():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Im Landkreis leben 10.000 Ausländer*innen (männlich: 6.000 / weiblich: "
                "4.500) (Stand 31.12.2022)",
                *_renumbered(MINIMAL),
            ]
        )
    )
    assert messages(parsed, WARNING) == [
        "Zeile 5: Die Teilwerte (männlich, weiblich) ergeben zusammen 10.500, mehr als die "
        "Gesamtzahl 10.000 Ausländer*innen – bitte die Zahlen prüfen."
    ]


def test_a_year_alone_as_reference_date_is_reported():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Im Jahr 2022 im Kreis: 5.000 Ausländer*innen",
                *_renumbered(MINIMAL),
            ]
        )
    )
    (figure,) = parsed.figures
    assert figure.reference_date == dt.date(2022, 12, 31)
    assert messages(parsed, WARNING) == [
        "Zeile 5: Als Stichtag ist nur das Jahr 2022 angegeben; angenommen wurde der 31.12.2022. "
        "Bitte nach dem Import prüfen."
    ]
    # A full "Stand" date of that year elsewhere in the Ausgangslage gives the day (the seed).
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Im Jahr 2022 im Kreis: 5.000 Ausländer*innen",
                "1.2. Quelle: Ausländerzentralregister, Stand 30.06.2022",
                *_renumbered(MINIMAL, by=1),
            ]
        )
    )
    assert parsed.figures[0].reference_date == dt.date(2022, 6, 30)
    assert messages(parsed, WARNING) == []
