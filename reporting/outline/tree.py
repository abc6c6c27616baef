"""The outline as read: plain dataclasses, filled by ``parse`` and ``validate`` and written
to the database by ``write``."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from measures.models import measure_label
from reporting.outline.issues import ERROR, FLAG, WARNING, Issue, by_line
from reporting.outline.syntax import SECTION_HEADINGS, STATEMENT_SECTIONS


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
        return measure_label(self.code, self.number)


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
            for section in STATEMENT_SECTIONS
        ]

    @property
    def statement_counts(self):
        """(section label, count) for each statement section, in outline order."""
        return [
            (SECTION_HEADINGS[section], len(self.statements_of(section)))
            for section in STATEMENT_SECTIONS
        ]
