"""Outline texts and snapshots shared by the outline tests."""

import re
from pathlib import Path

from concept.models import Concept, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
from measures.models import Measure, ProgressEntry
from reporting.outline.issues import ERROR, FLAG, WARNING

ROOT = Path(__file__).resolve().parents[3]
SEED_PATH = ROOT / "fixtures" / "integrationskonzept-lk-vechta.txt"
SEED = SEED_PATH.read_text(encoding="utf-8")
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


def parsed_snapshot(parsed):
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


def concept_snapshot(concept):
    """Everything the outline defines, keyed so two concepts can be compared."""
    return {
        "goals": list(
            StrategicGoal.objects.filter(concept=concept)
            .order_by("number")
            .values_list("number", "title", "short_title", "aim")
        ),
        "sub_goals": list(
            SubGoal.objects.filter(goal__concept=concept)
            .order_by("goal__number", "number")
            .values_list("goal__number", "number", "text")
        ),
        "measures": list(
            Measure.objects.filter(concept=concept)
            .order_by("position")
            .values_list(
                "position", "number", "code", "title", "goal__number", "target_group", "description"
            )
        ),
        "statements": list(
            Statement.objects.filter(concept=concept)
            .order_by("position")
            .values_list("position", "section", "number", "text")
        ),
        "indicators": list(
            Indicator.objects.filter(concept=concept)
            .order_by("position")
            .values_list(
                "position",
                "name",
                "unit",
                "direction",
                "source",
                "statement__number",
                "sub_goal",
                "is_public",
            )
        ),
        "values": list(
            IndicatorValue.objects.filter(indicator__concept=concept)
            .order_by("indicator__position", "position")
            .values_list(
                "indicator__name",
                "reference_date",
                "period",
                "value",
                "breakdown",
                "source",
                "position",
            )
        ),
    }


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Concept,
            Statement,
            StrategicGoal,
            SubGoal,
            Measure,
            Indicator,
            IndicatorValue,
            ProgressEntry,
        )
    }


NUMBERED = re.compile(r"^\d+(?:\.\d+)*\. ")


def numbered_lines(text):
    return [line for line in text.splitlines() if NUMBERED.match(line)]
