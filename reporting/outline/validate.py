"""Cross-checks of a parsed outline that need the whole file (goals defined once, measures
under a defined goal, unique codes) and the lengths the database allows; no queries."""

from django.utils.translation import gettext as _

from concept.models import Concept, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal
from measures.models import Measure
from reporting.outline.issues import WARNING
from reporting.outline.parse import parse_outline
from reporting.outline.syntax import OutlineSection
from reporting.outline.tree import ParsedOutline


def read_outline(text: str) -> ParsedOutline:
    """Parse and validate an outline: everything that can be checked without the database."""
    parsed = parse_outline(text)
    validate_outline(parsed)
    return parsed


def validate_outline(parsed: ParsedOutline) -> None:
    """Cross-checks of a parsed outline; adds issues to it."""
    if not parsed.numbered_lines:
        return  # parse_outline reported that there is no outline at all
    if OutlineSection.GOALS not in parsed.sections:
        parsed.add(
            None,
            _(
                "Die Datei enthält keinen Abschnitt „Zielsetzung“ – ohne strategische Ziele kann "
                "kein Konzept angelegt werden."
            ),
        )
    goals = _unique_goals(parsed)
    _take_short_titles(parsed, goals)
    for measure in parsed.measures:
        goal = goals.get(measure.goal_number)
        if goal is not None:
            goal.measures.append(measure)
    _check_codes(parsed)
    _validate_lengths(parsed)


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _unique_goals(parsed):
    """number → goal, each goal and each of its Teilziele numbered once."""
    goals = {}
    for goal in parsed.goals:
        if goal.number in goals:
            parsed.add(
                goal.line,
                _("Strategisches Ziel %(number)d kommt doppelt vor (zuerst in Zeile %(first)d).")
                % {"number": goal.number, "first": goals[goal.number].line},
            )
            continue
        goals[goal.number] = goal
        seen = {}
        for sub_goal in goal.sub_goals:
            if sub_goal.number in seen:
                parsed.add(
                    sub_goal.line,
                    _(
                        "Teilziel %(number)d kommt in Strategisches Ziel %(goal)d doppelt vor "
                        "(zuerst in Zeile %(first)d)."
                    )
                    % {
                        "number": sub_goal.number,
                        "goal": goal.number,
                        "first": seen[sub_goal.number],
                    },
                )
            seen.setdefault(sub_goal.number, sub_goal.line)
    return goals


def _take_short_titles(parsed, goals):
    """Each goal's short title from its line in the Maßnahmen section, else its title."""
    groups = {}
    for group in parsed.measure_groups:
        goal = goals.get(group.goal_number)
        if goal is None:
            lines = ", ".join(str(line) for line in group.measure_lines)
            message = _(
                "Strategisches Ziel %(number)d ist in der Zielsetzung nicht definiert; die "
                "Maßnahmen darunter können keinem Ziel zugeordnet werden"
            ) % {"number": group.goal_number}
            if lines:
                message += _(" (Maßnahmen in Zeile %(lines)s).") % {"lines": lines}
            else:
                message += "."
            parsed.add(group.line, message)
            continue
        if group.goal_number in groups:
            parsed.add(
                group.line,
                _(
                    "Strategisches Ziel %(number)d steht im Abschnitt „Maßnahmen zur "
                    "Zielerreichung“ doppelt (zuerst in Zeile %(first)d)."
                )
                % {"number": group.goal_number, "first": groups[group.goal_number].line},
            )
            continue
        groups[group.goal_number] = group
        goal.short_title = group.short_title
    short_max = _max_length(StrategicGoal, "short_title")
    for goal in parsed.goals:
        if not goal.short_title:
            goal.short_title = goal.title
            if len(goal.short_title) > short_max:
                goal.short_title = goal.short_title[: short_max - 1].rsplit(" ", 1)[0] + "…"
                parsed.add(
                    goal.line,
                    _(
                        "Kein Kurztitel im Abschnitt „Maßnahmen zur Zielerreichung“ und der Titel "
                        "ist länger als %(max)d Zeichen – als Kurztitel gekürzt."
                    )
                    % {"max": short_max},
                    WARNING,
                )


def _check_codes(parsed):
    codes = {}
    for measure in parsed.measures:
        if not measure.code:
            continue
        key = measure.code.casefold()
        if key in codes:
            parsed.add(
                measure.line,
                _("Das Maßnahmenkürzel %(code)s kommt doppelt vor (zuerst in Zeile %(first)d).")
                % {"code": measure.code, "first": codes[key].line},
            )
        else:
            codes[key] = measure


def _validate_lengths(parsed):
    checks = [(parsed.title_line, parsed.title, Concept, "title", _("Der Titel"))]
    for goal in parsed.goals:
        checks.append((goal.line, goal.title, StrategicGoal, "title", _("Der Titel des Ziels")))
        checks.append(
            (goal.line, goal.short_title, StrategicGoal, "short_title", _("Der Kurztitel"))
        )
    for measure in parsed.measures:
        checks.append((measure.line, measure.title, Measure, "title", _("Der Maßnahmentitel")))
        checks.append((measure.line, measure.code, Measure, "code", _("Das Maßnahmenkürzel")))
        checks.append((measure.line, measure.number, Measure, "number", _("Die Gliederungsnummer")))
        checks.append(
            (measure.line, measure.target_group, Measure, "target_group", _("Die Zielgruppe"))
        )
    for statement in parsed.statements:
        checks.append(
            (statement.line, statement.number, Statement, "number", _("Die Gliederungsnummer"))
        )
    for figure in parsed.figures:
        checks.append((figure.line, figure.name, Indicator, "name", _("Der Kennzahlname")))
        for value in figure.values:
            checks.append(
                (
                    figure.line,
                    value.breakdown,
                    IndicatorValue,
                    "breakdown",
                    _("Die Aufschlüsselung"),
                )
            )
    for line, value, model, name, what in checks:
        limit = _max_length(model, name)
        if value and len(value) > limit:
            parsed.add(
                line,
                _("%(what)s ist %(length)d Zeichen lang; erlaubt sind höchstens %(max)d.")
                % {"what": what, "length": len(value), "max": limit},
            )
