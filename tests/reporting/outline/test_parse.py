"""Parsing an outline: numbered lines, their tree and numbering, the title and district (no DB)."""

import datetime as dt

import pytest

from reporting.outline.issues import WARNING
from reporting.outline.parse import derive_district
from reporting.outline.validate import read_outline
from tests.reporting.outline.helpers import (
    DATA,
    MINIMAL,
    SEED,
    messages,
    outline,
    parsed_snapshot,
    seed_with,
)

# --- the seed ------------------------------------------------------------------------------


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


# --- other districts -----------------------------------------------------------------------


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


# --- variants of the same file -------------------------------------------------------------


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
    assert parsed_snapshot(read_outline(variant(SEED))) == parsed_snapshot(read_outline(SEED))


# --- invalid outlines ----------------------------------------------------------------------


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


def test_empty_zielsetzung_and_text_without_numbers():
    assert messages(read_outline(outline(["1. Zielsetzung"]))) == [
        "Zeile 3: Der Abschnitt „Zielsetzung“ enthält keine strategischen Ziele."
    ]
    assert messages(read_outline("Nur ein Titel\nund noch eine Zeile\n")) == [
        "Die Datei enthält keine nummerierten Gliederungszeilen (z. B. „1. Ausgangslage“). Ist "
        "es der Export der Mind Map als nummerierte Gliederung?"
    ]


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
