"""The outline file format, as in ``fixtures/integrationskonzept-lk-vechta.txt``: the words
and patterns that reading (``parse``, ``sections``) and writing (``export``) share.

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
  ("Teilziel N: …", or unlabelled) → SubGoal. See ``goal_text.split_goal_text`` for the
  title/aim split.
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
  concept-level Kennzahlen (see ``figures``); a list collapsed into one line is flagged
  ``needs_split`` (see ``collapsed_lists``).
* Organisations and networks are curated data and are never created by the import.
"""

import re

from concept.models import Statement

# Section, goal, measure, description: the deepest real outlines have five or six levels.
MAX_DEPTH = 12
# One line is one title or paragraph; the longest in real outlines have a few hundred characters.
MAX_LINE_LENGTH = 10_000


class OutlineSection:
    """The five sections of an outline by key; the three that hold statements use the keys of
    ``Statement.Section``."""

    SITUATION = Statement.Section.SITUATION.value
    GOALS = "goals"
    COORDINATION = Statement.Section.COORDINATION.value
    MEASURES = "measures"
    EVALUATION = Statement.Section.EVALUATION.value


# The headings the export writes, in this order and numbered 1–5. They are part of the file
# format (German whatever the UI language), so they are not translated.
SECTION_HEADINGS = {
    OutlineSection.SITUATION: "Ausgangslage",
    OutlineSection.GOALS: "Zielsetzung",
    OutlineSection.COORDINATION: "Koordination und Netzwerke",
    OutlineSection.MEASURES: "Maßnahmen zur Zielerreichung",
    OutlineSection.EVALUATION: "Fortschreibung / Evaluation",
}
STATEMENT_SECTIONS = (
    OutlineSection.SITUATION,
    OutlineSection.COORDINATION,
    OutlineSection.EVALUATION,
)
# Normalised headings (see heading_key) other districts use for the same sections.
SECTION_ALIASES = {
    "ausgangslage": OutlineSection.SITUATION,
    "ausgangssituation": OutlineSection.SITUATION,
    "situationsanalyse": OutlineSection.SITUATION,
    "zielsetzung": OutlineSection.GOALS,
    "zielsetzungen": OutlineSection.GOALS,
    "ziele": OutlineSection.GOALS,
    "strategische ziele": OutlineSection.GOALS,
    "koordination und netzwerke": OutlineSection.COORDINATION,
    "koordination netzwerke": OutlineSection.COORDINATION,
    "netzwerke und koordination": OutlineSection.COORDINATION,
    "koordination und vernetzung": OutlineSection.COORDINATION,
    "massnahmen zur zielerreichung": OutlineSection.MEASURES,
    "massnahmen": OutlineSection.MEASURES,
    "fortschreibung evaluation": OutlineSection.EVALUATION,
    "fortschreibung und evaluation": OutlineSection.EVALUATION,
    "evaluation und fortschreibung": OutlineSection.EVALUATION,
    "evaluation fortschreibung": OutlineSection.EVALUATION,
    "evaluation": OutlineSection.EVALUATION,
    "fortschreibung": OutlineSection.EVALUATION,
}

GOAL_LABEL = re.compile(r"^strategisches\s+ziel\s+(\d{1,3})\b\s*[:.–-]?\s*(.*)$", re.IGNORECASE)
SUB_GOAL_LABEL = re.compile(r"^teilziel\s+(\d{1,3})\b\s*[:.–-]?\s*(.*)$", re.IGNORECASE)
# "Maßnahme S1: …", "Maßnahme aG 1: …", "Maßnahme S6:Alpha…", "Maßnahme I1 – …".
MEASURE_LABEL = re.compile(
    r"^(?i:ma(?:ß|ss)nahme)\b\s*"
    r"(?:(?P<letters>[A-Za-zÄÖÜäöüß]{0,10})\s?(?P<digits>\d{1,3}[a-z]?))?"
    r"\s*(?::|\s[–-]\s)\s*(?P<title>.*)$"
)
MEASURE_WORD = re.compile(r"^(?i:ma(?:ß|ss)nahme)\b")
# "Maßnahmen S7: …" – the plural before a code is a typo for "Maßnahme S7: …".
MEASURE_PLURAL_LABEL = re.compile(
    r"^(?i:ma(?:ß|ss)nahmen)\b\s*(?P<code>[A-Za-zÄÖÜäöüß]{0,10}\s?\d{1,3}[a-z]?)"
    r"\s*(?::|\s[–-]\s)"
)
TARGET_GROUP = re.compile(r"(?:^|\s)Zielgruppe:\s*(?P<group>[^.:]+?)\s*\.?$")
# Lines below a measure: "Zielgruppe: …" gives its target group; "Beschreibung: …" is a
# description line that would otherwise read as a label (the export writes it so).
TARGET_GROUP_WORD, DESCRIPTION_WORD = "Zielgruppe", "Beschreibung"
TARGET_GROUP_LINE = re.compile(r"^(?i:zielgruppen?)\s*:\s*(?P<group>.*)$")
DESCRIPTION_LINE = re.compile(r"^(?i:beschreibung)\s*:\s*(?P<text>.*)$")
# "… u.v.m.", "… usw.", "…": the end of a list that says it goes on.
LIST_END = re.compile(r"\s*(?:u\.\s?v\.\s?m\.|usw\.|etc\.|u\.\s?a\.|\.\.\.|…)\s*$")


def dotted(number):
    """(2, 1, 3) → "2.1.3"."""
    return ".".join(str(part) for part in number)


def heading_key(text):
    """A section heading reduced to what ``SECTION_ALIASES`` compares."""
    text = text.casefold().replace("ß", "ss").replace("&", " und ")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())
