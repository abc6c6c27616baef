"""What changed in a concept since a day: the changes page, its CSV file and its print view.

Every kind of change is a ChangeKind in KINDS. A kind reads its records of the period (one
query, newest first, so a page of them is a slice) and turns records into typed rows
(ChangeRow: date, measures, "Angabe: bisher → neu", Anlass, who and when), with a bounded
number of queries however many records there are. The page shows each kind in its own
section, one page at a time; the CSV file and the print view show all rows of every kind.
Another kind of change is one more entry in KINDS, with its section template.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, npgettext

from concept import formatting
from concept.history import Change, HistoryReader, display_value
from concept.models import Concept
from goals.models import IndicatorValue
from measures.models import (
    Decision,
    Measure,
    ProgressEntry,
    Status,
    TrafficLight,
    measure_label,
)
from measures.queries import decisions_with_measures
from measures.services import ENTRY_CORRECTABLE_FIELDS, MASTER_FIELDS, field_changes
from reporting.models import AnnualReport, report_years

CHANGES_PAGE_SIZE = 50


def default_since(concept: Concept, today: dt.date | None = None) -> dt.date:
    """The day after the data cut-off (31.12.) of the newest final report, else one year
    back: what the steering group has not seen in a report yet. Only reports of plausible
    years count (reporting.models.report_years: one of a year to come, stored before that
    rule, would hide every change), and the day is never after today."""
    today = today or timezone.localdate()
    years = report_years(concept, today)
    year = (
        AnnualReport.objects.filter(
            concept=concept,
            status=AnnualReport.Status.FINAL,
            year__gte=years.start,
            year__lt=years.stop,
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is not None:
        return min(dt.date(year + 1, 1, 1), today)
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


# --- rows ----------------------------------------------------------------------------------


def person(user) -> str:
    """Who recorded a change, as the page and the file name them."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(kw_only=True)
class ChangeRow:
    """One change as the page, the CSV file and the print view show it. Every row also has
    `measures` (what it concerns: objects with .label and .title) and `changes` (a list of
    concept.history.Change: Angabe, bisher, neu), as fields or properties."""

    date: dt.date  # the business date the change counts by
    recorded: dt.datetime | None  # when it was saved
    reason: str = ""  # the Anlass, where one was recorded
    user: object = None

    @property
    def person(self):
        return person(self.user)


@dataclass(kw_only=True)
class MeasureChange(ChangeRow):
    """A change read from a measure's history."""

    measure_pk: int
    code: str
    number: str
    title: str
    from_entry: bool = False  # dated by the Sachstand that made it

    @property
    def label(self):
        return measure_label(self.code, self.number)

    @property
    def measures(self):
        return [self]

    @property
    def recorded_later(self):
        """Recorded on another day than the date it carries (a Sachstand entered late)."""
        return self.date != timezone.localdate(self.recorded)


@dataclass(kw_only=True)
class StatusChange(MeasureChange):
    old_status: str | None
    new_status: str
    created: bool = False

    @property
    def old_label(self):
        return Status(self.old_status).label if self.old_status else None

    @property
    def new_label(self):
        return Status(self.new_status).label

    @property
    def changes(self):
        if self.old_status:
            old = self.old_label
        elif self.created:
            old = _("neu aufgenommen")
        else:
            old = _("vorher nicht erfasst")
        label = str(Measure._meta.get_field("status").verbose_name)
        return [Change("status", label, old, self.new_label)]


@dataclass(kw_only=True)
class LightChange(MeasureChange):
    old_light: str
    new_light: str

    @property
    def old_label(self):
        return TrafficLight(self.old_light).label

    @property
    def new_label(self):
        return TrafficLight(self.new_light).label

    @property
    def changes(self):
        label = str(Measure._meta.get_field("traffic_light").verbose_name)
        return [Change("traffic_light", label, self.old_label, self.new_label)]


@dataclass(kw_only=True)
class MasterDataChange(MeasureChange):
    changes: list = field(default_factory=list)


def entry_state(entry) -> str:
    """A Sachstand's state in one line: "in Umsetzung, Ampel gelb, 40 %"."""
    return _("%(status)s, Ampel %(light)s, %(progress)s") % {
        "status": entry.get_status_display(),
        "light": TrafficLight(entry.traffic_light).short_label,
        "progress": formatting.percent(entry.progress),
    }


@dataclass(kw_only=True)
class EntryChange(ChangeRow):
    """A Sachstand dated in the period, or entered in it for an earlier day."""

    entry: ProgressEntry
    entered_late: bool = False

    @property
    def measures(self):
        return [self.entry.measure]

    @property
    def changes(self):
        return [
            Change("state", _("Stand"), "", entry_state(self.entry)),
            Change("text", _("Sachstand"), "", self.entry.text),
        ]


@dataclass(kw_only=True)
class EntryCorrection(ChangeRow):
    """A Sachstand corrected or withdrawn in the period, read from its history: the record
    of the correction or withdrawal, with the reason given and who gave it."""

    measure: Measure
    entry_date: dt.date  # the Sachstand's date, as corrected
    changes: list = field(default_factory=list)
    withdrawn: bool = False

    @property
    def measures(self):
        return [self.measure]


@dataclass(kw_only=True)
class DecisionChange(ChangeRow):
    """A Beschluss of a meeting in the period."""

    decision: Decision

    @property
    def measures(self):
        return list(self.decision.measures.all())

    @property
    def changes(self):
        decision = self.decision
        rows = [
            Change("text", _("Beschluss"), "", f"{decision.get_kind_display()}: {decision.text}")
        ]
        if decision.follow_up_date:
            rows.append(
                Change(
                    "follow_up_date",
                    _("Wiedervorlage"),
                    "",
                    display_value(decision.follow_up_date),
                )
            )
        return rows


# --- records of the period -----------------------------------------------------------------

# A new measure's first history record is saved a moment after the measure; a first record
# long after it is a snapshot of a measure loaded from a fixture or an import.
CREATED_WITHIN = dt.timedelta(minutes=1)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _counted_records():
    """The measures' history records that count: the changes made by a withdrawn
    Sachstand are left out, as if it had never been recorded."""
    return Measure.history.model.objects.filter(entry_withdrawn=False)


def _previous_record():
    """The counted record of the same measure before the outer one."""
    return (
        _counted_records()
        .filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
    )


def measure_records(concept: Concept, since: dt.date):
    """History records of the concept's measures dated since the day, newest first.

    A change made with a Sachstand carries the Sachstand's date, recorded on the history
    record (`entry_date`, set by measures.services.progress_entry_create), not the moment it
    was typed in: Sachstände entered in bulk for past dates are dated as they happened.
    Other changes (edits, the admin, fixtures) carry the day they were recorded. A change
    recorded in the period for an earlier day is listed as well, with its own date. The
    period is chosen on these plain columns first, so only its records are compared with
    the one before them. Each record carries the "Abweichung / Begründung" of the Sachstand
    that made it (`entry_reason`): the reason given with a change of state. The changes made
    by a withdrawn Sachstand are left out (_counted_records)."""
    reason = ProgressEntry.objects.filter(pk=OuterRef("entry_id")).values("deviation")[:1]
    return (
        _counted_records()
        .filter(concept_id=concept.pk)
        .filter(Q(entry_date__gte=since) | Q(history_date__gte=_start_of(since)))
        .annotate(
            day=Coalesce("entry_date", TruncDate("history_date"), output_field=DateField()),
            entry_reason=Subquery(reason),
        )
        .select_related("history_user")
        .order_by("-day", "-history_date", "-history_id")
    )


def status_change_records(concept: Concept, since: dt.date):
    """The records of measure_records() that changed the status. One query.

    The first record of a measure has no predecessor, so its old status is unknown: it is
    listed if the measure was created then, or no longer has the initial status. A first
    record long after the measure was created is a snapshot (measures loaded from a fixture
    or an import get one before their first change), not a new measure."""
    return (
        measure_records(concept, since)
        .annotate(old_status=Subquery(_previous_record().values("status")[:1]))
        .filter(Q(old_status__isnull=True) | ~Q(old_status=F("status")))
        .filter(
            Q(old_status__isnull=False)
            | Q(history_type="+", history_date__lte=F("created_at") + CREATED_WITHIN)
            | ~Q(status=Status.NOT_STARTED)
        )
    )


def light_change_records(concept: Concept, since: dt.date):
    """The records of measure_records() that changed the Ampel against the record before
    them. One query."""
    return (
        measure_records(concept, since)
        .annotate(old_light=Subquery(_previous_record().values("traffic_light")[:1]))
        .filter(old_light__isnull=False)
        .filter(~Q(old_light=F("traffic_light")))
    )


def _differs(column):
    """The column of a record differs from the outer record's; two NULLs are the same."""
    inner, outer = F(column), OuterRef(column)
    inner_null, outer_null = Q(IsNull(inner, True)), Q(IsNull(outer, True))
    return (
        (inner_null & ~outer_null)
        | (~inner_null & outer_null)
        | (~inner_null & ~outer_null & ~Q(Exact(inner, outer)))
    )


def master_data_change_records(concept: Concept, since: dt.date):
    """The change records of measure_records() whose master data (measures.services.
    MASTER_FIELDS) or recorded assignments differ from the record before them. One query.

    Assignments count only where both records carry them (MeasureHistoryBase): where one
    did not record them, they are unknown, not changed."""
    History = Measure.history.model
    columns = [History._meta.get_field(name).attname for name in MASTER_FIELDS]
    assigned = F("assignments"), OuterRef("assignments")
    differs = reduce(or_, (_differs(column) for column in columns)) | (
        Q(IsNull(assigned[0], False)) & Q(IsNull(assigned[1], False)) & ~Q(Exact(*assigned))
    )
    changed = Exists(History.objects.filter(history_id=OuterRef("previous_id")).filter(differs))
    return (
        measure_records(concept, since)
        .filter(history_type="~")
        .annotate(previous_id=Subquery(_previous_record().values("history_id")[:1]))
        .filter(changed)
    )


def entries_since(concept: Concept, since: dt.date):
    """Sachstände dated since the day, and older ones entered since (`entered_late`): a
    December Sachstand typed in after the report went final is news too. By their date."""
    return (
        ProgressEntry.objects.filter(measure__concept=concept)
        .filter(Q(date__gte=since) | Q(created_at__gte=_start_of(since)))
        .annotate(entered_late=ExpressionWrapper(Q(date__lt=since), output_field=BooleanField()))
        .select_related("measure", "author", "decision__meeting__network")
        .order_by("-date", "-created_at", "-pk")
    )


def entry_correction_records(concept: Concept, since: dt.date):
    """The history records of the concept's Sachstände that corrected or withdrew one
    (measures.services.progress_entry_correct, progress_entry_withdraw: a change with a
    reason) since the day, newest first, each with the record before it (`previous_id`).
    One query. A withdrawal is the record that sets `withdrawn_at`; nothing changes a
    withdrawn Sachstand afterwards. Withdrawn Sachstände count here: their corrections
    and their withdrawal are what is listed."""
    History = ProgressEntry.history.model
    previous = History.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    return (
        History.objects.filter(
            measure__concept_id=concept.pk,
            history_type="~",
            history_change_reason__isnull=False,
            history_date__gte=_start_of(since),
        )
        .annotate(previous_id=Subquery(previous.values("history_id")[:1]))
        .select_related("measure", "history_user")
        .order_by("-history_date", "-history_id")
    )


def decisions_since(concept: Concept, since: dt.date):
    return decisions_with_measures(
        Decision.objects.filter(meeting__network__concept=concept, meeting__date__gte=since)
    ).order_by("-meeting__date", "-pk")


# --- records to rows -----------------------------------------------------------------------


def _measure_fields(record):
    reason = [record.history_change_reason or "", record.entry_reason or ""]
    return {
        "date": record.entry_date or timezone.localdate(record.history_date),
        "recorded": record.history_date,
        "measure_pk": record.id,
        "code": record.code,
        "number": record.number,
        "title": record.title,
        "reason": " – ".join(part for part in reason if part),
        "user": record.history_user,
        "from_entry": record.entry_date is not None,
    }


def _status_change(record) -> StatusChange:
    return StatusChange(
        **_measure_fields(record),
        old_status=record.old_status,
        new_status=record.status,
        created=record.history_type == "+"
        and record.history_date - record.created_at <= CREATED_WITHIN,
    )


def status_rows(records) -> list:
    return [_status_change(record) for record in records]


def light_rows(records) -> list:
    return [
        LightChange(
            **_measure_fields(record),
            old_light=record.old_light,
            new_light=record.traffic_light,
        )
        for record in records
    ]


def master_data_rows(records) -> list:
    """Each record with what it changed against the one before it: the records before them
    in one query, the names they refer to in one more (HistoryReader). A record whose
    assignments differ only in what users do not see (ids behind the same names) is left
    out."""
    if not records:
        return []
    History = Measure.history.model
    previous = {
        record.history_id: record
        for record in History.objects.filter(history_id__in=[r.previous_id for r in records])
    }
    reader = HistoryReader(Measure, [*records, *previous.values()], MASTER_FIELDS)
    rows = []
    for record in records:
        changes = field_changes(previous[record.previous_id], record, reader)
        if changes:
            rows.append(MasterDataChange(**_measure_fields(record), changes=changes))
    return rows


def entry_correction_rows(records) -> list:
    """Each correction with what it changed against the record before it ("Angabe: bisher
    → neu", as HistoryReader reads them), each withdrawal with the state it took back. The
    records before them in one query; the corrected fields refer to nothing else. A record
    whose predecessor is not recorded (any more: pruned histories) says so."""
    if not records:
        return []
    History = ProgressEntry.history.model
    previous = {
        record.history_id: record
        for record in History.objects.filter(
            history_id__in=[r.previous_id for r in records if r.previous_id]
        )
    }
    reader = HistoryReader(ProgressEntry, [*records, *previous.values()], ENTRY_CORRECTABLE_FIELDS)
    rows = []
    for record in records:
        older = previous.get(record.previous_id)
        withdrawn = record.withdrawn_at is not None and (
            older is None or older.withdrawn_at is None
        )
        if withdrawn:
            changes = [
                Change("withdrawn_at", _("Sachstand"), entry_state(record), _("zurückgezogen"))
            ]
        elif older is None:
            changes = [Change("", _("Angaben"), _("vorher nicht erfasst"), _("korrigiert"))]
        else:
            changes = reader.changes(older, record)
            if not changes:
                continue
        rows.append(
            EntryCorrection(
                date=timezone.localdate(record.history_date),
                recorded=record.history_date,
                reason=record.history_change_reason,
                user=record.history_user,
                measure=record.measure,
                entry_date=record.date,
                changes=changes,
                withdrawn=withdrawn,
            )
        )
    return rows


def _decision_reason(decision) -> str:
    meeting = decision.meeting
    return _("Beschluss (%(committee)s, %(date)s): %(text)s") % {
        "committee": meeting.network.name,
        "date": formatting.date(meeting.date),
        "text": decision.text,
    }


def entry_rows(entries) -> list:
    return [
        EntryChange(
            date=entry.date,
            recorded=entry.created_at,
            reason=_decision_reason(entry.decision) if entry.decision else "",
            user=entry.author,
            entry=entry,
            entered_late=entry.entered_late,
        )
        for entry in entries
    ]


def decision_rows(decisions) -> list:
    return [
        DecisionChange(
            date=decision.meeting.date,
            recorded=decision.created_at,
            reason=_("Sitzung %(committee)s am %(date)s")
            % {
                "committee": decision.meeting.network.name,
                "date": formatting.date(decision.meeting.date),
            },
            user=decision.created_by,
            decision=decision,
        )
        for decision in decisions
    ]


@dataclass(frozen=True)
class IndicatorRef:
    """A Kennzahl where a change row names what it concerns (label, title)."""

    label: str
    title: str
    pk: int


@dataclass(kw_only=True)
class StatisticsChange(ChangeRow):
    """A number official statistics revised, or no longer publish, for the district: read
    from the value's history, as a reading of the source changed or removed it."""

    indicator: object
    period: str
    breakdown: str
    old: object
    new: object

    @property
    def measures(self):
        return [
            IndicatorRef(
                label=self.indicator.statistics_id, title=self.indicator.name, pk=self.indicator.pk
            )
        ]

    @property
    def changes(self):
        label = " ".join(part for part in (_("Wert"), self.period, self.breakdown) if part)
        old = display_value(self.old)
        new = _("entfällt") if self.new is None else display_value(self.new)
        return [Change("value", label, old, new)]


def statistics_change_records(concept: Concept, since: dt.date):
    """The history records of the concept's Kennzahlwerte that a reading of official
    statistics changed or removed (not the first reading's new values: they revise nothing),
    newest first. A record counts when the reading that wrote it is not the one before it."""
    History = IndicatorValue.history.model
    previous = History.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    return (
        History.objects.filter(
            indicator__concept=concept,
            history_type__in=["~", "-"],
            statistics_import__isnull=False,
            history_date__gte=_start_of(since),
        )
        .annotate(
            previous_value=Subquery(previous.values("value")[:1]),
            previous_import=Subquery(previous.values("statistics_import")[:1]),
        )
        .filter(
            Q(history_type="-")
            | Q(previous_import__isnull=True)
            | ~Q(previous_import=F("statistics_import"))
        )
        .select_related("indicator", "history_user")
        .order_by("-history_date", "-history_id")
    )


def statistics_rows(records) -> list:
    return [
        StatisticsChange(
            date=timezone.localdate(record.history_date),
            recorded=record.history_date,
            reason=record.history_change_reason or "",
            user=record.history_user,
            indicator=record.indicator,
            period=record.period,
            breakdown=record.breakdown,
            old=record.value if record.history_type == "-" else record.previous_value,
            new=None if record.history_type == "-" else record.value,
        )
        for record in records
    ]


# --- the kinds of change -------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeKind:
    key: str  # the kind's key in changes_since(pages=…)
    anchor: str  # the id of its section on the page; its page parameter is seite_<anchor>
    title: str  # the section's heading
    row_label: str  # what one row is, in the file's "Art" column
    count: Callable[[int], str]  # "3 Statuswechsel", the count's label
    empty: str  # said when the period has none
    template: str  # the section's rows
    records: Callable[[Concept, dt.date], object]  # the period's records, newest first
    rows: Callable[[list], list]  # records → ChangeRows, bounded queries

    @property
    def page_param(self):
        return f"seite_{self.anchor}"


KINDS = [
    ChangeKind(
        key="status",
        anchor="statuswechsel",
        title=gettext_lazy("Statuswechsel"),
        row_label=gettext_lazy("Statuswechsel"),
        count=lambda n: npgettext("Anzahl", "Statuswechsel", "Statuswechsel", n),
        empty=gettext_lazy("Im Zeitraum hat sich kein Umsetzungsstand geändert."),
        template="reporting/changes/_status.html",
        records=status_change_records,
        rows=status_rows,
    ),
    ChangeKind(
        key="lights",
        anchor="ampel",
        title=gettext_lazy("Ampelwechsel"),
        row_label=gettext_lazy("Ampelwechsel"),
        count=lambda n: npgettext("Anzahl", "Ampelwechsel", "Ampelwechsel", n),
        empty=gettext_lazy("Im Zeitraum hat sich keine Ampel geändert."),
        template="reporting/changes/_lights.html",
        records=light_change_records,
        rows=light_rows,
    ),
    ChangeKind(
        key="entries",
        anchor="sachstaende",
        title=gettext_lazy("Neue Sachstände"),
        row_label=gettext_lazy("Sachstand"),
        count=lambda n: ngettext("neuer Sachstand", "neue Sachstände", n),
        empty=gettext_lazy("Im Zeitraum ist kein Sachstand datiert."),
        template="reporting/changes/_entries.html",
        records=entries_since,
        rows=entry_rows,
    ),
    ChangeKind(
        key="decisions",
        anchor="beschluesse",
        title=gettext_lazy("Beschlüsse"),
        row_label=gettext_lazy("Beschluss"),
        count=lambda n: npgettext("Anzahl", "Beschluss", "Beschlüsse", n),
        empty=gettext_lazy("Im Zeitraum wurde kein Beschluss gefasst."),
        template="reporting/changes/_decisions.html",
        records=decisions_since,
        rows=decision_rows,
    ),
    ChangeKind(
        key="master",
        anchor="stammdaten",
        title=gettext_lazy("Stammdaten"),
        row_label=gettext_lazy("Stammdaten"),
        count=lambda n: ngettext("Stammdatenänderung", "Stammdatenänderungen", n),
        empty=gettext_lazy("Im Zeitraum wurden keine Stammdaten geändert."),
        template="reporting/changes/_master_data.html",
        records=master_data_change_records,
        rows=master_data_rows,
    ),
    ChangeKind(
        key="corrections",
        anchor="korrekturen",
        title=gettext_lazy("Korrekturen an Sachständen"),
        row_label=gettext_lazy("Korrektur"),
        count=lambda n: ngettext("Sachstandskorrektur", "Sachstandskorrekturen", n),
        empty=gettext_lazy("Im Zeitraum wurde kein Sachstand korrigiert oder zurückgezogen."),
        template="reporting/changes/_corrections.html",
        records=entry_correction_records,
        rows=entry_correction_rows,
    ),
    ChangeKind(
        key="statistics",
        anchor="statistik",
        title=gettext_lazy("Amtliche Statistik"),
        row_label=gettext_lazy("Statistikwert"),
        count=lambda n: ngettext("geänderter Statistikwert", "geänderte Statistikwerte", n),
        empty=gettext_lazy("Im Zeitraum hat keine Statistikquelle einen Wert geändert."),
        template="reporting/changes/_statistics.html",
        records=statistics_change_records,
        rows=statistics_rows,
    ),
]


# --- what changed since a day --------------------------------------------------------------


@dataclass
class Section:
    kind: ChangeKind
    rows: list  # of ChangeRow: one page of them, or all
    total: int
    page: Page | None = None  # None: all rows

    @property
    def count_label(self):
        return self.kind.count(self.total)


@dataclass
class Changes:
    since: dt.date
    sections: list  # of Section, in the order of KINDS

    def section(self, key) -> Section:
        return next(section for section in self.sections if section.kind.key == key)

    def rows(self, key) -> list:
        return self.section(key).rows


def changes_since(
    concept: Concept,
    since: dt.date,
    *,
    pages: dict | None = None,
    per_page: int | None = None,
    paged: bool = True,
) -> Changes:
    """What changed since the day, kind by kind (KINDS). Paged (the page): one page of each
    kind (`pages`: {kind key: page number}, default the first), two queries per kind and
    the few its rows need. Unpaged (the file, the print view): every row of each kind."""
    pages = pages or {}
    per_page = per_page or CHANGES_PAGE_SIZE
    sections = []
    for kind in KINDS:
        records = kind.records(concept, since)
        if paged:
            page = Paginator(records, per_page).get_page(pages.get(kind.key))
            page.object_list = kind.rows(list(page.object_list))
            sections.append(Section(kind, page.object_list, page.paginator.count, page))
        else:
            rows = kind.rows(list(records))
            sections.append(Section(kind, rows, len(rows)))
    return Changes(since, sections)


def status_changes(concept: Concept, since: dt.date) -> list:
    """All status changes since the day, newest first (see status_change_records)."""
    return status_rows(list(status_change_records(concept, since)))


# --- the file ------------------------------------------------------------------------------


def csv_table(changes: Changes):
    """The headers and rows of the CSV file: one line per Angabe of each change (a change of
    three master-data fields gives three lines), kind after kind."""
    headers = [
        _("Art"),
        _("Datum"),
        _("Maßnahme"),
        _("Titel"),
        _("Angabe"),
        _("bisher"),
        _("neu"),
        _("Anlass"),
        _("erfasst von"),
        _("erfasst am"),
    ]
    lines = []
    for section in changes.sections:
        for row in section.rows:
            measures = row.measures
            labels = ", ".join(m.label for m in measures)
            titles = "; ".join(m.title for m in measures)
            for change in row.changes:
                lines.append(
                    [
                        str(section.kind.row_label),
                        row.date,
                        labels,
                        titles,
                        change.label,
                        change.old,
                        change.new,
                        row.reason,
                        row.person,
                        row.recorded,
                    ]
                )
    return headers, lines
