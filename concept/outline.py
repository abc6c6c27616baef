"""Import and export of a whole concept as a numbered outline (the districts' mind-map export).

The format, as in ``fixtures/integrationskonzept-lk-vechta.txt``:

* UTF-8 (with or without BOM), LF or CRLF, any indentation, trailing spaces, blank lines.
  If a file is not valid UTF-8 it is read as Windows-1252 (older Windows editors save that
  way) with a warning; a file with NUL bytes or other control characters is not text.
* Before the first numbered line: an optional title line (the first non-empty line that is
  not junk of the mind-map tool) and junk lines ("Jetzt loslegen. Gratis!", "oder
  registrieren …", "… von Mind Map: …"), which are skipped and reported.
* From the first numbered line on, every non-blank line is ``<dotted number>. <text>``.
  Each level is numbered 1, 2, 3 … without gaps, in order, each number once.
* The top-level lines are the sections, recognised by their heading (not their number):
  Ausgangslage, Zielsetzung, Koordination und Netzwerke, Maßnahmen zur Zielerreichung,
  Fortschreibung / Evaluation (plus a few spellings, see ``SECTION_ALIASES``). Only
  Zielsetzung is required; every section may be empty or missing.

What becomes what:

* Zielsetzung: "Strategisches Ziel N: <title> <aim>" → StrategicGoal; its children
  ("Teilziel N: …", or unlabelled) → SubGoal. See ``split_goal_text`` for the title/aim split.
* Maßnahmen zur Zielerreichung: "Strategisches Ziel N: <short title>" gives the goal's short
  title (else the short title is the title); its children are measures: "Maßnahme CODE: …"
  (code normalised: "aG 1" → "aG1") or, unlabelled, a measure without code. Lines below a
  measure become its description, one line per paragraph; a line "Zielgruppe: …" directly
  below it gives its target group (else "… Zielgruppe: …" at the end of the title does), and
  "Beschreibung: " before a line is removed (the export writes it before description lines
  that would otherwise read as a label, e.g. "Teilziel 1: …").
* Koordination und Netzwerke: "Maßnahme CODE: …" → measure without goal; every other line is a
  Statement.
* Ausgangslage and Fortschreibung / Evaluation: every line is a Statement (exact text, outline
  number, outline order). Figures in the Ausgangslage following the seed's patterns become
  concept-level Kennzahlen (see ``_read_figures``); a list collapsed into one line is flagged
  ``needs_split`` (see ``looks_like_collapsed_list``).
* Organisations and networks are curated data and are never created by the import.

Messages are German and name the line ("Zeile 57: …"). ``parse_outline`` and
``validate_outline`` only read text; ``outline_check`` adds the database checks (slug, existing
concept); ``outline_import`` writes everything in one transaction; ``outline_export`` writes the
same format back.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import roles
from concept.models import Concept, Membership, Statement
from concept.text import line_of_offset, looks_binary, mixed_encoding_line, unsafe_character_message
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
from measures.models import Decision, Evidence, Measure, ProgressEntry
from networks.models import Meeting, Network, Organisation
from reporting.dashboard.structure import concept_structure
from reporting.models import AnnualReport

MAX_UPLOAD_BYTES = 1024 * 1024
# Section, goal, measure, description: the deepest real outlines have five or six levels.
MAX_DEPTH = 12
# One line is one title or paragraph; the longest in real outlines have a few hundred characters.
MAX_LINE_LENGTH = 10_000

ERROR, WARNING, FLAG = "error", "warning", "flag"

SITUATION = Statement.Section.SITUATION.value
GOALS = "goals"
COORDINATION = Statement.Section.COORDINATION.value
MEASURES = "measures"
EVALUATION = Statement.Section.EVALUATION.value

# The headings the export writes, in this order and numbered 1–5. They are part of the file
# format (German whatever the UI language), so they are not translated.
SECTION_HEADINGS = {
    SITUATION: "Ausgangslage",
    GOALS: "Zielsetzung",
    COORDINATION: "Koordination und Netzwerke",
    MEASURES: "Maßnahmen zur Zielerreichung",
    EVALUATION: "Fortschreibung / Evaluation",
}
# Normalised headings (see _heading_key) other districts use for the same sections.
SECTION_ALIASES = {
    "ausgangslage": SITUATION,
    "ausgangssituation": SITUATION,
    "situationsanalyse": SITUATION,
    "zielsetzung": GOALS,
    "zielsetzungen": GOALS,
    "ziele": GOALS,
    "strategische ziele": GOALS,
    "koordination und netzwerke": COORDINATION,
    "koordination netzwerke": COORDINATION,
    "netzwerke und koordination": COORDINATION,
    "koordination und vernetzung": COORDINATION,
    "massnahmen zur zielerreichung": MEASURES,
    "massnahmen": MEASURES,
    "fortschreibung evaluation": EVALUATION,
    "fortschreibung und evaluation": EVALUATION,
    "evaluation und fortschreibung": EVALUATION,
    "evaluation fortschreibung": EVALUATION,
    "evaluation": EVALUATION,
    "fortschreibung": EVALUATION,
}

NUMBERED_LINE = re.compile(r"^(\d{1,4}(?:\.\d{1,4})*)\.(?:\s+(.*))?$")
NUMBER_WITHOUT_SPACE = re.compile(r"^\d{1,4}(?:\.\d{1,4})*\.[^\s\d]")
NUMBER_WITHOUT_DOT = re.compile(r"^\d{1,4}(?:\.\d{1,4})+\s+\S")
TOOL_JUNK = [
    re.compile(r"^jetzt loslegen", re.IGNORECASE),
    re.compile(r"^oder registrieren", re.IGNORECASE),
    re.compile(r"\bvon mind ?map:", re.IGNORECASE),
]
MIND_MAP_TITLE = re.compile(r"^(?P<title>.+?)\s+von\s+mind ?map:", re.IGNORECASE)

GOAL_LABEL = re.compile(r"^strategisches\s+ziel\s+(\d{1,3})\b\s*[:.–-]?\s*(.*)$", re.IGNORECASE)
SUB_GOAL_LABEL = re.compile(r"^teilziel\s+(\d{1,3})\b\s*[:.–-]?\s*(.*)$", re.IGNORECASE)
# "Maßnahme S1: …", "Maßnahme aG 1: …", "Maßnahme S6:Alpha…", "Maßnahme I1 – …".
MEASURE_LABEL = re.compile(
    r"^(?i:ma(?:ß|ss)nahme)\b\s*"
    r"(?:(?P<letters>[A-Za-zÄÖÜäöüß]{0,10})\s?(?P<digits>\d{1,3}[a-z]?))?"
    r"\s*(?::|\s[–-]\s)\s*(?P<title>.*)$"
)
MEASURE_WORD = re.compile(r"^(?i:ma(?:ß|ss)nahme)\b")
TARGET_GROUP = re.compile(r"(?:^|\s)Zielgruppe:\s*(?P<group>[^.:]+?)\s*\.?$")
# Lines below a measure: "Zielgruppe: …" gives its target group; "Beschreibung: …" is a
# description line that would otherwise read as a label (the export writes it so).
TARGET_GROUP_WORD, DESCRIPTION_WORD = "Zielgruppe", "Beschreibung"
TARGET_GROUP_LINE = re.compile(r"^(?i:zielgruppen?)\s*:\s*(?P<group>.*)$")
DESCRIPTION_LINE = re.compile(r"^(?i:beschreibung)\s*:\s*(?P<text>.*)$")
# "Maßnahmen S7: …" – the plural before a code is a typo for "Maßnahme S7: …".
MEASURE_PLURAL_LABEL = re.compile(
    r"^(?i:ma(?:ß|ss)nahmen)\b\s*(?P<code>[A-Za-zÄÖÜäöüß]{0,10}\s?\d{1,3}[a-z]?)"
    r"\s*(?::|\s[–-]\s)"
)

GERMAN_INT = r"\d{1,3}(?:\.\d{3})+|\d+"


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A finding about the file: an error (nothing is written), a warning, or a flag (a
    line that was taken over but needs a person's attention)."""

    message: str
    line: int | None = None
    level: str = ERROR
    field: str = ""  # the form field it belongs to ("slug", "replace"); "" = the file

    def __str__(self):
        if self.line is None:
            return self.message
        return _("Zeile %(line)d: %(message)s") % {"line": self.line, "message": self.message}


def by_line(issues):
    """Issues of the whole file first, then in line order (stable within a line)."""
    return sorted(issues, key=lambda issue: (issue.line is not None, issue.line or 0))


class OutlineInvalid(ValidationError):
    """The outline (or the slug) cannot be imported; ``issues`` holds every error found."""

    def __init__(self, issues):
        self.issues = list(issues)
        super().__init__([str(issue) for issue in self.issues])


@dataclass
class OutlineStatement:
    line: int
    number: str
    section: str
    text: str
    needs_split: bool = False
    position: int = 0


@dataclass
class OutlineSubGoal:
    line: int
    number: int
    text: str


@dataclass
class OutlineMeasure:
    line: int
    number: str
    code: str
    title: str
    goal_number: int | None
    description: str = ""
    target_group: str = ""
    position: int = 0

    @property
    def label(self):
        return self.code or self.number


@dataclass
class OutlineGoal:
    line: int
    number: int
    title: str
    aim: str
    short_title: str = ""
    sub_goals: list[OutlineSubGoal] = field(default_factory=list)
    measures: list[OutlineMeasure] = field(default_factory=list)


@dataclass
class MeasureGroup:
    """A "Strategisches Ziel N: <short title>" line of the Maßnahmen section."""

    line: int
    goal_number: int
    short_title: str
    measure_lines: list[int] = field(default_factory=list)


@dataclass
class FigureValue:
    breakdown: str
    value: Decimal
    position: int


@dataclass
class OutlineFigure:
    line: int
    statement_number: str
    name: str
    description: str
    reference_date: dt.date
    values: list[FigureValue]
    unit: str = "Personen"
    position: int = 0

    @property
    def total(self):
        return next((v.value for v in self.values if not v.breakdown), None)


@dataclass
class ParsedOutline:
    title: str = ""
    title_line: int | None = None
    district: str = ""
    skipped: list[tuple[int, str]] = field(default_factory=list)
    numbered_lines: int = 0
    sections: dict[str, int] = field(default_factory=dict)
    statements: list[OutlineStatement] = field(default_factory=list)
    goals: list[OutlineGoal] = field(default_factory=list)
    measure_groups: list[MeasureGroup] = field(default_factory=list)
    measures: list[OutlineMeasure] = field(default_factory=list)
    figures: list[OutlineFigure] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def add(self, line, message, level=ERROR):
        self.issues.append(Issue(message, line, level))

    def _of_level(self, level):
        return by_line([i for i in self.issues if i.level == level])

    @property
    def errors(self):
        return self._of_level(ERROR)

    @property
    def warnings(self):
        return self._of_level(WARNING)

    @property
    def flags(self):
        return self._of_level(FLAG)

    @property
    def sub_goal_count(self):
        return sum(len(goal.sub_goals) for goal in self.goals)

    @property
    def coordination_measures(self):
        return [m for m in self.measures if m.goal_number is None]

    @property
    def uncoded_measure_count(self):
        return sum(1 for m in self.measures if not m.code)

    @property
    def figure_value_count(self):
        return sum(len(f.values) for f in self.figures)

    def statements_of(self, section):
        return [s for s in self.statements if s.section == section]

    @property
    def statement_sections(self):
        """(section label, statements) for each statement section, in outline order."""
        return [
            (SECTION_HEADINGS[section], self.statements_of(section))
            for section in (SITUATION, COORDINATION, EVALUATION)
        ]

    @property
    def statement_counts(self):
        """(section label, count) for each statement section, in outline order."""
        return [
            (SECTION_HEADINGS[section], len(self.statements_of(section)))
            for section in (SITUATION, COORDINATION, EVALUATION)
        ]


# --- reading the file ----------------------------------------------------------------------


def decode_outline(data: bytes) -> tuple[str, list[Issue]]:
    """The text of an uploaded or read file, and warnings about its encoding.

    UTF-8 (BOM optional) is the format. A file that is not valid UTF-8 is read as
    Windows-1252, with a warning to check the umlauts in the preview; one with UTF-8 and
    other bytes mixed is refused. UTF-16 and binary files are not a text export; control
    and bidi characters (concept.text) are refused with their line: OutlineInvalid.
    """
    body = data.removeprefix(b"\xef\xbb\xbf")
    if not body.strip():
        raise OutlineInvalid([Issue(_("Die Datei ist leer."))])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise OutlineInvalid(
            [
                Issue(
                    _(
                        "Die Datei ist UTF-16-kodiert. Bitte die Gliederung als Textdatei in "
                        "UTF-8 speichern und erneut hochladen."
                    )
                )
            ]
        )
    if looks_binary(body):
        raise OutlineInvalid([Issue(_not_text_message())])
    warnings = []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_of_offset(body, exc.start)
        if mixed_encoding_line(body, exc) is not None:
            raise OutlineInvalid(
                [
                    Issue(
                        _(
                            "Die Zeichenkodierung ist gemischt: die Datei enthält UTF-8-Umlaute, "
                            "aber hier Zeichen in einer anderen Kodierung (z. B. Windows-1252). "
                            "Bitte die Gliederung einheitlich als UTF-8 speichern."
                        ),
                        line,
                    )
                ]
            ) from None
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError:
            raise OutlineInvalid([Issue(_not_text_message(), line)]) from None
        warnings.append(
            Issue(
                _(
                    "Die Datei ist nicht UTF-8-kodiert (erstes abweichendes Zeichen in Zeile "
                    "%(line)d) und wurde als Windows-1252 gelesen. Bitte Umlaute und "
                    "Sonderzeichen in der Vorschau prüfen."
                )
                % {"line": line},
                level=WARNING,
            )
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    unsafe = [
        Issue(message, lineno)
        for lineno, line in enumerate(lines, start=1)
        if (message := unsafe_character_message(line))
    ]
    if unsafe:
        raise OutlineInvalid(unsafe[:MAX_CHARACTER_ISSUES])
    return text, warnings


# A file full of control characters is reported by its first lines, not line by line.
MAX_CHARACTER_ISSUES = 20


def _not_text_message():
    return _(
        "Die Datei ist keine Textdatei (z. B. PDF, Word-Dokument oder Bild). Bitte die "
        "Gliederung aus der Mind Map als Textdatei (.txt, UTF-8) exportieren."
    )


def _split_lines(text):
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip().strip("\ufeff\u200b").strip() for line in text.split("\n")]


def _quote(text, limit=60):
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"„{text}“"


def _dotted(number):
    return ".".join(str(part) for part in number)


def _heading_key(text):
    text = text.casefold().replace("ß", "ss").replace("&", " und ")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


# --- parsing -------------------------------------------------------------------------------


@dataclass
class _Node:
    line: int
    number: tuple[int, ...]
    text: str
    children: list["_Node"] = field(default_factory=list)

    @property
    def dotted(self):
        return _dotted(self.number)

    def descendants(self):
        """Depth first, in file order; without recursion (depth is the file's to choose)."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def read_outline(text: str) -> ParsedOutline:
    """Parse and validate an outline: everything that can be checked without the database."""
    parsed = parse_outline(text)
    validate_outline(parsed)
    return parsed


def parse_outline(text: str) -> ParsedOutline:
    """Read the outline into plain dataclasses; problems are collected in ``issues``."""
    parsed = ParsedOutline()
    numbered = []
    preamble = []
    for lineno, line in enumerate(_split_lines(text), start=1):
        if not line:
            continue
        if len(line) > MAX_LINE_LENGTH:
            parsed.add(
                lineno,
                _("Die Zeile ist %(length)s Zeichen lang; erlaubt sind höchstens %(max)s.")
                % {
                    "length": f"{len(line):,}".replace(",", "."),
                    "max": f"{MAX_LINE_LENGTH:,}".replace(",", "."),
                },
            )
            continue
        match = NUMBERED_LINE.match(line)
        if match:
            number = tuple(int(part) for part in match.group(1).split("."))
            body = (match.group(2) or "").strip()
            if len(number) > MAX_DEPTH:
                parsed.add(
                    lineno,
                    _(
                        "Gliederungspunkt %(number)s hat %(depth)d Ebenen; eine Gliederung hat "
                        "höchstens %(max)d."
                    )
                    % {
                        "number": _quote(_dotted(number), 30),
                        "depth": len(number),
                        "max": MAX_DEPTH,
                    },
                )
                continue
            if not body:
                parsed.add(
                    lineno,
                    _("Gliederungspunkt %(number)s hat keinen Text.") % {"number": _dotted(number)},
                )
            numbered.append(_Node(lineno, number, body))
        elif not numbered:
            preamble.append((lineno, line))
        else:
            parsed.add(lineno, _not_outline_line_message(line))
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
    roots = _build_tree(numbered, parsed)
    _map_sections(roots, parsed)
    for position, statement in enumerate(parsed.statements, start=1):
        statement.position = position
    for position, measure in enumerate(parsed.measures, start=1):
        measure.position = position
    _read_figures(parsed)
    _flag_collapsed_lists(parsed)
    return parsed


def _not_outline_line_message(line):
    if NUMBER_WITHOUT_SPACE.match(line):
        return _(
            "Nach der Gliederungsnummer fehlt ein Leerzeichen: %(line)s (erwartet z. B. "
            "„2.1. Text“)."
        ) % {"line": _quote(line)}
    if NUMBER_WITHOUT_DOT.match(line):
        return _(
            "Der Gliederungsnummer fehlt der abschließende Punkt: %(line)s (erwartet z. B. "
            "„2.1. Text“)."
        ) % {"line": _quote(line)}
    return _(
        "Keine Gliederungszeile: %(line)s. Nach der ersten nummerierten Zeile muss jede Zeile "
        "die Form „<Nummer>. <Text>“ haben; ein Text, der über mehrere Zeilen geht, gehört in "
        "eine Zeile."
    ) % {"line": _quote(line)}


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
    root = _Node(0, (), "")
    nodes = {(): root}
    first_line = {}
    last_child = {}
    # After a gap, the next sibling may continue from the number the gap line should have had
    # (the line was mistyped, not lines deleted): then only the gap is reported, not every
    # following line.
    gap_expected = {}
    path = ()
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
                % {"number": node.dotted, "parent": _dotted(parent)},
            )
            nodes[number] = node  # children of this line then do not repeat the error
            continue
        expected = last_child.get(parent, 0) + 1
        previous = (*parent, expected - 1) if expected > 1 else parent
        resumes = gap_expected.pop(parent, None) == number[-1] - 1
        if path[: len(parent)] != parent:
            parsed.add(
                node.line,
                _(
                    "Falsche Reihenfolge – %(number)s steht nach %(previous)s, aber hinter den "
                    "Punkten von %(parent)s."
                )
                % {"number": node.dotted, "previous": _dotted(path), "parent": _dotted(parent)},
            )
        elif number[-1] > expected:
            if previous:
                message = _(
                    "Nummerierungslücke – nach %(previous)s folgt %(number)s (erwartet "
                    "%(expected)s)."
                ) % {
                    "previous": _dotted(previous),
                    "number": node.dotted,
                    "expected": _dotted((*parent, expected)),
                }
            else:
                message = _(
                    "Nummerierungslücke – die Gliederung beginnt mit %(number)s (erwartet 1)."
                ) % {"number": node.dotted}
            parsed.add(node.line, message)
            gap_expected[parent] = expected
        elif number[-1] < expected and not resumes:
            parsed.add(
                node.line,
                _(
                    "Falsche Reihenfolge – nach %(previous)s folgt %(number)s (erwartet "
                    "%(expected)s)."
                )
                % {
                    "previous": _dotted(previous),
                    "number": node.dotted,
                    "expected": _dotted((*parent, expected)),
                },
            )
        last_child[parent] = number[-1] if resumes else max(last_child.get(parent, 0), number[-1])
        nodes[parent].children.append(node)
        nodes[number] = node
        path = number
    return root.children


def _map_sections(roots, parsed):
    handlers = {
        SITUATION: _map_statement_section,
        GOALS: _map_goals,
        COORDINATION: _map_statement_section,
        MEASURES: _map_measures,
        EVALUATION: _map_statement_section,
    }
    expected = ", ".join(SECTION_HEADINGS.values())
    for node in roots:
        section = SECTION_ALIASES.get(_heading_key(node.text))
        if section is None:
            parsed.add(
                node.line,
                _("Unbekannter Abschnitt %(heading)s – erwartet wird einer von: %(expected)s.")
                % {"heading": _quote(node.text), "expected": expected},
            )
            continue
        if section in parsed.sections:
            parsed.add(
                node.line,
                _("Der Abschnitt %(heading)s kommt doppelt vor (zuerst in Zeile %(first)d).")
                % {"heading": _quote(SECTION_HEADINGS[section]), "first": parsed.sections[section]},
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
            % {"section": _quote(SECTION_HEADINGS[section])},
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
    ) % {"label": _quote(node.text.split(":")[0])}


def _map_statement_section(node, section, parsed):
    """Ausgangslage, Koordination und Netzwerke, Fortschreibung / Evaluation."""
    for child in node.children:
        _map_statement(child, section, parsed)


def _map_statement(node, section, parsed):
    if _misplaced_label(node, parsed, section):
        return
    if section == COORDINATION and MEASURE_PLURAL_LABEL.match(node.text):
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
        if section == COORDINATION:
            parsed.measures.append(_measure(node, None, parsed, section))
            return
        parsed.add(
            node.line,
            _(
                "Maßnahme im Abschnitt %(section)s – als Aussage übernommen, nicht als "
                "Maßnahme. Maßnahmen stehen unter „Maßnahmen zur Zielerreichung“ oder "
                "„Koordination und Netzwerke“."
            )
            % {"section": _quote(SECTION_HEADINGS[section])},
            WARNING,
        )
    if node.text:
        parsed.statements.append(OutlineStatement(node.line, node.dotted, section, node.text))
    for child in node.children:
        _map_statement(child, section, parsed)


def _measure(node, goal_number, parsed, section):
    match = MEASURE_LABEL.match(node.text)
    code, title = "", node.text
    if match:
        title = match.group("title").strip()
        code = (match.group("letters") or "") + (match.group("digits") or "")
        if not title:
            parsed.add(node.line, _("Die Maßnahme hat keinen Titel."))
    elif MEASURE_PLURAL_LABEL.match(node.text):
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
    target = TARGET_GROUP.search(title)
    target_group = target.group("group") if target else ""
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
    return OutlineMeasure(
        line=node.line,
        number=node.dotted,
        code=code,
        title=title,
        goal_number=goal_number,
        description="\n".join(description),
        target_group=target_group,
    )


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
                    % {"text": _quote(child.text)},
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
            if _misplaced_label(item, parsed, MEASURES):
                continue
            measure = _measure(item, goal_number, parsed, section)
            group.measure_lines.append(item.line)
            parsed.measures.append(measure)


# --- goal title and aim --------------------------------------------------------------------

# Capitalised words that begin a German sentence but not a goal title: determiners,
# quantifiers, pronouns, prepositions.
SENTENCE_STARTERS = {
    "jeder", "jede", "jedes", "jedem", "jeden", "alle", "allen", "die", "der", "das", "dem",
    "den", "des", "ein", "eine", "einer", "kein", "keine", "niemand", "man", "wir", "es",
    "sie", "bei", "im", "in", "mit", "durch", "für", "um", "zur", "zum", "auf", "nach", "vor",
    "unter", "über", "damit", "dazu", "dabei", "diese", "dieser", "dieses", "möglichst",
}  # fmt: skip
GENDERED_JEDE = re.compile(r"^jede(?:[*:_/·]r|[*:_/·]n|r\*in|R)$", re.IGNORECASE)
# Finite verbs right after a capitalised noun mark that noun as the subject of the aim:
# "… Lebensumfeld | Zugewanderte werden …", "… Leben | Zugewanderten soll …".
FINITE_VERBS = {
    "ist", "sind", "wird", "werden", "soll", "sollen", "kann", "können", "muss", "müssen",
    "darf", "dürfen", "hat", "haben", "erhält", "erhalten", "spricht", "sprechen", "nimmt",
    "nehmen", "lebt", "leben", "findet", "finden", "bekommt", "bekommen", "gelingt",
}  # fmt: skip
TITLE_CONNECTORS = {"und", "oder", "der", "die", "das", "des", "am", "im", "für", "von", "zur",
                    "zum", "mit", "in", "an", "auf", "sowie"}  # fmt: skip
ABBREVIATIONS = {"bzw", "ggf", "ggfs", "ca", "inkl", "z", "b", "u", "a", "d", "h", "vgl",
                 "bspw", "usw", "etc", "nr", "st", "sog"}  # fmt: skip
MAX_TITLE_WORDS = 12
NO_AIM_MARK = re.compile(r"\s+[–—-]$")


def _bare(token):
    return token.strip(",;:()„“\"'")


def _starts_sentence(tokens, index):
    token = _bare(tokens[index])
    if not token or not token[0].isupper():
        return False
    if token.casefold() in SENTENCE_STARTERS or GENDERED_JEDE.match(token):
        return True
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return following in FINITE_VERBS


def _heuristic_split(words):
    """Index of the first word of the aim, or None."""
    for index in range(1, len(words) - 1):
        if words[index - 1].casefold() in TITLE_CONNECTORS:
            continue
        if _starts_sentence(words, index):
            return index
    return None


def _title_like(text):
    words = text.split()
    return (
        0 < len(words) <= MAX_TITLE_WORDS
        and not re.search(r"[.!?:;]$", text)
        and _heuristic_split(words) is None
    )


def split_goal_text(text: str) -> tuple[str, str, str | None]:
    """Split "<title> <aim>" of a "Strategisches Ziel" line: (title, aim, how).

    The export of the mind map has no delimiter between a goal's title and its aim
    statement. In this order:

    1. An explicit separator a person typed: " – " (or " — ", " - "), ": ", or ". " before a
       capital letter ("Bildung – Jede*r …", "Bildung: Jede*r …", "Bildung. Jede*r …"), if the
       part before it reads like a title (at most 12 words, no sentence start in it).
    2. The aim is the final sentence: it starts at the first capitalised word that begins a
       German sentence – a determiner, quantifier, pronoun or preposition ("Jede*r", "Die",
       "Bei", …) or a noun directly followed by a finite verb ("Zugewanderte werden …") –
       and is not preceded by a connecting word ("und", "am", …).
    3. Otherwise the whole text is the title and the aim stays empty (how = None; the caller
       reports a warning).

    A line ending in a lone dash ("Ausbildung Für alle –") has no aim: everything before the
    dash is the title. The export writes that form for a goal without aim whose bare title
    the heuristic would split.
    """
    text = text.strip()
    no_aim = NO_AIM_MARK.search(text)
    if no_aim and text[: no_aim.start()].strip():
        return text[: no_aim.start()].strip(), "", "separator"
    for separator in (r"\s+[–—-]\s+", r":\s+", r"(?<=[^\W\d_]{3})\.\s+(?=[A-ZÄÖÜ])"):
        match = re.search(separator, text)
        if not match:
            continue
        title, aim = text[: match.start()].strip(), text[match.end() :].strip()
        last_word = title.split()[-1].casefold().rstrip(".") if title else ""
        if title and aim and _title_like(title) and last_word not in ABBREVIATIONS:
            return title, aim, "separator"
    words = text.split()
    index = _heuristic_split(words)
    if index is not None and len(words) - index >= 2:
        return " ".join(words[:index]), " ".join(words[index:]), "heuristic"
    return text, "", None


def goal_line_text(title: str, aim: str) -> str:
    """Title and aim as one outline line that ``split_goal_text`` reads back the same way:
    joined by a space when the heuristic finds the split (as in the districts' exports),
    otherwise with " – "; a goal without aim is its bare title, or "<title> –" where the
    bare title would be split."""
    if not aim:
        if split_goal_text(title)[:2] == (title, ""):
            return title
        return f"{title} –"
    for joiner in (" ", " – ", ": "):
        candidate = f"{title}{joiner}{aim}"
        if split_goal_text(candidate)[:2] == (title, aim):
            return candidate
    return f"{title} – {aim}"


# --- situation figures ---------------------------------------------------------------------

STAND_DATE = re.compile(r"\bStand:?\s*(?:vom\s+|zum\s+)?(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
STAND_YEAR = re.compile(r"\bStand:?\s*(\d{4})\b")
IN_YEAR = re.compile(r"\b(?:im\s+)?Jahr(?:e)?\s+(\d{4})\b", re.IGNORECASE)
STAND_SUFFIX = re.compile(r"\s*\(?\s*Stand[^()]*\)?\s*\.?\s*$")
LIST_END = re.compile(r"\s*(?:u\.\s?v\.\s?m\.|usw\.|etc\.|u\.\s?a\.|\.\.\.|…)\s*$")
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


def _german_number(value):
    return f"{value:,}".replace(",", ".")


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


def _read_figures(parsed):
    """Kennzahlen of the Ausgangslage, following the seed's two patterns.

    * "<number> <label> (<key>: <number> / <key>: <number>)" (or just "…: <number> <label>")
      → indicator <label> with the total (breakdown "") and one value per key.
    * "<name> (<number> Personen) <name> (<number> Personen) …" → "<population> nach
      Staatsangehörigkeit (Top N)", N = the number of names listed, one value per name in
      rank order; <population> is the label of the first total ("Ausländer*innen").

    Reference date: the line's own ("Stand 31.12.2019", "Im Jahr 2019" → 31.12.2019), else a
    "Stand" date written elsewhere in the Ausgangslage (the first one; a warning if they
    differ). A figure without any date is not taken over (warning).
    """
    situation = parsed.statements_of(SITUATION)
    own_dates, exact = {}, {}
    for statement in situation:
        own_dates[statement.number], exact[statement.number] = _own_date(statement, parsed)
    stand_dates = []
    for statement in situation:
        match = STAND_DATE.search(statement.text) or STAND_YEAR.search(statement.text)
        if match and own_dates[statement.number]:
            stand_dates.append((own_dates[statement.number], exact[statement.number]))
    exact_dates = [date for date, is_exact in stand_dates if is_exact]
    fallback = stand_dates[0] if stand_dates else (None, False)

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
        if own_dates[statement.number]:
            date, is_exact = own_dates[statement.number], exact[statement.number]
        else:
            date, is_exact = fallback
        if date is not None and not is_exact:
            # "Im Jahr 2019": the day of a "Stand" date of that year written elsewhere in the
            # Ausgangslage, else 31 December – said so, as it is not in the text.
            same_year = [d for d in exact_dates if d.year == date.year]
            if same_year:
                date = same_year[0]
            else:
                parsed.add(
                    statement.line,
                    _(
                        "Als Stichtag ist nur das Jahr %(year)d angegeben; angenommen wurde der "
                        "%(date)s. Bitte nach dem Import prüfen."
                    )
                    % {"year": date.year, "date": date.strftime("%d.%m.%Y")},
                    WARNING,
                )
        if date is None:
            parsed.add(
                statement.line,
                _(
                    "Zahlen ohne Stichtag (weder „Stand …“ noch „Im Jahr …“ in der "
                    "Ausgangslage) – nicht als Kennzahl übernommen, nur als Aussage."
                ),
                WARNING,
            )
            continue
        if own_dates[statement.number] is None and len({d for d, _e in stand_dates}) > 1:
            parsed.add(
                statement.line,
                _(
                    "Die Ausgangslage nennt mehrere Stichtage; für diese Zahlen ohne eigenen "
                    "Stichtag gilt der erste (%(date)s)."
                )
                % {"date": date.strftime("%d.%m.%Y")},
                WARNING,
            )
        if kind == "total":
            label, total, parts = data
            name = _figure_name(statement.text, label)
            description = _("Aus der Ausgangslage %(number)s: gesamt") % {
                "number": statement.number
            }
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
                        "sum": _german_number(parts_sum),
                        "total": _german_number(total),
                        "label": label,
                    },
                    WARNING,
                )
        else:
            count = len(data)
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
            values = [FigureValue(key, value, i) for i, (key, value) in enumerate(data, 1)]
        breakdowns = [value.breakdown for value in values]
        for breakdown in sorted({b for b in breakdowns if breakdowns.count(b) > 1}):
            parsed.add(
                statement.line,
                _("„%(breakdown)s“ kommt in den Zahlen dieser Zeile doppelt vor.")
                % {"breakdown": breakdown},
            )
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


# --- lists collapsed into one line ---------------------------------------------------------

LIST_HEADING = re.compile(
    r"\b(?:netzwerke|akteure|gremien|arbeitskreise|angebote|träger|partner\w*|einrichtungen|"
    r"beteiligte|institutionen|projekte|programme|dienste|stellen)\b|\(beispielhaft\)",
    re.IGNORECASE,
)
SENTENCE_BREAK = re.compile(r"[a-zäöüß]{3,}[.!?]\s+[A-ZÄÖÜ]")
LIST_SEPARATOR = r"[,;•·|]|\s[–-]\s"


def looks_like_collapsed_list(text: str) -> bool:
    """A "<label>: <item> <item> <item> …" line whose items lost their separators in the
    export ("Vorhandene Netzwerke (beispielhaft): Koordinierungsstab Flüchtlinge …").

    Taken as such when, after a short label ending in ":", the rest has no separators
    (comma, semicolon, bullet, dash) and no sentence break, and new capitalised runs start
    again and again: at least four times with capitalised words outnumbering the others two
    to one, or at least twice after a list heading ("Netzwerke", "Akteure", "(beispielhaft)" …).
    Ordinary sentences, with their verbs and articles in lower case, do not qualify.
    A list that kept its separators is flagged too (see ``_separated_list``): it is still
    one statement that a person should split into its items.
    """
    label, colon, rest = text.partition(":")
    if not colon or len(label.split()) > 8:
        return False
    rest = LIST_END.sub("", rest).strip()
    if not rest or SENTENCE_BREAK.search(rest):
        return False
    if re.search(LIST_SEPARATOR, rest):
        return _separated_list(label, rest)
    tokens = re.sub(r"\([^()]*\)", " ) ", rest).split()
    words = [token for token in tokens if token != ")"]
    if len(words) < 4:
        return False

    def capital(token):
        return token[:1].isupper()

    boundaries = sum(
        1
        for previous, current in pairwise(tokens)
        if capital(current) and (previous == ")" or capital(previous))
    )
    lower = sum(1 for word in words if not capital(word))
    if LIST_HEADING.search(label):
        return boundaries >= 2
    return boundaries >= 4 and len(words) - lower >= 2 * lower


def _separated_list(label, rest):
    """A list that kept its separators but still stands in one line ("Vorhandene Netzwerke:
    Runder Tisch Integration; Migrationsberatung der AWO; Sprachcafé"): after a list heading
    at least two items, else at least four, each a short capitalised name."""
    items = [
        item.strip()
        for item in re.split(LIST_SEPARATOR, re.sub(r"\([^()]*\)", "", rest))
        if item.strip()
    ]
    if len(items) < (2 if LIST_HEADING.search(label) else 4):
        return False
    return all(len(item.split()) <= 8 and item[:1].isupper() for item in items)


def _flag_collapsed_lists(parsed):
    with_figures = {figure.statement_number for figure in parsed.figures}
    for statement in parsed.statements:
        if statement.number in with_figures or not looks_like_collapsed_list(statement.text):
            continue
        statement.needs_split = True
        parsed.add(
            statement.line,
            _(
                "%(number)s enthält offenbar eine Liste in einer Zeile – als eine Aussage "
                "übernommen und zum Trennen markiert."
            )
            % {"number": statement.number},
            FLAG,
        )


# --- validation ----------------------------------------------------------------------------


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def validate_outline(parsed: ParsedOutline) -> None:
    """Cross-checks of a parsed outline; adds issues to it."""
    if not parsed.numbered_lines:
        return  # parse_outline reported that there is no outline at all
    if GOALS not in parsed.sections:
        parsed.add(
            None,
            _(
                "Die Datei enthält keinen Abschnitt „Zielsetzung“ – ohne strategische Ziele kann "
                "kein Konzept angelegt werden."
            ),
        )
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
    for measure in parsed.measures:
        goal = goals.get(measure.goal_number)
        if goal is not None:
            goal.measures.append(measure)

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
    _validate_lengths(parsed)


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


# --- services ------------------------------------------------------------------------------

RESERVED_SLUGS = {"import"}


@dataclass
class ReplacedConcept:
    """The existing concept an import replaces, and what is deleted with it."""

    concept: Concept
    counts: list[tuple[int, str]]


@dataclass
class ImportResult:
    slug: str
    outline: ParsedOutline
    replaced: ReplacedConcept | None = None
    concept: Concept | None = None
    notes: list[Issue] = field(default_factory=list)

    @property
    def written(self):
        return self.concept is not None

    @property
    def warnings(self):
        return [n for n in self.notes if n.level == WARNING] + self.outline.warnings

    @property
    def flags(self):
        return self.outline.flags


def title_from_slug(slug: str) -> str:
    """ "lk-vechta" → "LK Vechta" (short words as abbreviations in capitals)."""
    words = re.split(r"[-_]+", slug)
    return " ".join(word.upper() if len(word) <= 3 else word.capitalize() for word in words if word)


def check_slug(slug: str) -> list[Issue]:
    issues = []
    try:
        validate_slug(slug)
    except ValidationError:
        issues.append(
            Issue(
                _(
                    "Ungültiger Kurzname %(slug)s – erlaubt sind Buchstaben ohne Umlaute, Ziffern, "
                    "Bindestriche und Unterstriche, z. B. „lk-vechta“."
                )
                % {"slug": _quote(slug)},
                field="slug",
            )
        )
        return issues
    limit = _max_length(Concept, "slug")
    if len(slug) > limit:
        issues.append(
            Issue(
                _("Der Kurzname ist %(length)d Zeichen lang; erlaubt sind höchstens %(max)d.")
                % {"length": len(slug), "max": limit},
                field="slug",
            )
        )
    if slug in RESERVED_SLUGS:
        issues.append(
            Issue(
                _("Der Kurzname %(slug)s ist für die Adresse der Importseite reserviert.")
                % {"slug": _quote(slug)},
                field="slug",
            )
        )
    return issues


def may_replace(user, concept) -> bool:
    """Only the concept's editors (Administration, Koordination) replace it by an import."""
    return roles.can_edit_concept(user, concept)


def _carry_over_members(concept, members, importer) -> None:
    """The replaced concept's members keep their roles; whoever imports a new concept
    coordinates it."""
    Membership.objects.bulk_create(
        Membership(concept=concept, user_id=user_id, role=role) for user_id, role in members
    )
    if importer is not None and importer.pk not in {user_id for user_id, _role in members}:
        Membership.objects.create(concept=concept, user=importer, role=roles.COORDINATION)
        roles.forget(importer)


def replaced_counts(concept) -> list[tuple[int, str]]:
    """What is deleted with a concept: (count, German label), only non-zero counts."""
    querysets = [
        (Statement.objects.filter(concept=concept), "Aussage", "Aussagen"),
        (StrategicGoal.objects.filter(concept=concept), "strategisches Ziel", "strategische Ziele"),
        (SubGoal.objects.filter(goal__concept=concept), "Teilziel", "Teilziele"),
        (Measure.objects.filter(concept=concept), "Maßnahme", "Maßnahmen"),
        (ProgressEntry.objects.filter(measure__concept=concept), "Sachstand", "Sachstände"),
        (Evidence.objects.filter(entry__measure__concept=concept), "Nachweis", "Nachweise"),
        (Indicator.objects.filter(concept=concept), "Kennzahl", "Kennzahlen"),
        (
            IndicatorValue.objects.filter(indicator__concept=concept),
            "Kennzahlwert",
            "Kennzahlwerte",
        ),
        (Organisation.objects.filter(concept=concept), "Akteur", "Akteure"),
        (Network.objects.filter(concept=concept), "Netzwerk/Gremium", "Netzwerke und Gremien"),
        (Meeting.objects.filter(network__concept=concept), "Sitzung", "Sitzungen"),
        (Decision.objects.filter(meeting__network__concept=concept), "Beschluss", "Beschlüsse"),
    ]
    counts = []
    for queryset, singular, plural in querysets:
        count = queryset.count()
        if count:
            counts.append((count, ngettext(singular, plural, count)))
    return counts


def outline_check(
    *, text: str, slug: str, replace: bool = False, user=None, notes=()
) -> ImportResult:
    """Everything ``outline_import`` checks, without writing: OutlineInvalid with all errors,
    or the result to preview. ``notes`` are findings from reading the file (encoding)."""
    parsed = read_outline(text)
    issues = check_slug(slug)
    replaced = None
    existing = None if issues else Concept.objects.filter(slug=slug).first()
    if existing is not None:
        if not replace:
            issues.append(
                Issue(
                    _(
                        "Es gibt bereits ein Konzept mit dem Kurznamen %(slug)s. Einen anderen "
                        "Kurznamen wählen oder das bestehende Konzept ausdrücklich ersetzen."
                    )
                    % {"slug": _quote(slug)},
                    field="slug",
                )
            )
        elif user is not None and not may_replace(user, existing):
            issues.append(
                Issue(
                    _("Das Konzept %(slug)s ersetzen nur seine Koordination und Administration.")
                    % {"slug": _quote(slug)},
                    field="replace",
                )
            )
        elif AnnualReport.objects.filter(concept=existing).exists():
            # Reports are frozen records of what was reported; they must not go with it.
            issues.append(
                Issue(
                    _(
                        "Das Konzept %(slug)s hat Controlling-/Evaluationsberichte und kann "
                        "deshalb nicht ersetzt werden. Bitte unter einem neuen Kurznamen "
                        "importieren (z. B. als Fortschreibung)."
                    )
                    % {"slug": _quote(slug)},
                    field="replace",
                )
            )
        else:
            replaced = ReplacedConcept(existing, replaced_counts(existing))
    errors = issues + parsed.errors
    if errors:
        raise OutlineInvalid(errors)
    notes = list(notes)
    if not parsed.title:
        parsed.title = _("Integrationskonzept %(name)s") % {"name": title_from_slug(slug)}
        parsed.district = title_from_slug(slug)
        notes.append(
            Issue(
                _(
                    "Die Datei hat keine Titelzeile; Titel „%(title)s“ und Gebietskörperschaft "
                    "„%(district)s“ wurden aus dem Kurznamen gebildet."
                )
                % {"title": parsed.title, "district": parsed.district},
                level=WARNING,
            )
        )
    return ImportResult(slug=slug, outline=parsed, replaced=replaced, notes=notes)


def outline_import(
    *,
    text: str,
    slug: str,
    replace: bool = False,
    user=None,
    notes=(),
    seen_replaced: tuple[int, list] | None = None,
) -> ImportResult:
    """Create the concept of an outline in one transaction (status Entwurf).

    With ``replace`` an existing concept of that slug is deleted first, with everything
    under it – Sachstände, Kennzahlen, Beschlüsse, Akteure and Netzwerke included; its
    members and predecessor are carried over and its successors point to the new concept.
    ``user`` (if given) becomes a member, and may replace only a concept they are a member
    of. ``seen_replaced`` is (pk, counts) of the concept to be replaced as a preview showed
    it; if that concept has changed since, nothing is replaced. Raises OutlineInvalid
    (nothing written) when the text or slug cannot be imported.
    """
    try:
        with transaction.atomic():
            result = outline_check(text=text, slug=slug, replace=replace, user=user, notes=notes)
            members, predecessor, successors = [], None, []
            if result.replaced is not None:
                old = Concept.objects.select_for_update().get(pk=result.replaced.concept.pk)
                if seen_replaced is not None and _as_seen(old) != _as_seen(seen_replaced):
                    raise OutlineInvalid(
                        [
                            Issue(
                                _(
                                    "Das Konzept %(slug)s wurde seit der Vorschau geändert; es "
                                    "wurde nichts ersetzt. Bitte die Datei erneut hochladen und "
                                    "die neue Vorschau prüfen."
                                )
                                % {"slug": _quote(slug)},
                                field="replace",
                            )
                        ]
                    )
                members = list(old.memberships.values_list("user_id", "role"))
                predecessor = old.predecessor
                successors = list(
                    Concept.objects.filter(predecessor=old).values_list("pk", flat=True)
                )
                Concept.objects.filter(pk__in=successors).update(predecessor=None)
                _delete_concept(old)
            concept = _write(result.outline, slug=slug, predecessor=predecessor)
            _carry_over_members(concept, members, user)
            Concept.objects.filter(pk__in=successors).update(predecessor=concept)
    except ProtectedError:
        raise OutlineInvalid(
            [
                Issue(
                    _(
                        "Das Konzept %(slug)s kann nicht ersetzt werden, weil andere Daten darauf "
                        "verweisen; es wurde nichts gespeichert. Bitte unter einem neuen "
                        "Kurznamen importieren."
                    )
                    % {"slug": _quote(slug)},
                    field="replace",
                )
            ]
        ) from None
    except IntegrityError as exc:
        if Concept.objects.filter(slug=slug).exists():
            issue = Issue(
                _(
                    "Der Kurzname %(slug)s wurde gerade anderweitig vergeben; es wurde nichts "
                    "gespeichert. Bitte erneut versuchen."
                )
                % {"slug": _quote(slug)},
                field="slug",
            )
        else:
            issue = Issue(
                _(
                    "Die Datenbank hat den Import abgelehnt (%(reason)s); es wurde nichts "
                    "gespeichert."
                )
                % {"reason": exc}
            )
        raise OutlineInvalid([issue]) from None
    result.concept = concept
    return result


def _as_seen(concept_or_seen):
    """(pk, counts) of a concept about to be replaced, comparable with what a preview showed."""
    if isinstance(concept_or_seen, Concept):
        pk, counts = concept_or_seen.pk, replaced_counts(concept_or_seen)
    else:
        pk, counts = concept_or_seen
    return pk, [[count, str(label)] for count, label in counts]


def _delete_concept(concept):
    # Decisions hang on meetings (PROTECT) and measures hang on goals (PROTECT): remove them
    # before the concept's own cascade.
    Decision.objects.filter(meeting__network__concept=concept).delete()
    Measure.objects.filter(concept=concept).delete()
    concept.delete()


def _save(obj, line, *, new_parent=True):
    """full_clean() and save(), a failure reported with the outline line.

    Rows of a concept created in the same transaction cannot clash with existing rows, and
    the validator has made numbers, codes and names unique within the file; so only the
    concept itself runs the uniqueness and constraint queries (field validators still run).
    """
    try:
        obj.full_clean(validate_unique=not new_parent, validate_constraints=not new_parent)
    except ValidationError as exc:
        messages = "; ".join(message for message in exc.messages)
        raise OutlineInvalid([Issue(messages, line)]) from None
    obj.save()
    return obj


def _write(parsed, *, slug, predecessor):
    concept = _save(
        Concept(
            slug=slug,
            title=parsed.title,
            district=parsed.district,
            status=Concept.Status.DRAFT,
            predecessor=predecessor,
        ),
        parsed.title_line,
        new_parent=False,
    )
    statements = {}
    for item in parsed.statements:
        statements[item.number] = _save(
            Statement(
                concept=concept,
                section=item.section,
                number=item.number,
                text=item.text,
                needs_split=item.needs_split,
                position=item.position,
            ),
            item.line,
        )
    goals = {}
    for item in parsed.goals:
        goal = _save(
            StrategicGoal(
                concept=concept,
                number=item.number,
                title=item.title,
                short_title=item.short_title,
                aim=item.aim,
            ),
            item.line,
        )
        goals[item.number] = goal
        for sub_item in item.sub_goals:
            _save(SubGoal(goal=goal, number=sub_item.number, text=sub_item.text), sub_item.line)
    for item in parsed.measures:
        _save(
            Measure(
                concept=concept,
                goal=goals.get(item.goal_number),
                code=item.code,
                number=item.number,
                title=item.title,
                description=item.description,
                target_group=item.target_group,
                position=item.position,
            ),
            item.line,
        )
    for item in parsed.figures:
        indicator = _save(
            Indicator(
                concept=concept,
                statement=statements[item.statement_number],
                name=item.name,
                description=item.description,
                unit=item.unit,
                direction=Indicator.Direction.NEUTRAL,
                source=FIGURE_SOURCE,
                is_public=True,
                position=item.position,
            ),
            item.line,
        )
        for value in item.values:
            _save(
                IndicatorValue(
                    indicator=indicator,
                    reference_date=item.reference_date,
                    period=str(item.reference_date.year),
                    value=value.value,
                    breakdown=value.breakdown,
                    source=f"{FIGURE_SOURCE} {item.statement_number}",
                    position=value.position,
                ),
                item.line,
            )
    return concept


# --- export --------------------------------------------------------------------------------


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


def outline_export(concept: Concept) -> str:
    """The concept as a numbered outline in the import format: title line, the five sections
    numbered 1–5, one item per line, a blank line between lines.

    Goals are numbered 2.k and 4.k in the order of their numbers ("Strategisches Ziel N" keeps
    N); statements and coordination measures keep the depth and order of their stored
    outline numbers, measures under a goal follow their order. Texts with line breaks are
    written on one line; a measure's description follows it as numbered lines.
    """
    structure = concept_structure(concept)
    lines = [(None, _one_line(concept.title))]

    def section(number, key, items):
        lines.append(((number,), SECTION_HEADINGS[key]))
        lines.extend(_numbered((number,), items))

    def statement_items(statements, measures=()):
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

    section(1, SITUATION, statement_items(structure.statements[SITUATION]))

    goal_items = []
    for goal in structure.goals:
        goal_items.append(
            (1, f"Strategisches Ziel {goal.number}: {goal_line_text(goal.title, goal.aim)}")
        )
        for sub_goal in sorted(goal.sub_goals.all(), key=lambda s: s.number):
            goal_items.append((2, f"Teilziel {sub_goal.number}: {_one_line(sub_goal.text)}"))
    section(2, GOALS, goal_items)

    section(
        3,
        COORDINATION,
        statement_items(structure.statements[COORDINATION], structure.coordination_measures),
    )

    measure_items = []
    for goal in structure.goals:
        measure_items.append((1, f"Strategisches Ziel {goal.number}: {goal.short_title}"))
        for measure in goal.measures.all():
            measure_items.append((2, _measure_text(measure)))
            measure_items.extend((3, line) for line in _description_lines(measure))
    section(4, MEASURES, measure_items)

    section(5, EVALUATION, statement_items(structure.statements[EVALUATION]))

    rendered = [text if number is None else f"{_dotted(number)}. {text}" for number, text in lines]
    return "\n\n".join(rendered) + "\n"
