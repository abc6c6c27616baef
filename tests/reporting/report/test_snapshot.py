"""The report's snapshot and the services that write, finalise, publish and correct reports."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concept.models import Concept
from measures.models import Status, TrafficLight
from reporting.models import AnnualReport
from reporting.report.services import (
    annual_report_correct,
    annual_report_create,
    annual_report_finalise,
    annual_report_publish,
    annual_report_update,
    annual_report_withdraw,
)
from reporting.report.snapshot import build_snapshot, report_context
from tests.factories import (
    AnnualReportFactory,
    CommitteeFactory,
    DecisionFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MeetingFactory,
    ProgressEntryFactory,
    SubGoalFactory,
    UserFactory,
    finalise_report,
)

pytestmark = pytest.mark.django_db


def fake_render(snapshot):
    return b"%PDF-1.7 " + json.dumps(snapshot, sort_keys=True).encode()


@pytest.fixture
def small(db):
    goal = GoalFactory(number=1, title="Sprache", short_title="Sprache")
    concept = goal.concept
    sub_goal = SubGoalFactory(goal=goal, number=1, text="Mehr Sprachkurse")
    indicator = IndicatorFactory(
        concept=concept,
        sub_goal=sub_goal,
        name="Kursplätze",
        unit="Plätze",
        baseline_value=Decimal(100),
        baseline_year=2022,
        target_value=Decimal(200),
        target_year=2027,
    )
    for day, value in [
        (dt.date(2023, 12, 31), 120),
        (dt.date(2024, 12, 31), 140),
        (dt.date(2025, 12, 31), 160),
        (dt.date(2026, 6, 30), 190),  # the following year's, not in the future
    ]:
        IndicatorValueFactory(indicator=indicator, reference_date=day, value=Decimal(value))
    measure = MeasureFactory(concept=concept, goal=goal, code="S1", title="Sprachcafé")
    measure.sub_goals.add(sub_goal)
    for day, participants, text in [(3, 10, "Start"), (9, 25, "Läuft gut")]:
        ProgressEntryFactory(
            measure=measure,
            date=dt.date(2025, day, 1),
            status=Status.IN_PROGRESS,
            traffic_light=TrafficLight.GREEN,
            progress=40,
            text=text,
            next_steps="Ausweiten",
            participants=participants,
            cost=Decimal("1500.50"),
        )
    ProgressEntryFactory(
        measure=measure,
        date=dt.date(2024, 6, 1),
        status=Status.PREPARING,
        traffic_light=TrafficLight.GREY,
        progress=0,
        text="Vorjahr",
    )
    MeasureFactory(concept=concept, goal=None, code="N1", title="Koordinierungsstelle")
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe")
    DecisionFactory(
        meeting=MeetingFactory(network=committee, date=dt.date(2025, 5, 6), topic="Bilanz"),
        text="S1 ausweiten",
        measures=[measure],
    )
    DecisionFactory(
        meeting=MeetingFactory(network=committee, date=dt.date(2024, 5, 6), topic="Alt"),
        text="Beschluss des Vorjahres",
    )
    return concept


def test_snapshot_holds_the_year_and_is_json(small):
    report = annual_report_create(concept=small, year=2025)
    snapshot = build_snapshot(report)
    assert json.loads(json.dumps(snapshot)) == snapshot

    [goal] = snapshot["goals"]
    [indicator] = goal["sub_goals"][0]["indicators"]
    # The report year's value, the previous year's, and the way from baseline to target.
    assert (indicator["current"], indicator["previous"]) == ("160.000", "140.000")
    assert indicator["attainment"] == "60"
    assert indicator["change_percent"] == "14.3"
    [measure] = goal["measures"]
    assert measure["code"] == "S1"
    assert [e["text"] for e in measure["entries"]] == ["Start", "Läuft gut"]  # not 2024's
    assert measure["outputs"]["participants"] == 35
    assert measure["outputs"]["cost"] == "3001.00"
    assert measure["next_steps"] == "Ausweiten"
    assert [m["code"] for m in snapshot["coordination"]["measures"]] == ["N1"]
    assert [d["text"] for m in snapshot["meetings"] for d in m["decisions"]] == ["S1 ausweiten"]
    assert snapshot["meetings"][0]["decisions"][0]["measures"] == ["S1"]

    context = report_context(snapshot)
    assert context["overall"].total == 2
    assert goal["sub_goals"][0]["indicators"][0]["attainment"] == "60"  # snapshot untouched
    assert context["goals"][0]["sub_goals"][0]["verdict"] == "teilweise erreicht"


def test_snapshot_shows_each_measure_as_it_stood_at_the_end_of_the_report_year(small):
    s1 = small.measures.get(code="S1")
    # Today's state (a Sachstand of the following year) must not leak into the 2025 report.
    ProgressEntryFactory(
        measure=s1,
        date=dt.date(2026, 3, 1),
        status=Status.IMPLEMENTED,
        traffic_light=TrafficLight.GREEN,
        progress=100,
        text="Abgeschlossen",
    )
    # N1 never had a Sachstand: its state is the one entered with the measure.
    n1 = small.measures.get(code="N1")
    n1.status, n1.traffic_light, n1.progress = Status.IN_PROGRESS, TrafficLight.YELLOW, 30
    n1.save()

    def state(snapshot, code):
        [row] = [
            m
            for m in snapshot["coordination"]["measures"]
            + [m for g in snapshot["goals"] for m in g["measures"]]
            if m["code"] == code
        ]
        return row["status"], row["light"], row["progress"]

    s2025 = build_snapshot(AnnualReport(concept=small, year=2025))
    assert state(s2025, "S1") == (Status.IN_PROGRESS, TrafficLight.GREEN, 40)
    assert s2025["tally"]["status"] == {Status.IN_PROGRESS: 2}
    # Before its first Sachstand S1 had not been assessed; N1 has none, so its state stands.
    s2023 = build_snapshot(AnnualReport(concept=small, year=2023))
    assert state(s2023, "S1") == (Status.NOT_STARTED, TrafficLight.GREY, 0)
    assert state(s2023, "N1") == (Status.IN_PROGRESS, TrafficLight.YELLOW, 30)
    assert state(build_snapshot(AnnualReport(concept=small, year=2026)), "S1") == (
        Status.IMPLEMENTED,
        TrafficLight.GREEN,
        100,
    )


def test_snapshot_query_count_does_not_grow_with_the_concept():
    counts = {}
    for scale in (1, 10):
        call_command("generate_demo_data", scale=scale, verbosity=0)
        concept = Concept.objects.get(slug=f"demo-skala-{scale}")
        report = AnnualReportFactory(concept=concept, year=2025)
        with CaptureQueriesContext(connection) as queries:
            snapshot = build_snapshot(report)
        counts[scale] = len(queries)
        assert snapshot["goals"]
    assert counts[1] == counts[10]
    assert counts[10] <= 15


def test_update_writes_narrative_and_assessments(small):
    report = annual_report_create(concept=small, year=2025)
    goal = small.goals.get()
    annual_report_update(
        report=report,
        expected_version=report.edit_version,
        data={"foreword": "Liebe Leserinnen"},
        assessments={goal.pk: "Gut"},
    )
    report.refresh_from_db()
    assert report.foreword == "Liebe Leserinnen"
    assert report.assessments.get().text == "Gut"
    assert build_snapshot(report)["goals"][0]["assessment"] == "Gut"


def test_second_report_for_a_year_is_refused(small):
    annual_report_create(concept=small, year=2025)
    with pytest.raises(ValidationError, match="schon einen Bericht"):
        annual_report_create(concept=small, year=2025)


def test_finalise_freezes_snapshot_pdf_and_checksum(small):
    user = UserFactory()
    report = annual_report_create(concept=small, year=2025)
    final = finalise_report(report, user=user, render=fake_render)
    final.refresh_from_db()
    assert final.is_final and final.finalised_by == user
    # Final is not public: publishing is a step of its own.
    assert not final.is_published and final.published_by is None
    assert final.pdf_sha256 == hashlib.sha256(bytes(final.pdf)).hexdigest()
    assert final.snapshot["goals"][0]["measures"][0]["code"] == "S1"

    with pytest.raises(ValidationError, match="final"):
        annual_report_update(
            report=final,
            expected_version=final.edit_version,
            data={"foreword": "neu"},
            assessments={},
        )
    with pytest.raises(ValidationError, match="final"):
        annual_report_finalise(report=final, user=user, render=fake_render)
    final.refresh_from_db()
    assert final.foreword == ""


def test_finalise_refuses_a_report_changed_while_rendering(small):
    report = annual_report_create(concept=small, year=2025)

    def render_while_someone_edits(snapshot):
        annual_report_update(
            report=report,
            expected_version=report.edit_version,
            data={"foreword": "parallel"},
            assessments={},
        )
        return b"%PDF"

    with pytest.raises(ValidationError, match="während der Erstellung geändert"):
        finalise_report(report, user=None, render=render_while_someone_edits)
    report.refresh_from_db()
    assert not report.is_final


def test_correction_is_a_new_version_and_keeps_the_old(small):
    goal = small.goals.get()
    report = annual_report_create(concept=small, year=2025)
    report = annual_report_update(
        report=report,
        expected_version=report.edit_version,
        data={"outlook": "Weiter so"},
        assessments={goal.pk: "ok"},
    )
    report = finalise_report(report, user=None, render=fake_render)
    old_bytes = bytes(report.pdf)

    with pytest.raises(ValidationError, match="Grund"):
        annual_report_correct(report=report, correction_note="  ")
    correction = annual_report_correct(report=report, correction_note="Zahl in S1 falsch")
    assert (correction.version, correction.supersedes, correction.status) == (2, report, "draft")
    assert correction.outlook == "Weiter so"
    assert correction.assessments.get().text == "ok"
    with pytest.raises(ValidationError, match="schon eine Korrektur"):
        annual_report_correct(report=report, correction_note="noch einmal")

    final2 = finalise_report(correction, user=None, render=fake_render)
    assert final2.snapshot["report"]["supersedes_version"] == 1
    report.refresh_from_db()
    assert bytes(report.pdf) == old_bytes


def test_publish_only_final_reports_and_only_once(small):
    user = UserFactory()
    report = annual_report_create(concept=small, year=2025)
    with pytest.raises(ValidationError, match="Nur ein finaler Bericht"):
        annual_report_publish(report=report, user=user)
    report.refresh_from_db()
    assert report.published_at is None

    final = finalise_report(report, user=None, render=fake_render)
    published = annual_report_publish(report=final, user=user)
    published.refresh_from_db()
    assert published.is_published and published.published_by == user
    first_published_at = published.published_at
    # A stale instance (loaded before the publication) cannot publish it twice.
    with pytest.raises(ValidationError, match="schon veröffentlicht"):
        annual_report_publish(report=final, user=UserFactory())
    published.refresh_from_db()
    assert (published.published_at, published.published_by) == (first_published_at, user)


def test_withdraw_takes_it_off_the_public_pages_and_keeps_the_pdf(small):
    user = UserFactory()
    report = annual_report_create(concept=small, year=2025)
    final = finalise_report(report, user=None, render=fake_render)
    frozen = (bytes(final.pdf), final.pdf_sha256, final.snapshot, final.finalised_at)
    with pytest.raises(ValidationError, match="nicht veröffentlicht"):
        annual_report_withdraw(report=final, user=user)

    annual_report_publish(report=final, user=user)
    withdrawn = annual_report_withdraw(report=final, user=user)
    withdrawn.refresh_from_db()
    assert withdrawn.is_final and not withdrawn.is_published
    assert withdrawn.published_by is None
    assert (
        bytes(withdrawn.pdf),
        withdrawn.pdf_sha256,
        withdrawn.snapshot,
        withdrawn.finalised_at,
    ) == frozen
    # Published again after the mistake is fixed.
    assert annual_report_publish(report=withdrawn, user=user).is_published


def test_a_draft_cannot_be_marked_published(small):
    report = annual_report_create(concept=small, year=2025)
    report.published_at = timezone.now()
    with pytest.raises(ValidationError):
        report.full_clean()


def test_report_and_dashboard_show_the_same_attainment_and_change(client, member_of):
    """A share on its way from 0 to 40 that reached 33 (82.5 %): both say 83 % (half up)
    under the same label, and its change in Prozentpunkte, whatever the unit's spelling."""
    from reporting.report.pdf import render_html

    goal = GoalFactory(number=1)
    indicator = IndicatorFactory(
        concept=goal.concept,
        sub_goal=SubGoalFactory(goal=goal, number=1),
        name="Quote",
        unit="Prozent",
        baseline_value=0,
        target_value=40,
    )
    for year, value in [(2024, 30), (2025, 33)]:
        IndicatorValueFactory(
            indicator=indicator, reference_date=dt.date(year, 12, 31), value=value
        )
    member_of(client, goal.concept)
    dashboard = client.get(goal.concept.get_absolute_url()).text
    report = render_html(build_snapshot(AnnualReport(concept=goal.concept, year=2025)))
    assert "<dt>Zielerreichung</dt><dd>83 %</dd>" in dashboard
    assert "+3 Prozentpunkte gegenüber 2024" in dashboard
    assert '<th scope="col" class="num w-value">Zielerreichung</th>' in report
    assert '<td class="num">83 %</td>' in report and "Quote: 83 %" in report
    assert '<td class="num">+3 Prozentpunkte</td>' in report
    assert "82 %" not in dashboard + report
