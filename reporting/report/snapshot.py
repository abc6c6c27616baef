"""The data of the yearly Controlling-/Evaluationsbericht.

`build_snapshot` reads everything the PDF shows from the database into plain JSON data
(a fixed number of queries, whatever the size of the concept). A final report stores that
snapshot, so the PDF can be explained and re-created from it; `report_context` turns a
snapshot back into what the templates need (dates, Decimals, charts).
"""

import datetime as dt
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from concept import formatting
from concept.models import Abbreviation, LegalPage
from goals.models import Indicator, IndicatorValue, StrategicGoal, goal_label
from measures.models import (
    ATTENTION_LIGHTS,
    Decision,
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    Status,
    TrafficLight,
)
from networks.models import Meeting, Network
from reporting.dashboard import charts
from reporting.dashboard.queries import GoalSummary, Tally
from reporting.dashboard.structure import situation_figures
from reporting.models import IMPRINT_FIELDS, NARRATIVE_FIELDS, PATH_FIELDS

SNAPSHOT_VERSION = 1
# Keys whose values are Decimals (stored as strings) or dates (stored as ISO strings).
DECIMAL_KEYS = frozenset(
    {
        "value",
        "total",
        "baseline",
        "target",
        "previous",
        "current",
        "change",
        "change_percent",
        "attainment",
        "staff",
        "cost",
        "funding",
    }
)
DATE_KEYS = frozenset(
    {
        "date",
        "reference_date",
        "previous_date",
        "start_date",
        "end_date",
        "follow_up_date",
        *(name for name in PATH_FIELDS if name.endswith("_on")),
    }
)


def _dec(value):
    return None if value is None else str(value)


def _day(value):
    return None if value is None else value.isoformat()


# --- building ------------------------------------------------------------------------------


def _indicator_row(indicator, year):
    """An indicator with baseline, previous year, current, target and attainment, from its
    totals (prefetched to `totals`, oldest first) up to the end of the report year."""
    until = dt.date(year, 12, 31)
    values = [v for v in indicator.totals if v.reference_date <= until]
    current = values[-1] if values else None
    # The previous value is the latest one of an earlier year (the "Vorjahr" column).
    earlier = [v for v in values if current and v.reference_date.year < current.reference_date.year]
    previous = earlier[-1] if earlier else None
    change = change_percent = None
    if current and previous:
        change = current.value - previous.value
        if previous.value:
            change_percent = formatting.round_half_up(change / previous.value * 100, 1)
    base, target = indicator.baseline_value, indicator.target_value
    attainment = indicator.attainment(current.value if current else None)
    # The time series: every value up to the end of the report year, each with its own
    # Stichtag (a 2019 figure stays a 2019 figure in a 2025 report).
    series = [
        {"date": _day(v.reference_date), "period": v.period, "value": _dec(v.value)} for v in values
    ]
    return {
        "name": indicator.name,
        "description": indicator.description,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "direction_label": str(indicator.get_direction_display()),
        "source": (current.source if current and current.source else indicator.source),
        "baseline": _dec(base),
        "baseline_year": indicator.baseline_year,
        "target": _dec(target),
        "target_year": indicator.target_year,
        "current": _dec(current.value if current else None),
        "reference_date": _day(current.reference_date if current else None),
        "previous": _dec(previous.value if previous else None),
        "previous_date": _day(previous.reference_date if previous else None),
        "change": _dec(change),
        "change_percent": _dec(change_percent),
        "is_percent": indicator.is_percent,
        "attainment": _dec(attainment),
        "series": series,
        "is_old": bool(current and current.reference_date.year < year),
    }


def _measure_data(measure, year):
    lead = [i.organisation.name for i in measure.involvements.all() if i.role == "lead"]
    partners = [i.organisation.name for i in measure.involvements.all() if i.role != "lead"]
    entries = sorted(measure.year_entries, key=lambda e: (e.date, e.pk))
    outputs = {}
    for key in ("participants", "staff", "cost", "funding"):
        present = [getattr(e, key) for e in entries if getattr(e, key) is not None]
        if key == "participants":
            outputs[key] = sum(present) if present else None
        elif key == "staff":
            outputs[key] = _dec(present[-1]) if present else None  # a level, not a flow
        else:
            outputs[key] = _dec(sum(present)) if present else None
    latest = entries[-1] if entries else None
    status, light, progress = _year_end_state(measure)
    return {
        "code": measure.code,
        "number": measure.number,
        "label": measure.label,
        "title": measure.title,
        "description": measure.description,
        "target_group": measure.target_group,
        "goal": measure.goal.number if measure.goal_id else None,
        "sub_goals": [s.number for s in measure.sub_goals.all()],
        "lead": lead,
        "partners": partners,
        "start_date": _day(measure.start_date),
        "end_date": _day(measure.end_date),
        "cadence_label": str(measure.get_update_cadence_display()),
        "status": status,
        "status_label": str(Status(status).label),
        "status_reason": measure.status_reason if status == measure.status else "",
        "light": light,
        "light_label": str(TrafficLight(light).label),
        "light_short": TrafficLight(light).short_label,
        "progress": progress,
        "entries": [
            {"date": _day(e.date), "period": e.period, "text": e.text} for e in entries if e.text
        ],
        # Every Sachstand of the year, also those without text (the completeness check).
        "entry_count": len(entries),
        "next_steps": latest.next_steps if latest else "",
        "deviation": "\n".join(e.deviation for e in entries if e.deviation),
        "outputs": outputs,
    }


def _year_end_state(measure):
    """Umsetzungsstand, Ampel and Fortschritt on 31.12. of the report year.

    The newest Sachstand up to that day holds them (every change of the state leaves one).
    A report written in spring for the year before must not show today's state. Without
    any Sachstand up to then, the measure had not been assessed yet, unless it has no
    Sachstand at all: then nothing ever changed its recorded state."""
    if measure.year_end_status is not None:
        return measure.year_end_status, measure.year_end_light, measure.year_end_progress
    if measure.has_later_entries:
        return Status.NOT_STARTED, TrafficLight.GREY, 0
    return measure.status, measure.traffic_light, measure.progress


def _tally(measures):
    counts = {"status": Counter(), "light": Counter(), "progress_sum": 0, "counted": 0}
    for m in measures:
        counts["status"][m["status"]] += 1
        counts["light"][m["light"]] += 1
        if m["status"] not in (Status.DEFERRED, Status.DROPPED):
            counts["counted"] += 1
            counts["progress_sum"] += m["progress"]
    return {
        "status": dict(counts["status"]),
        "light": dict(counts["light"]),
        "progress_sum": counts["progress_sum"],
        "counted": counts["counted"],
    }


def build_snapshot(report, *, now=None, final=False) -> dict:
    """Everything the report's PDF shows, as JSON data (report: an AnnualReport).

    Unless `final` (the snapshot a report is frozen with), the PDF marks itself a draft."""
    now = now or timezone.now()
    concept, year = report.concept, report.year
    until = dt.date(year, 12, 31)
    goals = list(
        StrategicGoal.objects.filter(concept=concept)
        .order_by("number")
        .prefetch_related("sub_goals")
    )
    context_indicators = _context_indicators(concept, until)
    networks = list(
        Network.objects.filter(concept=concept)
        .select_related("coordinator")
        .order_by("position", "name")
    )
    meetings = _meetings(concept, year)
    assessments = {a.goal_id: a.text for a in report.assessments.all()} if report.pk else {}

    by_sub_goal = _indicators_by_sub_goal(concept, goals, year)
    measure_rows = [(m, _measure_data(m, year)) for m in _measures(concept, year)]
    goal_rows = [
        _goal_data(
            goal, assessments, by_sub_goal, [d for m, d in measure_rows if m.goal_id == goal.pk]
        )
        for goal in goals
    ]
    coordination = [data for m, data in measure_rows if m.goal_id is None]
    situation = [_situation_data(figure) for figure in situation_figures(context_indicators)]
    monitoring = [_indicator_row(i, year) for i in context_indicators]
    dates = [m.date for m in meetings]
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "draft": not final,
        "taken_at": now.isoformat(),
        "date": _day(timezone.localdate(now)),
        "concept": {
            "slug": concept.slug,
            "title": concept.title,
            "district": concept.district,
            "version_label": concept.version_label,
            "adopted_on": _day(concept.adopted_on),
        },
        "report": {
            "year": year,
            "version": report.version,
            "correction_note": report.correction_note,
            "supersedes_version": report.supersedes.version if report.supersedes_id else None,
            **{name: getattr(report, name) for name in NARRATIVE_FIELDS},
            **{
                name: _day(getattr(report, name)) if name.endswith("_on") else getattr(report, name)
                for name in (*IMPRINT_FIELDS, *PATH_FIELDS)
            },
        },
        "imprint": _imprint(report),
        "path": _reporting_path(report),
        "abbreviations": [
            {"short": a.short_form, "long": a.long_form}
            for a in Abbreviation.objects.filter(concept=concept)
        ],
        "situation": situation,
        "monitoring": monitoring,
        "sources": _sources(situation, monitoring, by_sub_goal.values()),
        "tally": _tally([data for _m, data in measure_rows]),
        "goals": goal_rows,
        "coordination": {"measures": coordination, "tally": _tally(coordination)},
        "networks": [_network_data(n) for n in networks],
        "meetings": [_meeting_data(m) for m in meetings],
        "first_meeting_date": _day(min(dates)) if dates else None,
        "committees": [n.name for n in networks if n.kind == Network.Kind.COMMITTEE],
    }


# --- what the snapshot reads ------------------------------------------------------------------


def _imprint(report):
    """Publisher and contact of the Impressum: the report's own, else the concept's district
    and the contact of the portal's Impressum. An empty contact stays empty: the PDF shows
    it as missing."""
    contact, source = report.contact.strip(), "report"
    if not contact:
        page = LegalPage.objects.filter(kind=LegalPage.Kind.IMPRINT).first()
        lines = []
        if page is not None:
            lines = [
                *page.contact_address.strip().splitlines(),
                *(
                    [gettext("Telefon: %(phone)s") % {"phone": page.contact_phone}]
                    if page.contact_phone
                    else []
                ),
                *(
                    [gettext("E-Mail: %(email)s") % {"email": page.contact_email}]
                    if page.contact_email
                    else []
                ),
            ]
        contact, source = "\n".join(line.strip() for line in lines if line.strip()), "portal"
    return {
        "publisher": report.publisher.strip() or report.concept.district,
        "contact": contact,
        "contact_source": source if contact else "",
    }


def _reporting_path(report):
    """The steps the report goes through, each with its date where recorded."""
    return [
        {"step": gettext("Steuerungsgruppe Integration"), "date": _day(report.steering_group_on)},
        {"step": gettext("HVB-Konferenz"), "date": _day(report.hvb_conference_on)},
        {
            "step": report.committee_name.strip() or gettext("Fachausschuss"),
            "date": _day(report.committee_on),
        },
        {"step": gettext("Kreistag"), "date": _day(report.council_on)},
    ]


def _indicators_by_sub_goal(concept, goals, year):
    """The Kennzahlen of the Teilziele as rows, per Teilziel."""
    totals = Prefetch(
        "values",
        queryset=IndicatorValue.objects.filter(breakdown="").order_by("reference_date", "pk"),
        to_attr="totals",
    )
    indicators = (
        Indicator.objects.filter(concept=concept, sub_goal__isnull=False)
        .order_by("position", "name")
        .prefetch_related(totals)
    )
    sub_goal_labels = {s.pk: f"{g.number}.{s.number}" for g in goals for s in g.sub_goals.all()}
    by_sub_goal = {}
    for indicator in indicators:
        row = _indicator_row(indicator, year)
        row["sub_goal"] = sub_goal_labels.get(indicator.sub_goal_id, "")
        by_sub_goal.setdefault(indicator.sub_goal_id, []).append(row)
    return by_sub_goal


def _measures(concept, year):
    """The measures with their state at the end of the year and that year's Sachstände."""
    until = dt.date(year, 12, 31)
    up_to_year_end = ProgressEntry.objects.filter(measure=OuterRef("pk"), date__lte=until).order_by(
        "-date", "-created_at", "-pk"
    )
    return list(
        Measure.objects.filter(concept=concept)
        .select_related("goal")
        .annotate(
            year_end_status=Subquery(up_to_year_end.values("status")[:1]),
            year_end_light=Subquery(up_to_year_end.values("traffic_light")[:1]),
            year_end_progress=Subquery(up_to_year_end.values("progress")[:1]),
            has_later_entries=Exists(
                ProgressEntry.objects.filter(measure=OuterRef("pk"), date__gt=until)
            ),
        )
        .order_by("position", "number")
        .prefetch_related(
            "sub_goals",
            Prefetch(
                "involvements",
                queryset=MeasureOrganisation.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            ),
            Prefetch(
                "entries",
                queryset=ProgressEntry.objects.filter(date__year=year),
                to_attr="year_entries",
            ),
        )
    )


def _context_indicators(concept, until):
    """The Kennzahlen of the Ausgangslage with their values up to the end of the year."""
    indicators = list(
        Indicator.objects.filter(concept=concept, sub_goal__isnull=True)
        .order_by("position", "name")
        .prefetch_related(
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.filter(reference_date__lte=until).order_by(
                    "reference_date", "position"
                ),
            )
        )
    )
    for indicator in indicators:
        indicator.totals = [v for v in indicator.values.all() if not v.breakdown]
    return indicators


def _meetings(concept, year):
    return list(
        Meeting.objects.filter(network__concept=concept, date__year=year)
        .select_related("network")
        .order_by("date", "pk")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.order_by("pk").prefetch_related(
                    Prefetch("measures", queryset=Measure.objects.order_by("position", "number"))
                ),
            )
        )
    )


# --- how the snapshot writes it -----------------------------------------------------------------


def _goal_data(goal, assessments, by_sub_goal, goal_measures):
    return {
        "number": goal.number,
        "title": goal.title,
        "short_title": goal.short_title,
        "aim": goal.aim,
        "assessment": assessments.get(goal.pk, ""),
        "sub_goals": [
            {"number": s.number, "text": s.text, "indicators": by_sub_goal.get(s.pk, [])}
            for s in goal.sub_goals.all()
        ],
        "measures": goal_measures,
        "tally": _tally(goal_measures),
    }


def _situation_data(figure):
    return {
        "name": figure.indicator.name,
        "unit": figure.indicator.unit,
        "reference_date": _day(figure.reference_date),
        "total": _dec(figure.total),
        "source": figure.source,
        "rows": [
            {"label": r.label, "value": _dec(r.value), "derived": r.derived} for r in figure.rows
        ],
    }


def _network_data(network):
    return {
        "name": network.name,
        "kind": str(network.get_kind_display()),
        "purpose": network.purpose,
        "coordinator": network.coordinator.name if network.coordinator_id else "",
        "cadence": network.meeting_cadence,
    }


def _meeting_data(meeting):
    return {
        "date": _day(meeting.date),
        "committee": meeting.network.name,
        "topic": meeting.topic,
        "presented": meeting.presented,
        "decisions": [
            {
                "text": d.text,
                "kind": str(d.get_kind_display()),
                "measures": [x.label for x in d.measures.all()],
                "follow_up_date": _day(d.follow_up_date),
            }
            for d in meeting.decisions.all()
        ],
    }


def _sources(situation, monitoring, sub_goal_rows):
    """Each source of the figures with its latest Stichtag (the cover's Datenstand)."""
    latest = {}
    rows = [*situation, *monitoring, *(row for rows in sub_goal_rows for row in rows)]
    for row in rows:
        source, day = row["source"].strip(), row["reference_date"]
        if source and day:
            latest[source] = max(latest.get(source, day), day)
    return [{"source": source, "reference_date": day} for source, day in sorted(latest.items())]


# --- reading back --------------------------------------------------------------------------


def _revive(data):
    """Snapshot JSON → template data: ISO dates to dates, decimal strings to Decimals."""
    if isinstance(data, list):
        return [_revive(item) for item in data]
    if not isinstance(data, dict):
        return data
    revived = {}
    for key, value in data.items():
        if isinstance(value, str) and key in DATE_KEYS:
            revived[key] = dt.date.fromisoformat(value)
        elif isinstance(value, str) and key in DECIMAL_KEYS:
            revived[key] = Decimal(value)
        else:
            revived[key] = _revive(value)
    return revived


def _to_tally(counts):
    tally = Tally()
    tally.status_counts = Counter(counts["status"])
    tally.light_counts = Counter(counts["light"])
    tally.progress_sum = counts["progress_sum"]
    tally.counted = counts["counted"]
    return tally


def _situation_chart(figure, index):
    namespace = SimpleNamespace(
        indicator=SimpleNamespace(name=figure["name"], unit=figure["unit"]),
        reference_date=figure["reference_date"],
        total=figure["total"],
        rows=[SimpleNamespace(**row) for row in figure["rows"]],
    )
    return charts.situation_chart(namespace, chart_id=f"lage-{index}")


def _verdict(indicators):
    """Zielerreichung of a Teilziel from its indicators' attainment (baseline → target)."""
    shares = [i["attainment"] for i in indicators if i["attainment"] is not None]
    if not shares:
        return gettext("nicht bewertbar")
    if min(shares) >= 100:
        return gettext("erreicht")
    if max(shares) > 0:
        return gettext("teilweise erreicht")
    return gettext("nicht erreicht")


def report_context(snapshot: dict) -> dict:
    """The template context of the PDF, from a snapshot."""
    data = _revive(snapshot)
    tally = _to_tally(data["tally"])
    summaries = [
        GoalSummary(
            SimpleNamespace(number=g["number"], short_title=g["short_title"] or g["title"]),
            _to_tally(g["tally"]),
        )
        for g in data["goals"]
    ]
    if data["coordination"]["measures"]:
        summaries.append(GoalSummary(None, _to_tally(data["coordination"]["tally"])))
    measures = [m for g in data["goals"] for m in g["measures"]] + data["coordination"]["measures"]
    for i, figure in enumerate(data["situation"], start=1):
        figure["chart"] = _situation_chart(figure, i).render("visible") if figure["rows"] else None
    for goal, summary in zip(data["goals"], summaries, strict=False):
        goal["summary"] = summary
        goal["label"] = goal_label(goal["number"], goal["short_title"] or goal["title"])
        goal["lights"] = [
            (light.value, light.short_label, summary.tally.light_counts.get(light.value, 0))
            for light in TrafficLight
        ]
        for sub_goal in goal["sub_goals"]:
            sub_goal["verdict"] = _verdict(sub_goal["indicators"])
    return {
        **data,
        # Snapshots frozen before drafts were marked have no "draft": they are all final.
        "draft": bool(data.get("draft")),
        "date": data["date"],
        "overall": tally,
        "summaries": summaries,
        "all_measures": measures,
        # In print the data table is shown under each chart (the text alternative).
        "status_chart": charts.status_overall(tally, chart_id="bericht-status").render("visible"),
        "status_goal_chart": charts.status_by_goal(
            summaries, chart_id="bericht-status-ziele"
        ).render("visible"),
        "lights_chart": charts.lights_by_goal(summaries, chart_id="bericht-ampel-ziele").render(
            "visible"
        ),
        "decision_count": sum(len(m["decisions"]) for m in data["meetings"]),
        # Handlungsbedarf at a glance: red before yellow, in the concept's order.
        "attention": [m for light in ATTENTION_LIGHTS for m in measures if m["light"] == light],
        "profiles": [
            *data["monitoring"],
            *(i for g in data["goals"] for s in g["sub_goals"] for i in s["indicators"]),
        ],
    }
