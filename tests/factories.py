"""Test data, built the way the portal builds it.

Where a service writes a model, its factory calls that service (in `_create`), so the data
obeys the same rules and has the same effects as in production: a Sachstand from
ProgressEntryFactory moves its measure's state, a Kennzahlwert from IndicatorValueFactory is
refused twice for the same day, a report from AnnualReportFactory(final=True) carries the
snapshot and PDF hash that finalising writes. Models without a service (the concept's
structure, which the outline import or the admin creates) are saved as they are.

Arguments the service does not take raise a TypeError: a test that needs a state the
service would refuse builds it with the model and says why.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from concept import roles
from concept.legal import FIELDS_BY_KIND, legal_page_save
from concept.models import Abbreviation, Concept, LegalPage, Membership, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
from goals.services import indicator_value_create
from measures.models import (
    Decision,
    Evidence,
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    Status,
    TrafficLight,
    add_months,
    earliest_on_time,
)
from measures.services import (
    decision_create,
    decision_update,
    evidence_add,
    progress_entry_create,
)
from networks import services as network_services
from networks.models import Meeting, Network, Organisation
from reporting.models import EDITABLE_FIELDS, AnnualReport, ReportRender
from reporting.report import services as report_services
from reporting.report.completeness import fingerprint
from reporting.report.snapshot import build_snapshot

PDF = b"%PDF-1.7\n% Controllingbericht\n%%EOF\n"
OVERRIDE_REASON = "Testbericht: offene Punkte bewusst in Kauf genommen"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password("ein-sicheres-Passwort-42")


def add_member(concept, user, role=roles.STEERING_GROUP):
    """Make the user a member of the concept with this role (or change their role)."""
    Membership.objects.update_or_create(concept=concept, user=user, defaults={"role": role})
    roles.forget(user)
    return user


class ConceptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concept
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"konzept-{n}")
    title = factory.Sequence(lambda n: f"Integrationskonzept Testkreis {n}")
    district = factory.Sequence(lambda n: f"Testkreis {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        """`members=[user, …]` or `members=[(user, role), …]`."""
        for member in extracted or () if create else ():
            user, role = member if isinstance(member, tuple) else (member, roles.STEERING_GROUP)
            add_member(self, user, role)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A role in a concept; a second membership of the same person changes the role."""

    class Meta:
        model = Membership

    concept = factory.SubFactory(ConceptFactory)
    user = factory.SubFactory(UserFactory)
    role = roles.STEERING_GROUP

    @classmethod
    def _create(cls, model_class, *, concept, user, role):
        add_member(concept, user, role)
        return Membership.objects.get(concept=concept, user=user)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    concept = factory.SubFactory(ConceptFactory)
    section = Statement.Section.SITUATION
    number = factory.Sequence(lambda n: f"1.1.{n + 1}")
    text = factory.Sequence(lambda n: f"Feststellung {n}")


class AbbreviationFactory(factory.django.DjangoModelFactory):
    """An abbreviation as Koordination enters it in the admin."""

    class Meta:
        model = Abbreviation

    concept = factory.SubFactory(ConceptFactory)
    short_form = "BES"
    long_form = "Berufseinstiegsschule"

    @classmethod
    def _create(cls, model_class, **kwargs):
        abbreviation = model_class(**kwargs)
        abbreviation.full_clean()
        abbreviation.save()
        return abbreviation


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicGoal

    concept = factory.SubFactory(ConceptFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Ziel {n}")
    short_title = factory.Sequence(lambda n: f"Kurz {n}")
    aim = "Eine Zielaussage."


class SubGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubGoal

    goal = factory.SubFactory(GoalFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Teilziel-Text {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    """A measure as the outline import or the admin enters it. Its state comes with a
    Sachstand (ProgressEntryFactory); a status given here is the imported one."""

    class Meta:
        model = Measure

    concept = factory.SubFactory(ConceptFactory)
    goal = factory.SubFactory(GoalFactory, concept=factory.SelfAttribute("..concept"))
    code = factory.Sequence(lambda n: f"T{n + 1}")
    number = factory.Sequence(lambda n: f"4.1.{n + 1}")
    title = factory.Sequence(lambda n: f"Maßnahme {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An Akteur, through networks.services.organisation_create."""

    class Meta:
        model = Organisation

    concept = factory.SubFactory(ConceptFactory)
    name = factory.Sequence(lambda n: f"Akteur {n}")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return network_services.organisation_create(**kwargs)


class MeasureOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureOrganisation

    measure = factory.SubFactory(MeasureFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, concept=factory.SelfAttribute("..measure.concept")
    )
    role = MeasureOrganisation.Role.LEAD


class NetworkFactory(factory.django.DjangoModelFactory):
    """A network, through networks.services.network_create (members=[organisation, …])."""

    class Meta:
        model = Network

    concept = factory.SubFactory(ConceptFactory)
    name = factory.Sequence(lambda n: f"Netzwerk {n}")
    kind = Network.Kind.NETWORK

    @classmethod
    def _create(cls, model_class, **kwargs):
        return network_services.network_create(**kwargs)


class CommitteeFactory(NetworkFactory):
    name = factory.Sequence(lambda n: f"Gremium {n}")
    kind = Network.Kind.COMMITTEE


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting, through networks.services.meeting_create; by default of a committee."""

    class Meta:
        model = Meeting

    network = factory.SubFactory(CommitteeFactory)
    date = factory.LazyFunction(timezone.localdate)
    topic = factory.Sequence(lambda n: f"Sitzung {n}")
    user = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return network_services.meeting_create(**kwargs)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A Beschluss, through the decision service (which refuses other than committee
    meetings); follow_up_done=True marks the follow-up done with the update service."""

    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Beschluss {n}")
    kind = Decision.Kind.ADJUST
    measures = ()
    follow_up_date = None
    follow_up_done = False
    created_by = None

    @classmethod
    def _create(cls, model_class, *, created_by, follow_up_done, measures, **kwargs):
        decision = decision_create(user=created_by, measures=measures, **kwargs)
        if follow_up_done:
            decision = decision_update(
                decision=decision,
                user=created_by,
                expected_version=decision.version,
                text=decision.text,
                kind=decision.kind,
                measures=decision.measures.all(),
                follow_up_date=decision.follow_up_date,
                follow_up_done=True,
            )
        return decision


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    """A Sachstand, through measures.services.progress_entry_create: if it is the measure's
    newest, the measure takes over its status, Ampel and progress."""

    class Meta:
        model = ProgressEntry

    measure = factory.SubFactory(MeasureFactory)
    author = None
    date = factory.LazyFunction(timezone.localdate)
    status = Status.IN_PROGRESS
    traffic_light = TrafficLight.GREEN
    progress = 50
    # A Sachstand that turns the Ampel to gelb or rot says why (services.progress_entry_errors).
    deviation = factory.LazyAttribute(
        lambda entry: (
            "Verzögerung beim Träger."
            if entry.traffic_light in (TrafficLight.YELLOW, TrafficLight.RED)
            else ""
        )
    )

    @classmethod
    def _create(cls, model_class, **kwargs):
        return progress_entry_create(**kwargs)


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A Nachweis, through measures.services.evidence_add: a link by default, or
    `upload=SimpleUploadedFile(…)`, checked like an upload in the portal."""

    class Meta:
        model = Evidence

    entry = factory.SubFactory(ProgressEntryFactory)
    url = "https://example.org/nachweis"

    @classmethod
    def _create(cls, model_class, **kwargs):
        if kwargs.get("upload") is not None:
            kwargs["url"] = ""
        return evidence_add(**kwargs)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    concept = factory.SubFactory(ConceptFactory)
    name = factory.Sequence(lambda n: f"Kennzahl {n}")
    unit = "Personen"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A Kennzahlwert, through goals.services.indicator_value_create."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    reference_date = factory.Sequence(lambda n: dt.date(2024, 12, 31) - dt.timedelta(days=n))
    value = Decimal(10)
    user = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return indicator_value_create(**kwargs)


class AnnualReportFactory(factory.django.DjangoModelFactory):
    """A yearly report through the report services: created as a draft with its narrative
    (foreword=…, summary=…); `supersedes=report` makes it the correction of that final
    report (correction_note required); `final=True` finalises it with `pdf` as the rendered
    PDF; `published=True` also publishes it."""

    class Meta:
        model = AnnualReport

    concept = factory.SubFactory(ConceptFactory)
    year = 2025
    supersedes = None
    final = False
    published = False
    pdf = PDF
    user = None
    # Finalising a report with open points needs a reason (reporting.report.completeness);
    # most tests leave texts out, so the factory gives one (stored only where needed).
    override_reason = OVERRIDE_REASON

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        concept,
        year,
        supersedes,
        final,
        published,
        pdf,
        user,
        override_reason,
        **fields,
    ):
        correction_note = fields.pop("correction_note", "")
        if correction_note and supersedes is None:
            raise TypeError("annual report: a correction_note belongs to a correction")
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"annual report: no editable field {sorted(unknown)}")
        if supersedes is None:
            report = report_services.annual_report_create(concept=concept, year=year)
        else:
            report = report_services.annual_report_correct(
                report=supersedes, correction_note=correction_note
            )
        if fields:
            report = report_services.annual_report_update(
                report=report,
                expected_version=report.edit_version,
                data=fields,
                assessments={},
                user=user,
            )
        if final or published:
            report = finalise_report(report, user=user, pdf=pdf, override_reason=override_reason)
        if published:
            report = report_services.annual_report_publish(report=report, user=user)
        return report


def mark_previewed(report, *, user=None):
    """A finished preview of the report's current data, as the background rendering
    (reporting.tasks.run_render) leaves it: what finalising asks for."""
    return ReportRender.objects.create(
        report=report,
        kind=ReportRender.Kind.PREVIEW,
        state=ReportRender.State.DONE,
        progress=100,
        pdf=PDF,
        fingerprint=fingerprint(build_snapshot(report)),
        requested_by=user,
        finished_at=timezone.now(),
    )


def finalise_report(report, *, user=None, pdf=PDF, render=None, override_reason=OVERRIDE_REASON):
    """Finalise a draft as the Koordination does: preview it, then set it final (with
    `override_reason` for the completeness check's open points). `render` (snapshot → bytes)
    defaults to one returning `pdf`."""
    mark_previewed(report, user=user)
    return report_services.annual_report_finalise(
        report=report,
        user=user,
        render=render or (lambda snapshot: pdf),
        override_reason=override_reason,
    )


class ReportRenderFactory(factory.django.DjangoModelFactory):
    """A PDF rendering in the state a test needs; the background task (reporting.tasks)
    writes these states, not a service."""

    class Meta:
        model = ReportRender

    report = factory.SubFactory(AnnualReportFactory)
    kind = ReportRender.Kind.PREVIEW


class LegalPageFactory(factory.django.DjangoModelFactory):
    """An Impressum, Datenschutzerklärung or Erklärung zur Barrierefreiheit, through
    concept.legal.legal_page_save (one of each kind)."""

    class Meta:
        model = LegalPage

    kind = LegalPage.Kind.IMPRINT
    user = None

    @classmethod
    def _create(cls, model_class, *, kind, user, **fields):
        unknown = set(fields) - set(FIELDS_BY_KIND[kind])
        if unknown:
            raise TypeError(f"{kind}: no field {sorted(unknown)}")
        return legal_page_save(kind=kind, expected_version=None, user=user, **fields)


def one_of_everything(concept=None, author=None):
    """A concept with one of everything the portal keeps for it: an Aussage, an Abkürzung, a goal
    ("Sprache") with a Teilziel and a Kennzahl with a value, an Akteur, a network and a
    committee with a meeting and a Beschluss, a measure (S1) with its Akteur, a Sachstand
    with a Nachweis, and a draft report. Returns the concept."""
    concept = concept or ConceptFactory()
    statement = StatementFactory(concept=concept)
    AbbreviationFactory(concept=concept)
    goal = GoalFactory(concept=concept, number=1, title="Sprache", short_title="Sprache")
    sub_goal = SubGoalFactory(goal=goal, number=1)
    indicator = IndicatorFactory(concept=concept, sub_goal=sub_goal, statement=statement)
    IndicatorValueFactory(indicator=indicator, user=author)
    organisation = OrganisationFactory(concept=concept, user=author)
    NetworkFactory(concept=concept, members=[organisation], user=author)
    measure = MeasureFactory(concept=concept, goal=goal, code="S1")
    measure.sub_goals.add(sub_goal)
    MeasureOrganisationFactory(measure=measure, organisation=organisation)
    entry = ProgressEntryFactory(measure=measure, author=author, date=dt.date(2025, 3, 1))
    EvidenceFactory(entry=entry)
    meeting = MeetingFactory(
        network=CommitteeFactory(concept=concept), date=dt.date(2025, 2, 1), user=author
    )
    DecisionFactory(meeting=meeting, measures=[measure], created_by=author)
    AnnualReportFactory(concept=concept, year=2025, user=author)
    return concept


def measures_in_every_state(concept=None):
    """A concept whose measures, in two goals and in "Koordination und Netzwerke" (no goal),
    have every Ampel and Umsetzungsstand, with Sachstände fresh, overdue, due today and
    never recorded, dated back from today. Returns the concept."""
    concept = concept or ConceptFactory()
    today = timezone.localdate()
    goals = {
        number: GoalFactory(concept=concept, number=number, short_title=title)
        for number, title in [(1, "Sprache"), (2, "Bildung")]
    }
    green, yellow, red, grey = (
        TrafficLight.GREEN,
        TrafficLight.YELLOW,
        TrafficLight.RED,
        TrafficLight.GREY,
    )
    going, done, kept = Status.IN_PROGRESS, Status.IMPLEMENTED, Status.ESTABLISHED
    # code, goal, cadence in months, months since the last Sachstand (and days more; None:
    # the oldest day not yet overdue, due today or, at a month end, on the next days), state
    rows = [
        ("S1", 1, 6, (1, 0), going, green, 40),
        ("S2", 1, 6, (8, 0), going, red, 20),  # overdue, red
        ("S3", 1, 6, (7, 0), going, green, 30),  # overdue, green
        ("S4", 1, 6, (24, 0), done, green, 100),  # never overdue
        ("S5", 1, 6, (24, 0), Status.DEFERRED, grey, 10),  # never overdue
        ("S6", 1, 6, (13, 0), kept, green, 100),  # verstetigt: still owes a Sachstand
        ("S7", 1, 1, (2, 0), going, yellow, 50),  # monthly: overdue
        ("S8", 1, 6, (None, 0), going, yellow, 60),  # due today: not yet overdue
        ("S9", 1, 6, (None, 1), going, green, 60),  # due yesterday: overdue
        ("B1", 2, 6, None, None, None, None),  # never a Sachstand, entered long ago
        ("B2", 2, 6, (1, 0), going, yellow, 50),
        ("B3", 2, 6, (3, 0), Status.PREPARING, grey, 5),
        ("N1", None, 6, (1, 0), going, red, 20),
        ("N2", None, 6, (9, 0), going, green, 70),  # overdue
        ("N3", None, 6, (14, 0), done, green, 100),
    ]
    for code, goal, cadence, ago, status, light, progress in rows:
        measure = MeasureFactory(
            concept=concept, goal=goals.get(goal), code=code, update_cadence=cadence
        )
        if ago is None:
            Measure.objects.filter(pk=measure.pk).update(
                created_at=timezone.make_aware(dt.datetime(2020, 1, 1))
            )
            continue
        months, days = ago
        since = earliest_on_time(today, cadence) if months is None else add_months(today, -months)
        ProgressEntryFactory(
            measure=measure,
            date=since - dt.timedelta(days=days),
            status=status,
            traffic_light=light,
            progress=progress,
        )
    MeasureFactory(
        concept=concept,
        goal=goals[2],
        code="B4",
        status=Status.DROPPED,
        status_reason="Kein Träger gefunden.",
    )
    return concept


def statistics_reading(concept, user=None, region_key="K1"):
    """A reading of a small statistics source for the concept (one Kennzahl, one value, one
    raw file), through the plan and the service as the importer writes it."""
    from goals.models import StatisticsSource
    from goals.services import statistics_import_apply
    from goals.statistics.base import RawFile, Reading, Record, Series
    from goals.statistics.plan import build_plan

    source, _created = StatisticsSource.objects.get_or_create(
        slug="teststatistik",
        defaults={"name": "Teststatistik", "publisher": "Testamt", "format": "opensdg"},
    )
    reading = Reading(
        files=[RawFile("data/indicator_9-9-9.csv", "0" * 64, 10)],
        series={("9-9-9", ""): Series("9-9-9", "", "Testzahl")},
        records=[
            Record(
                indicator_id="9-9-9",
                title="Testzahl",
                unit="",
                year=2020,
                reference_date=dt.date(2020, 12, 31),
                period="2020",
                breakdown="",
                value=Decimal(5),
                raw_row=f"2020,{region_key},5",
                file="data/indicator_9-9-9.csv",
                line=2,
            )
        ],
    )
    plan = build_plan(concept=concept, source=source, region_key=region_key, reading=reading)
    return statistics_import_apply(plan=plan, user=user, origin="command")
