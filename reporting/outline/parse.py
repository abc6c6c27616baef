"""Text → outline: the numbered lines nested into a tree, the title and district before them,
then the sections read into goals, measures and statements (``sections``), the figures of
the Ausgangslage (``figures``) and lists collapsed into one line (``collapsed_lists``).
Problems are collected in ``ParsedOutline.issues``; nothing here touches the database."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from concept import formatting
from concept.models import Concept
from reporting.outline.collapsed_lists import flag_collapsed_lists
from reporting.outline.figures import read_figures
from reporting.outline.issues import WARNING, quote
from reporting.outline.sections import map_sections
from reporting.outline.syntax import MAX_DEPTH, MAX_LINE_LENGTH, dotted
from reporting.outline.tree import ParsedOutline

NUMBERED_LINE = re.compile(r"^(\d{1,4}(?:\.\d{1,4})*)\.(?:\s+(.*))?$")
NUMBER_WITHOUT_SPACE = re.compile(r"^\d{1,4}(?:\.\d{1,4})*\.[^\s\d]")
NUMBER_WITHOUT_DOT = re.compile(r"^\d{1,4}(?:\.\d{1,4})+\s+\S")
TOOL_JUNK = [
    re.compile(r"^jetzt loslegen", re.IGNORECASE),
    re.compile(r"^oder registrieren", re.IGNORECASE),
    re.compile(r"\bvon mind ?map:", re.IGNORECASE),
]
MIND_MAP_TITLE = re.compile(r"^(?P<title>.+?)\s+von\s+mind ?map:", re.IGNORECASE)


@dataclass
class NumberedLine:
    """A numbered line of the file and the numbered lines below it."""

    line: int
    number: tuple[int, ...]
    text: str
    children: list["NumberedLine"] = field(default_factory=list)

    @property
    def dotted(self):
        return dotted(self.number)

    def descendants(self):
        """Depth first, in file order; without recursion (depth is the file's to choose)."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def parse_outline(text: str) -> ParsedOutline:
    """Read the outline into plain dataclasses; problems are collected in ``issues``."""
    parsed = ParsedOutline()
    numbered, preamble = _read_lines(text, parsed)
    parsed.numbered_lines = len(numbered)
    _read_preamble(parsed, preamble)
    if not numbered:
        parsed.add(
            None,
            _(
                "Die Datei enthält keine nummerierten Gliederungszeilen (z. B. „1. Ausgangslage“). "
                "Ist es der Export der Mind Map als nummerierte Gliederung?"
            ),
        )
        return parsed
    map_sections(_build_tree(numbered, parsed), parsed)
    for position, statement in enumerate(parsed.statements, start=1):
        statement.position = position
    for position, measure in enumerate(parsed.measures, start=1):
        measure.position = position
    read_figures(parsed)
    flag_collapsed_lists(parsed)
    return parsed


def _split_lines(text):
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip().strip("\ufeff\u200b").strip() for line in text.split("\n")]


def _read_lines(text, parsed):
    """The numbered lines, and the (line number, text) of the lines before the first of them;
    any other line is an error."""
    numbered, preamble = [], []
    for lineno, line in enumerate(_split_lines(text), start=1):
        if not line:
            continue
        if len(line) > MAX_LINE_LENGTH:
            parsed.add(
                lineno,
                _("Die Zeile ist %(length)s Zeichen lang; erlaubt sind höchstens %(max)s.")
                % {
                    "length": formatting.number(len(line)),
                    "max": formatting.number(MAX_LINE_LENGTH),
                },
            )
            continue
        match = NUMBERED_LINE.match(line)
        if match:
            node = _numbered_line(lineno, match, parsed)
            if node is not None:
                numbered.append(node)
        elif not numbered:
            preamble.append((lineno, line))
        else:
            parsed.add(lineno, _not_outline_line_message(line))
    return numbered, preamble


def _numbered_line(lineno, match, parsed):
    """The NumberedLine of a NUMBERED_LINE match, or None if it is nested too deep."""
    number = tuple(int(part) for part in match.group(1).split("."))
    body = (match.group(2) or "").strip()
    if len(number) > MAX_DEPTH:
        parsed.add(
            lineno,
            _(
                "Gliederungspunkt %(number)s hat %(depth)d Ebenen; eine Gliederung hat "
                "höchstens %(max)d."
            )
            % {"number": quote(dotted(number), 30), "depth": len(number), "max": MAX_DEPTH},
        )
        return None
    if not body:
        parsed.add(
            lineno,
            _("Gliederungspunkt %(number)s hat keinen Text.") % {"number": dotted(number)},
        )
    return NumberedLine(lineno, number, body)


def _not_outline_line_message(line):
    if NUMBER_WITHOUT_SPACE.match(line):
        return _(
            "Nach der Gliederungsnummer fehlt ein Leerzeichen: %(line)s (erwartet z. B. "
            "„2.1. Text“)."
        ) % {"line": quote(line)}
    if NUMBER_WITHOUT_DOT.match(line):
        return _(
            "Der Gliederungsnummer fehlt der abschließende Punkt: %(line)s (erwartet z. B. "
            "„2.1. Text“)."
        ) % {"line": quote(line)}
    return _(
        "Keine Gliederungszeile: %(line)s. Nach der ersten nummerierten Zeile muss jede Zeile "
        "die Form „<Nummer>. <Text>“ haben; ein Text, der über mehrere Zeilen geht, gehört in "
        "eine Zeile."
    ) % {"line": quote(line)}


def _read_preamble(parsed, preamble):
    """Title line and tool junk before the first numbered line."""
    for lineno, line in preamble:
        if not parsed.title and not any(junk.search(line) for junk in TOOL_JUNK):
            parsed.title, parsed.title_line = line, lineno
        else:
            parsed.skipped.append((lineno, line))
    if not parsed.title:
        for lineno, line in preamble:
            match = MIND_MAP_TITLE.search(line)
            if match:
                parsed.title, parsed.title_line = match.group("title").strip(), lineno
                break
    if parsed.title:
        district, derived = derive_district(parsed.title)
        parsed.district = district
        if not derived:
            parsed.add(
                parsed.title_line,
                _(
                    "Die Gebietskörperschaft ließ sich nicht aus dem Titel ablesen; es wird der "
                    "Titel eingetragen. Bitte nach dem Import in der Verwaltung korrigieren."
                ),
                WARNING,
            )


TITLE_PREFIX = re.compile(
    r"^(?:kommunales\s+|gemeinsames\s+)?integrationskonzept(?:es|s)?\b[\s:–-]*"
    r"(?:(?:des|der|für\s+den|für\s+die|für\s+das|für|im|in\s+der|in|vom|von)\s+)?",
    re.IGNORECASE,
)
TITLE_YEARS = re.compile(r"[\s,–-]+\d{4}(?:\s*[–/-]\s*\d{2,4})?$")
GENITIVE = {"Landkreises": "Landkreis", "Kreises": "Kreis", "Stadtkreises": "Stadtkreis"}


def derive_district(title: str) -> tuple[str, bool]:
    """The district named in a concept title, and whether the title said so.

    "Integrationskonzept LK Vechta" → "LK Vechta" (abbreviations are kept as written: the
    portal does not guess that "LK" is "Landkreis"); "Integrationskonzept des Landkreises
    Emsland 2022–2026" → "Landkreis Emsland". A title that does not start with
    "Integrationskonzept" gives the whole title (flagged, so a person corrects it).
    """
    match = TITLE_PREFIX.match(title)
    if match:
        rest = title[match.end() :]
        rest = re.sub(r"\s*\([^()]*\)\s*$", "", rest)
        rest = TITLE_YEARS.sub("", rest)
        words = [GENITIVE.get(word, word) for word in rest.split()]
        district = " ".join(words).strip(" ,:–-")
        if district:
            return district[: Concept._meta.get_field("district").max_length], True
    return title[: Concept._meta.get_field("district").max_length], False


def _build_tree(numbered, parsed):
    """Nest the numbered lines; report gaps, duplicates, wrong order and missing parents."""
    root = NumberedLine(0, (), "")
    nodes = {(): root}
    first_line = {}
    numbering = _Numbering()
    for node in numbered:
        number, parent = node.number, node.number[:-1]
        if number in first_line:
            parsed.add(
                node.line,
                _("Die Gliederungsnummer %(number)s kommt doppelt vor (zuerst in Zeile %(first)d).")
                % {"number": node.dotted, "first": first_line[number]},
            )
            continue
        first_line[number] = node.line
        if parent not in nodes:
            parsed.add(
                node.line,
                _("Gliederungspunkt %(number)s steht ohne übergeordneten Punkt %(parent)s.")
                % {"number": node.dotted, "parent": dotted(parent)},
            )
            nodes[number] = node  # children of this line then do not repeat the error
            continue
        numbering.check(node, parsed)
        nodes[parent].children.append(node)
        nodes[number] = node
    return root.children


class _Numbering:
    """How far each level is numbered while the lines are nested: gaps and lines out of
    order are reported."""

    def __init__(self):
        self.last_child = {}
        # After a gap, the next sibling may continue from the number the gap line should have
        # had (the line was mistyped, not lines deleted): then only the gap is reported, not
        # every following line.
        self.gap_expected = {}
        self.path = ()

    def check(self, node, parsed):
        number, parent = node.number, node.number[:-1]
        expected = self.last_child.get(parent, 0) + 1
        previous = (*parent, expected - 1) if expected > 1 else parent
        resumes = self.gap_expected.pop(parent, None) == number[-1] - 1
        if self.path[: len(parent)] != parent:
            parsed.add(
                node.line,
                _(
                    "Falsche Reihenfolge – %(number)s steht nach %(previous)s, aber hinter den "
                    "Punkten von %(parent)s."
                )
                % {"number": node.dotted, "previous": dotted(self.path), "parent": dotted(parent)},
            )
        elif number[-1] > expected:
            parsed.add(node.line, _gap_message(node, previous, (*parent, expected)))
            self.gap_expected[parent] = expected
        elif number[-1] < expected and not resumes:
            parsed.add(
                node.line,
                _(
                    "Falsche Reihenfolge – nach %(previous)s folgt %(number)s (erwartet "
                    "%(expected)s)."
                )
                % {
                    "previous": dotted(previous),
                    "number": node.dotted,
                    "expected": dotted((*parent, expected)),
                },
            )
        last = self.last_child.get(parent, 0)
        self.last_child[parent] = number[-1] if resumes else max(last, number[-1])
        self.path = number


def _gap_message(node, previous, expected):
    if previous:
        return _(
            "Nummerierungslücke – nach %(previous)s folgt %(number)s (erwartet %(expected)s)."
        ) % {"previous": dotted(previous), "number": node.dotted, "expected": dotted(expected)}
    return _("Nummerierungslücke – die Gliederung beginnt mit %(number)s (erwartet 1).") % {
        "number": node.dotted
    }
