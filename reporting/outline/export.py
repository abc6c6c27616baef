"""Database → text: a concept as the numbered outline that the import reads back."""

import re

from concept.models import Concept
from reporting.dashboard.structure import concept_structure
from reporting.outline.goal_text import goal_line_text
from reporting.outline.syntax import (
    DESCRIPTION_LINE,
    DESCRIPTION_WORD,
    GOAL_LABEL,
    MEASURE_LABEL,
    SECTION_HEADINGS,
    SUB_GOAL_LABEL,
    TARGET_GROUP,
    TARGET_GROUP_LINE,
    TARGET_GROUP_WORD,
    OutlineSection,
    dotted,
)


def outline_export(concept: Concept) -> str:
    """The concept as a numbered outline in the import format: title line, the five sections
    numbered 1–5, one item per line, a blank line between lines.

    Goals are numbered 2.k and 4.k in the order of their numbers ("Strategisches Ziel N" keeps
    N); statements and coordination measures keep the depth and order of their stored
    outline numbers, measures under a goal follow their order. Texts with line breaks are
    written on one line; a measure's description follows it as numbered lines.
    """
    structure = concept_structure(concept)
    statements = structure.statements
    sections = [
        (OutlineSection.SITUATION, _statement_items(statements[OutlineSection.SITUATION])),
        (OutlineSection.GOALS, _goal_items(structure.goals)),
        (
            OutlineSection.COORDINATION,
            _statement_items(
                statements[OutlineSection.COORDINATION], structure.coordination_measures
            ),
        ),
        (OutlineSection.MEASURES, _measure_items(structure.goals)),
        (OutlineSection.EVALUATION, _statement_items(statements[OutlineSection.EVALUATION])),
    ]
    lines = [_one_line(concept.title)]
    for number, (key, items) in enumerate(sections, start=1):
        lines.append(f"{number}. {SECTION_HEADINGS[key]}")
        lines.extend(
            f"{dotted(item_number)}. {text}" for item_number, text in _numbered((number,), items)
        )
    return "\n\n".join(lines) + "\n"


def _statement_items(statements, measures=()):
    """(depth, text) of a statement section's lines, by their stored outline numbers; the
    coordination measures among them with their description lines."""
    entries = [(_number_key(s.number), s.position, "s", s) for s in statements]
    entries += [(_number_key(m.number), m.position, "m", m) for m in measures]
    items = []
    # The lines below a measure are its description: nothing that follows it may be
    # nested under it (its stored number may say so, e.g. one entered in the portal).
    measure_depth, last_depth = None, 0
    for key, _position, kind, obj in sorted(entries, key=lambda e: (e[0], e[1], e[2])):
        depth = max(1, min(len(key) - 1, last_depth + 1))  # as _numbered will number it
        if measure_depth is not None:
            depth = min(depth, measure_depth)
        if kind == "s":
            items.append((depth, _one_line(obj.text)))
            measure_depth, last_depth = None, depth
        else:
            items.append((depth, _measure_text(obj)))
            items.extend((depth + 1, line) for line in _description_lines(obj))
            measure_depth, last_depth = depth, depth
    return items


def _goal_items(goals):
    items = []
    for goal in goals:
        items.append(
            (1, f"Strategisches Ziel {goal.number}: {goal_line_text(goal.title, goal.aim)}")
        )
        for sub_goal in sorted(goal.sub_goals.all(), key=lambda s: s.number):
            items.append((2, f"Teilziel {sub_goal.number}: {_one_line(sub_goal.text)}"))
    return items


def _measure_items(goals):
    items = []
    for goal in goals:
        items.append((1, f"Strategisches Ziel {goal.number}: {goal.short_title}"))
        for measure in goal.measures.all():
            items.append((2, _measure_text(measure)))
            items.extend((3, line) for line in _description_lines(measure))
    return items


def _number_key(number):
    return tuple(int(part) if part.isdigit() else 10**6 for part in number.split("."))


def _one_line(text):
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def _measure_text(measure):
    title = _one_line(measure.title)
    return f"Maßnahme {measure.code}: {title}" if measure.code else title


def _reads_as_label(text):
    """Would the import read this line below a measure as something else than description?"""
    labels = (GOAL_LABEL, SUB_GOAL_LABEL, MEASURE_LABEL, TARGET_GROUP_LINE, DESCRIPTION_LINE)
    return any(label.match(text) for label in labels)


def _description_lines(measure):
    """The lines below a measure: its target group where the title does not carry it, then
    one line per paragraph of the description, those that would read as a label prefixed
    with "Beschreibung: " (which the import removes again)."""
    lines = []
    group = _one_line(measure.target_group)
    in_title = TARGET_GROUP.search(_one_line(measure.title))
    if group != (in_title.group("group") if in_title else ""):
        lines.append(f"{TARGET_GROUP_WORD}: {group}".rstrip())
    for paragraph in measure.description.splitlines():
        line = _one_line(paragraph)
        if line:
            lines.append(f"{DESCRIPTION_WORD}: {line}" if _reads_as_label(line) else line)
    return lines


def _numbered(prefix, items):
    """Number (depth, text) items below ``prefix``: depth 1 are its children, depth 2 their
    children …; a depth that skips a level is pulled up so the numbering has no gaps."""
    lines, path = [], []
    for depth, text in items:
        depth = max(1, min(depth, len(path) + 1))
        path = path[:depth]
        if len(path) == depth:
            path[-1] += 1
        else:
            path.append(1)
        lines.append((prefix + tuple(path), text))
    return lines
