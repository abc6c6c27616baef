"""A goal line's title and aim, read and written back (no DB)."""

import pytest

from reporting.outline.goal_text import goal_line_text, split_goal_text
from reporting.outline.issues import WARNING
from reporting.outline.validate import read_outline
from tests.reporting.outline.helpers import (
    SEED,
    messages,
    outline,
)

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


@pytest.mark.parametrize(("number", "title", "aim"), SEED_GOALS, ids=lambda v: str(v)[:12])
def test_seed_goal_lines_split_into_title_and_aim(number, title, aim):
    goal = read_outline(SEED).goals[number - 1]
    assert (goal.number, goal.title, goal.aim) == (number, title, aim)


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
