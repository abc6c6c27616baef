"""Outline tree → goals, Teilziele, measures and statements, section by section (what becomes
what: see ``syntax``). Lines in the wrong place are reported, or taken over with a warning."""

from django.utils.translation import gettext as _

from reporting.outline.goal_text import split_goal_text
from reporting.outline.issues import WARNING, quote
from reporting.outline.syntax import (
    DESCRIPTION_LINE,
    GOAL_LABEL,
    MEASURE_LABEL,
    MEASURE_PLURAL_LABEL,
    MEASURE_WORD,
    SECTION_ALIASES,
    SECTION_HEADINGS,
    SUB_GOAL_LABEL,
    TARGET_GROUP,
    TARGET_GROUP_LINE,
    OutlineSection,
    heading_key,
)
from reporting.outline.tree import (
    MeasureGroup,
    OutlineGoal,
    OutlineMeasure,
    OutlineStatement,
    OutlineSubGoal,
)


def map_sections(roots, parsed):
    """Read the top-level lines as the sections they name."""
    handlers = {
        OutlineSection.SITUATION: _map_statement_section,
        OutlineSection.GOALS: _map_goals,
        OutlineSection.COORDINATION: _map_statement_section,
        OutlineSection.MEASURES: _map_measures,
        OutlineSection.EVALUATION: _map_statement_section,
    }
    expected = ", ".join(SECTION_HEADINGS.values())
    for node in roots:
        section = SECTION_ALIASES.get(heading_key(node.text))
        if section is None:
            parsed.add(
                node.line,
                _("Unbekannter Abschnitt %(heading)s – erwartet wird einer von: %(expected)s.")
                % {"heading": quote(node.text), "expected": expected},
            )
            continue
        if section in parsed.sections:
            parsed.add(
                node.line,
                _("Der Abschnitt %(heading)s kommt doppelt vor (zuerst in Zeile %(first)d).")
                % {"heading": quote(SECTION_HEADINGS[section]), "first": parsed.sections[section]},
            )
            continue
        parsed.sections[section] = node.line
        handlers[section](node, section, parsed)


def _misplaced_label(node, parsed, section):
    """Report a goal or Teilziel label where it does not belong; True if it was one."""
    if GOAL_LABEL.match(node.text):
        parsed.add(
            node.line,
            _(
                "„Strategisches Ziel“ im Abschnitt %(section)s – strategische Ziele gehören in "
                "die Abschnitte „Zielsetzung“ und „Maßnahmen zur Zielerreichung“."
            )
            % {"section": quote(SECTION_HEADINGS[section])},
        )
        return True
    if SUB_GOAL_LABEL.match(node.text):
        parsed.add(node.line, _sub_goal_outside_goal_message(node))
        return True
    return False


def _sub_goal_outside_goal_message(node):
    return _(
        "%(label)s steht außerhalb eines strategischen Ziels – Teilziele gehören unter "
        "„Strategisches Ziel N“ im Abschnitt „Zielsetzung“."
    ) % {"label": quote(node.text.split(":")[0])}


def _map_statement_section(node, section, parsed):
    """Ausgangslage, Koordination und Netzwerke, Fortschreibung / Evaluation."""
    for child in node.children:
        _map_statement(child, section, parsed)


def _map_statement(node, section, parsed):
    if _misplaced_label(node, parsed, section):
        return
    if section == OutlineSection.COORDINATION and MEASURE_PLURAL_LABEL.match(node.text):
        parsed.add(
            node.line,
            _(
                "„Maßnahmen %(code)s“ ist kein Maßnahmenkürzel (erwartet „Maßnahme %(code)s: "
                "Titel“) – als Aussage übernommen, nicht als Maßnahme."
            )
            % {"code": MEASURE_PLURAL_LABEL.match(node.text).group("code")},
            WARNING,
        )
    if node.text and MEASURE_LABEL.match(node.text):
        if section == OutlineSection.COORDINATION:
            parsed.measures.append(_read_measure(node, None, parsed, section))
            return
        parsed.add(
            node.line,
            _(
                "Maßnahme im Abschnitt %(section)s – als Aussage übernommen, nicht als "
                "Maßnahme. Maßnahmen stehen unter „Maßnahmen zur Zielerreichung“ oder "
                "„Koordination und Netzwerke“."
            )
            % {"section": quote(SECTION_HEADINGS[section])},
            WARNING,
        )
    if node.text:
        parsed.statements.append(OutlineStatement(node.line, node.dotted, section, node.text))
    for child in node.children:
        _map_statement(child, section, parsed)


def _read_measure(node, goal_number, parsed, section):
    code, title = _measure_label(node, parsed)
    target = TARGET_GROUP.search(title)
    target_group, description = _lines_below_measure(
        node, target.group("group") if target else "", parsed, section
    )
    return OutlineMeasure(
        line=node.line,
        number=node.dotted,
        code=code,
        title=title,
        goal_number=goal_number,
        description=description,
        target_group=target_group,
    )


def _measure_label(node, parsed):
    """(code, title) of a measure line; "" as code where it has none."""
    match = MEASURE_LABEL.match(node.text)
    if match:
        title = match.group("title").strip()
        if not title:
            parsed.add(node.line, _("Die Maßnahme hat keinen Titel."))
        return (match.group("letters") or "") + (match.group("digits") or ""), title
    if MEASURE_PLURAL_LABEL.match(node.text):
        parsed.add(
            node.line,
            _(
                "„Maßnahmen %(code)s“ ist kein Maßnahmenkürzel (erwartet „Maßnahme "
                "%(code)s: Titel“) – als Maßnahme ohne Kürzel mit dem ganzen Text als Titel "
                "übernommen."
            )
            % {"code": MEASURE_PLURAL_LABEL.match(node.text).group("code")},
            WARNING,
        )
    elif MEASURE_WORD.match(node.text):
        parsed.add(
            node.line,
            _(
                "Kein Maßnahmenkürzel erkannt (erwartet „Maßnahme KÜRZEL: Titel“) – als "
                "Maßnahme ohne Kürzel übernommen."
            ),
            WARNING,
        )
    return "", node.text


def _lines_below_measure(node, target_group, parsed, section):
    """(target group, description) from the lines below a measure; ``target_group`` is the
    one its title names, if any."""
    group_line = None
    description = []
    for child in node.descendants():
        if _misplaced_label(child, parsed, section):
            continue
        if MEASURE_LABEL.match(child.text):
            parsed.add(
                child.line,
                _(
                    "Maßnahme unter einer anderen Maßnahme (%(parent)s) – Maßnahmen stehen "
                    "direkt unter ihrem strategischen Ziel."
                )
                % {"parent": node.dotted},
            )
            continue
        group = TARGET_GROUP_LINE.match(child.text)
        if group and group_line is None and child in node.children:
            # "Zielgruppe: …" directly below the measure wins over one in its title.
            target_group, group_line = group.group("group").strip(), child.line
            continue
        escaped = DESCRIPTION_LINE.match(child.text)
        description.append(escaped.group("text") if escaped else child.text)
    return target_group, "\n".join(description)


def _map_goals(node, section, parsed):
    if not node.children:
        parsed.add(node.line, _("Der Abschnitt „Zielsetzung“ enthält keine strategischen Ziele."))
    for child in node.children:
        match = GOAL_LABEL.match(child.text)
        if not match:
            if SUB_GOAL_LABEL.match(child.text):
                parsed.add(child.line, _sub_goal_outside_goal_message(child))
            elif child.text:
                parsed.add(
                    child.line,
                    _(
                        "Im Abschnitt „Zielsetzung“ wird „Strategisches Ziel N: Titel "
                        "Zielaussage“ erwartet, gefunden: %(text)s."
                    )
                    % {"text": quote(child.text)},
                )
            continue
        number, rest = int(match.group(1)), match.group(2).strip()
        _check_label_number(child, number, _("Strategisches Ziel"), parsed)
        if not rest:
            parsed.add(
                child.line,
                _("Strategisches Ziel %(number)d hat keinen Titel.") % {"number": number},
            )
        title, aim, how = split_goal_text(rest)
        if rest and how is None:
            parsed.add(
                child.line,
                _(
                    "Titel und Zielaussage von Strategisches Ziel %(number)d ließen sich nicht "
                    "trennen; der ganze Text wurde als Titel übernommen, die Zielaussage bleibt "
                    "leer. Zum Trennen „Titel – Zielaussage“ schreiben."
                )
                % {"number": number},
                WARNING,
            )
        goal = OutlineGoal(child.line, number, title, aim)
        for sub in child.children:
            _map_sub_goal(sub, goal, parsed)
        parsed.goals.append(goal)


def _map_sub_goal(node, goal, parsed):
    if GOAL_LABEL.match(node.text):
        parsed.add(
            node.line,
            _("Strategisches Ziel innerhalb von Strategisches Ziel %(number)d.")
            % {"number": goal.number},
        )
        return
    if MEASURE_LABEL.match(node.text):
        parsed.add(
            node.line,
            _(
                "Maßnahme im Abschnitt „Zielsetzung“ – Maßnahmen gehören in den Abschnitt "
                "„Maßnahmen zur Zielerreichung“."
            ),
        )
        return
    match = SUB_GOAL_LABEL.match(node.text)
    if match:
        number, text = int(match.group(1)), match.group(2).strip()
        _check_label_number(node, number, _("Teilziel"), parsed)
        if not text:
            parsed.add(node.line, _("Teilziel %(number)d hat keinen Text.") % {"number": number})
    else:
        number, text = node.number[-1], node.text
    goal.sub_goals.append(OutlineSubGoal(node.line, number, text))
    for deeper in node.descendants():
        parsed.add(
            deeper.line,
            _(
                "Unter einem Teilziel sind keine weiteren Gliederungspunkte vorgesehen "
                "(%(number)s unter Teilziel %(goal)d.%(sub_goal)d)."
            )
            % {"number": deeper.dotted, "goal": goal.number, "sub_goal": number},
        )


def _check_label_number(node, number, label, parsed):
    if number != node.number[-1]:
        parsed.add(
            node.line,
            _(
                "„%(label)s %(number)d“ steht an Gliederungsposition %(position)s; übernommen "
                "wird die Nummer aus dem Text (%(number)d)."
            )
            % {"label": label, "number": number, "position": node.dotted},
            WARNING,
        )


def _map_measures(node, section, parsed):
    for child in node.children:
        match = GOAL_LABEL.match(child.text)
        if match:
            goal_number, short_title = int(match.group(1)), match.group(2).strip()
            _check_label_number(child, goal_number, _("Strategisches Ziel"), parsed)
        elif MEASURE_LABEL.match(child.text):
            parsed.add(
                child.line,
                _(
                    "Maßnahme ohne strategisches Ziel – im Abschnitt „Maßnahmen zur "
                    "Zielerreichung“ stehen Maßnahmen unter „Strategisches Ziel N: Kurztitel“."
                ),
            )
            continue
        elif SUB_GOAL_LABEL.match(child.text):
            parsed.add(child.line, _sub_goal_outside_goal_message(child))
            continue
        else:
            goal_number, short_title = child.number[-1], child.text
            parsed.add(
                child.line,
                _(
                    "Überschrift ohne „Strategisches Ziel N:“ – nach ihrer Gliederungsposition "
                    "Strategisches Ziel %(number)d zugeordnet."
                )
                % {"number": goal_number},
                WARNING,
            )
        group = MeasureGroup(child.line, goal_number, short_title)
        parsed.measure_groups.append(group)
        for item in child.children:
            if _misplaced_label(item, parsed, OutlineSection.MEASURES):
                continue
            measure = _read_measure(item, goal_number, parsed, section)
            group.measure_lines.append(item.line)
            parsed.measures.append(measure)
