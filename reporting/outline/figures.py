"""Kennzahlen in the Ausgangslage: the totals and rankings an outline states in its lines.

Two patterns, those of the LK Vechta outline:

* "<number> <label> (<key>: <number> / <key>: <number>)" (or just "…: <number> <label>")
  → indicator <label> with the total (breakdown "") and one value per key.
* "<name> (<number> Personen) <name> (<number> Personen) …" → "<population> nach
  Staatsangehörigkeit (Top N)", N = the number of names listed, one value per name in
  rank order; <population> is the label of the first total ("Ausländer*innen").

Reference date: the line's own ("Stand 31.12.2019", "Im Jahr 2019" → 31.12.2019), else a
"Stand" date written elsewhere in the Ausgangslage (the first one; a warning if they
differ). A figure without any date is not taken over (warning).
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from concept import formatting
from reporting.outline.goal_text import SENTENCE_STARTERS
from reporting.outline.issues import WARNING
from reporting.outline.syntax import LIST_END, OutlineSection
from reporting.outline.tree import FigureValue, OutlineFigure

GERMAN_INT = r"\d{1,3}(?:\.\d{3})+|\d+"
STAND_DATE = re.compile(r"\bStand:?\s*(?:vom\s+|zum\s+)?(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
STAND_YEAR = re.compile(r"\bStand:?\s*(\d{4})\b")
IN_YEAR = re.compile(r"\b(?:im\s+)?Jahr(?:e)?\s+(\d{4})\b", re.IGNORECASE)
STAND_SUFFIX = re.compile(r"\s*\(?\s*Stand[^()]*\)?\s*\.?\s*$")
TOTAL_WITH_PARTS = re.compile(
    rf"(?<![\d.])(?P<total>{GERMAN_INT})\s+(?P<label>[A-ZÄÖÜ][^\d():;/]*?)\s*"
    r"\((?P<parts>[^()]+)\)"
)
PART = re.compile(rf"^\s*(?P<key>[^\d:]+?)\s*:\s*(?P<value>{GERMAN_INT})\s*$")
TOTAL_ONLY = re.compile(
    rf"^(?:[^:]*:\s*)?(?P<total>{GERMAN_INT})\s+(?P<label>[A-ZÄÖÜ][\w*:/-]*(?:\s+[\w*/-]+){{0,3}})"
    r"\s*\.?$"
)
RANKING_ITEM = re.compile(
    rf"\s*(?:[,;]\s*|und\s+)?(?P<name>[^(),;]+?)\s*\((?P<value>{GERMAN_INT})\s+Personen\)"
)
NUMBER_WORDS = {
    2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht",
    9: "neun", 10: "zehn", 11: "elf", 12: "zwölf",
}  # fmt: skip
FIGURE_SOURCE = "Integrationskonzept, Ausgangslage"
SEX_KEYS = {"männlich", "weiblich", "divers", "ohne angabe"}
DEFAULT_POPULATION = "Ausländer*innen"


def _german_int(text):
    return Decimal(text.replace(".", ""))


def _own_date(statement, parsed):
    """The reference date written in the line itself, if any ("Stand 31.12.2019",
    "Stand 2019", "Im Jahr 2019"), and whether the line gives the day (a year alone gives
    31 December, which the caller reports as assumed)."""
    match = STAND_DATE.search(statement.text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day), True
        except ValueError:
            parsed.add(
                statement.line,
                _("Ungültiges Datum „%(date)s“.") % {"date": match.group(0)},
            )
            return None, False
    match = STAND_YEAR.search(statement.text) or IN_YEAR.search(statement.text)
    if match:
        return dt.date(int(match.group(1)), 12, 31), False
    return None, False


# Labels after a number that are units, not names ("Geflüchtete: 1.234 Personen"): the
# figure is then named by the text before the colon.
UNIT_LABELS = {"personen", "menschen", "einwohner*innen", "einwohner", "fälle", "haushalte"}
NAME_BEFORE_COLON = re.compile(r"^(?P<name>[^:]+?)\s*:\s*[\d.]+\s")


def _total_with_parts(text):
    match = TOTAL_WITH_PARTS.search(text)
    if match is None:
        return None
    parts = []
    for part in re.split(r"\s*[/,;]\s*", match.group("parts")):
        part_match = PART.match(part)
        if part_match is None:
            return None
        parts.append((part_match.group("key"), _german_int(part_match.group("value"))))
    if len(parts) < 2:
        return None
    label = match.group("label").strip()
    return label, _german_int(match.group("total")), parts


def _total_only(text):
    match = TOTAL_ONLY.match(STAND_SUFFIX.sub("", text))
    if match is None:
        return None
    return match.group("label").strip(), _german_int(match.group("total")), []


def _figure_name(text, label):
    """The name of a total: its label ("20.714 Ausländer*innen"), or, where the label is a
    unit ("Geflüchtete: 1.234 Personen"), the name before the colon – unless that is only a
    time or place ("Im Jahr 2020: …")."""
    if label.casefold() not in UNIT_LABELS:
        return label
    match = NAME_BEFORE_COLON.match(text)
    if match is None:
        return label
    name = IN_YEAR.sub("", STAND_SUFFIX.sub("", match.group("name"))).strip(" ,(")
    first = name.split()[0] if name else ""
    if not first or not first[0].isupper() or first.casefold() in SENTENCE_STARTERS:
        return label
    return name


def _ranking(text):
    """[(name, value)] for "Polen (3.902 Personen) Rumänien (3.021 Personen) …", or None."""
    body = text.split(": ", 1)[1] if ": " in text else text
    body = LIST_END.sub("", STAND_SUFFIX.sub("", body)).strip()
    items, position = [], 0
    while position < len(body):
        match = RANKING_ITEM.match(body, position)
        if match is None:
            break
        items.append((match.group("name").strip(), _german_int(match.group("value"))))
        position = match.end()
    rest = body[position:].strip(" ,;.")
    if len(items) < 2 or rest:
        return None
    return items


@dataclass
class _ReferenceDates:
    """The reference dates written in the Ausgangslage: each line's own, and the "Stand"
    dates that stand for the lines without one."""

    own: dict  # statement number → (date or None, whether the line gives the day)
    stand: list  # (date, gives the day) of the lines with a "Stand" date, in outline order

    @classmethod
    def read(cls, situation, parsed):
        own = {statement.number: _own_date(statement, parsed) for statement in situation}
        stand = [
            own[statement.number]
            for statement in situation
            if (STAND_DATE.search(statement.text) or STAND_YEAR.search(statement.text))
            and own[statement.number][0]
        ]
        return cls(own, stand)

    def of(self, statement, parsed):
        """The reference date of a line's figures, or None; what is assumed is reported."""
        own_date = self.own[statement.number][0]
        date, is_exact = self.own[statement.number] if own_date else self._fallback()
        if date is not None and not is_exact:
            date = self._day_in_year(date, statement, parsed)
        if date is None:
            parsed.add(
                statement.line,
                _(
                    "Zahlen ohne Stichtag (weder „Stand …“ noch „Im Jahr …“ in der "
                    "Ausgangslage) – nicht als Kennzahl übernommen, nur als Aussage."
                ),
                WARNING,
            )
            return None
        if own_date is None and len({d for d, _exact in self.stand}) > 1:
            parsed.add(
                statement.line,
                _(
                    "Die Ausgangslage nennt mehrere Stichtage; für diese Zahlen ohne eigenen "
                    "Stichtag gilt der erste (%(date)s)."
                )
                % {"date": formatting.date(date)},
                WARNING,
            )
        return date

    def _fallback(self):
        return self.stand[0] if self.stand else (None, False)

    def _day_in_year(self, date, statement, parsed):
        """ "Im Jahr 2019": the day of a "Stand" date of that year written elsewhere in the
        Ausgangslage, else 31 December – said so, as it is not in the text."""
        same_year = [d for d, is_exact in self.stand if is_exact and d.year == date.year]
        if same_year:
            return same_year[0]
        parsed.add(
            statement.line,
            _(
                "Als Stichtag ist nur das Jahr %(year)d angegeben; angenommen wurde der "
                "%(date)s. Bitte nach dem Import prüfen."
            )
            % {"year": date.year, "date": formatting.date(date)},
            WARNING,
        )
        return date


def read_figures(parsed):
    """Kennzahlen of the Ausgangslage (see the module's description), added to ``parsed``."""
    situation = parsed.statements_of(OutlineSection.SITUATION)
    dates = _ReferenceDates.read(situation, parsed)
    candidates = []
    for statement in situation:
        ranking = _ranking(statement.text)
        if ranking:
            candidates.append((statement, "ranking", ranking))
            continue
        total = _total_with_parts(statement.text) or _total_only(statement.text)
        if total:
            candidates.append((statement, "total", total))
    population = next(
        (_figure_name(s.text, data[0]) for s, kind, data in candidates if kind == "total"), None
    )
    names = set()
    for statement, kind, data in candidates:
        date = dates.of(statement, parsed)
        if date is None:
            continue
        if kind == "total":
            name, description, values = _total_figure(statement, *data, parsed)
        else:
            name, description, values = _ranking_figure(statement, data, population, parsed)
        _check_breakdowns(statement, values, parsed)
        if name in names:
            name = f"{name} – {statement.number}"
        names.add(name)
        parsed.figures.append(
            OutlineFigure(
                line=statement.line,
                statement_number=statement.number,
                name=name,
                description=description,
                reference_date=date,
                values=values,
                position=len(parsed.figures) + 1,
            )
        )


def _total_figure(statement, label, total, parts, parsed):
    """(name, description, values) of "20.714 Ausländer*innen (männlich: … / weiblich: …)"."""
    name = _figure_name(statement.text, label)
    description = _("Aus der Ausgangslage %(number)s: gesamt") % {"number": statement.number}
    keys = [key for key, _value in parts]
    if keys and {key.casefold() for key in keys} <= SEX_KEYS:
        description += _(" und nach Geschlecht")
    elif keys:
        description += _(" und nach %(keys)s") % {"keys": ", ".join(keys)}
    description += "."
    values = [FigureValue("", total, 0)]
    values += [FigureValue(key, value, i) for i, (key, value) in enumerate(parts, 1)]
    parts_sum = sum(value for _k, value in parts)
    if parts and parts_sum > total:
        parsed.add(
            statement.line,
            _(
                "Die Teilwerte (%(keys)s) ergeben zusammen %(sum)s, mehr als die "
                "Gesamtzahl %(total)s %(label)s – bitte die Zahlen prüfen."
            )
            % {
                "keys": ", ".join(keys),
                "sum": formatting.number(parts_sum),
                "total": formatting.number(total),
                "label": label,
            },
            WARNING,
        )
    return name, description, values


def _ranking_figure(statement, ranking, population, parsed):
    """(name, description, values) of "Polen (3.902 Personen) Rumänien (3.021 Personen) …"."""
    count = len(ranking)
    name = _("%(population)s nach Staatsangehörigkeit (Top %(count)d)") % {
        "population": population or DEFAULT_POPULATION,
        "count": count,
    }
    description = _("Die %(count)s häufigsten Staatsangehörigkeiten laut Ausgangslage.") % {
        "count": NUMBER_WORDS.get(count, str(count))
    }
    stated = re.search(r"\bTop\s+(\d+)\b", statement.text, re.IGNORECASE)
    if stated and int(stated.group(1)) != count:
        parsed.add(
            statement.line,
            _(
                "Laut Text „Top %(stated)s“, aufgeführt sind %(count)d Einträge – die "
                "Kennzahl heißt nach den aufgeführten Einträgen „Top %(count)d“."
            )
            % {"stated": stated.group(1), "count": count},
            WARNING,
        )
    values = [FigureValue(key, value, i) for i, (key, value) in enumerate(ranking, 1)]
    return name, description, values


def _check_breakdowns(statement, values, parsed):
    breakdowns = [value.breakdown for value in values]
    for breakdown in sorted({b for b in breakdowns if breakdowns.count(b) > 1}):
        parsed.add(
            statement.line,
            _("„%(breakdown)s“ kommt in den Zahlen dieser Zeile doppelt vor.")
            % {"breakdown": breakdown},
        )
