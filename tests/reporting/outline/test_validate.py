"""Checks across the whole outline and the lengths the database allows (no DB)."""

from reporting.outline.validate import read_outline
from tests.reporting.outline.helpers import (
    SEED,
    messages,
    outline,
)


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
