"""Before "Final setzen": the completeness check (missing texts, goals without an assessment,
empty chapters, measures without a Sachstand in the report year), the override with a reason,
and "Ich habe die Vorschau geprüft" bound to a preview of the current data."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from concept import roles
from measures.models import Measure, Status
from reporting.models import AnnualReport, ReportRender
from reporting.report import completeness
from reporting.report.pdf import render_pdf
from reporting.report.services import (
    annual_report_check,
    annual_report_finalise,
    annual_report_update,
    report_render_request,
)
from reporting.report.snapshot import build_snapshot
from reporting.tasks import run_render
from tests.factories import (
    AnnualReportFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    ProgressEntryFactory,
    finalise_report,
    mark_previewed,
)

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
TEXTS = {
    "foreword": "Liebe Leserinnen und Leser",
    "summary": "Kernbotschaft",
    "introduction": "Auftrag",
    "need_for_action": "Nachsteuern",
    "outlook": "Weiter so",
    "resolution_proposal": "Der Kreistag nimmt Kenntnis.",
}


@pytest.fixture
def concept(db):
    language = GoalFactory(number=1, title="Sprache und Bildung", short_title="Sprache")
    concept = language.concept
    GoalFactory(concept=concept, number=2, title="Arbeit", short_title="Arbeit")
    s1 = MeasureFactory(concept=concept, goal=language, code="S1", title="Sprachcafé")
    ProgressEntryFactory(measure=s1, date=dt.date(YEAR, 5, 1), text="läuft")
    # A Sachstand without text counts as well.
    s2 = MeasureFactory(concept=concept, goal=language, code="S2", title="Lernpaten")
    ProgressEntryFactory(measure=s2, date=dt.date(YEAR, 9, 1), text="")
    MeasureFactory(concept=concept, goal=language, code="S3", title="Elternkurs")  # none
    # Only the year before: missing for this year.
    s4 = MeasureFactory(concept=concept, goal=language, code="S4", title="Leseclub")
    ProgressEntryFactory(measure=s4, date=dt.date(YEAR - 1, 11, 1), text="alt")
    # Dropped, or starting only after the year: nothing expected.
    s5 = MeasureFactory(concept=concept, goal=language, code="S5", title="Chor")
    ProgressEntryFactory(
        measure=s5,
        date=dt.date(YEAR - 1, 3, 1),
        status=Status.DROPPED,
        progress=0,
        deviation="keine Mittel",
    )
    MeasureFactory(
        concept=concept, goal=language, code="S6", title="Neu", start_date=dt.date(YEAR + 1, 2, 1)
    )
    n1 = MeasureFactory(concept=concept, goal=None, code="N1", title="Koordinierungsstelle")
    ProgressEntryFactory(measure=n1, date=dt.date(YEAR, 2, 1), text="ok")
    return concept


def url(name, concept, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": concept.slug, **kwargs})


def complete_the_concept(concept):
    """What a complete report needs beyond its texts: figures and measures for every goal."""
    indicator = IndicatorFactory(concept=concept, name="Ausländer*innen")
    IndicatorValueFactory(indicator=indicator, reference_date=dt.date(YEAR, 12, 31), value=100)
    work = concept.goals.get(number=2)
    a1 = MeasureFactory(concept=concept, goal=work, code="A1", title="Jobbörse")
    for measure in [a1, *Measure.objects.filter(concept=concept, code__in=["S3", "S4"])]:
        ProgressEntryFactory(measure=measure, date=dt.date(YEAR, 6, 1), text="Stand")


def write(report, texts=TEXTS, assessments=None):
    if assessments is None:
        assessments = {goal.pk: f"Bewertung {goal.number}" for goal in report.concept.goals.all()}
    return annual_report_update(
        report=report, expected_version=report.edit_version, data=texts, assessments=assessments
    )


def test_findings_name_missing_texts_assessments_empty_chapters_and_sachstaende(concept):
    report = AnnualReportFactory(concept=concept, year=YEAR)
    report = write(
        report,
        texts={"introduction": "Auftrag", "need_for_action": "x", "outlook": "y"},
        assessments={concept.goals.get(number=1).pk: "Gut"},
    )
    groups = {
        group.kind: group.items
        for group in completeness.grouped(completeness.findings(build_snapshot(report)), YEAR)
    }
    assert groups == {
        "text": ["Vorwort", "Das Wichtigste in Kürze"],
        "assessment": ["Ziel 2: Arbeit"],
        "chapter": [
            "Ausgangslage: keine Zahlen erfasst",
            "Entwicklung zentraler Kennzahlen: keine erfasst",
            "Ziel 2: Arbeit – keine Maßnahmen",
            "Beschlussvorschlag: kein Text",
        ],
        "entry": ["S3 Elternkurs", "S4 Leseclub"],
    }


def test_a_complete_report_has_no_findings(concept):
    complete_the_concept(concept)
    report = write(AnnualReportFactory(concept=concept, year=YEAR))
    assert completeness.findings(build_snapshot(report)) == []


def test_the_fingerprint_follows_the_data_not_the_moment_or_the_draft_mark(concept):
    report = AnnualReportFactory(concept=concept, year=YEAR)
    now = timezone.now()
    first = completeness.fingerprint(build_snapshot(report, now=now))
    later = build_snapshot(report, now=now + dt.timedelta(days=3), final=True)
    assert completeness.fingerprint(later) == first
    Measure.objects.filter(concept=concept, code="S1").update(title="Sprachcafé plus")
    assert completeness.fingerprint(build_snapshot(report)) != first


# --- the report page --------------------------------------------------------------------------


def test_the_report_page_lists_the_findings_before_final_setzen(client, member_of, concept):
    member_of(client, concept, role=roles.COORDINATION)
    report = AnnualReportFactory(concept=concept, year=YEAR)
    page = client.get(url("detail", concept, pk=report.pk)).content.decode()
    check = page.index('id="report-check"')
    assert check < page.index('id="report-finalise"')
    for finding in ["Vorwort", "Ziel 1: Sprache", "Beschlussvorschlag: kein Text", "S3 Elternkurs"]:
        assert check < page.index(finding) < page.index('id="report-finalise"'), finding
    assert f"Maßnahmen ohne Sachstand im Berichtsjahr {YEAR}" in page
    assert "Es gibt noch keine fertige Vorschau" in page
    assert 'name="override_reason"' in page
    # Members who do not edit see neither the check nor the form.
    member_of(client, concept, role=roles.STEERING_GROUP)
    page = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert 'id="report-check"' not in page and 'id="report-finalise"' not in page


def test_the_report_page_says_whether_the_preview_shows_the_current_data(
    client, member_of, concept
):
    member_of(client, concept, role=roles.COORDINATION)
    report = AnnualReportFactory(concept=concept, year=YEAR)
    preview = mark_previewed(report)
    page = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert "zeigt den aktuellen Datenstand" in page
    assert url("render_download", concept, job=preview.pk) in page
    ProgressEntryFactory(
        measure=Measure.objects.get(concept=concept, code="S3"), date=dt.date(YEAR, 7, 1)
    )
    page = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert "haben sich die Daten des Berichts geändert" in page


def test_a_complete_report_says_so_and_offers_no_override(client, member_of, concept):
    member_of(client, concept, role=roles.COORDINATION)
    complete_the_concept(concept)
    report = write(AnnualReportFactory(concept=concept, year=YEAR))
    page = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert 'id="report-check-complete"' in page
    assert 'name="override_reason"' not in page


# --- finalising -------------------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def finalise(client, concept, report, **data):
    return client.post(url("finalise", concept, pk=report.pk), {"confirm": "on", **data})


def test_open_points_need_an_explicit_override_with_a_reason(
    client, member_of, concept, immediate_tasks, django_capture_on_commit_callbacks
):
    member_of(client, concept, role=roles.COORDINATION)
    report = AnnualReportFactory(concept=concept, year=YEAR)
    mark_previewed(report)
    response = finalise(client, concept, report)
    assert response.status_code == 200
    assert "offene Punkte (siehe Vollständigkeit)" in response.content.decode()
    # A reason alone, without choosing the override, does not override.
    response = finalise(client, concept, report, override_reason="eilt")
    assert "offene Punkte (siehe Vollständigkeit)" in response.content.decode()
    # The override without a reason is refused; what was typed stays.
    response = finalise(client, concept, report, override="on", override_reason="  ")
    assert "Bitte begründen Sie" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_final
    assert not ReportRender.objects.filter(report=report, kind="final").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = finalise(
            client, concept, report, override="on", override_reason="Kreistag tagt morgen"
        )
    job = ReportRender.objects.get(report=report, kind="final")
    assert response["Location"] == url("render_status", concept, job=job.pk)
    report.refresh_from_db()
    assert report.is_final, job.error
    assert report.override_reason == "Kreistag tagt morgen"
    assert ["text", "Vorwort"] in report.override_findings
    assert ["entry", "S3 Elternkurs"] in report.override_findings
    page = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert "Final trotz offener Punkte" in page
    assert "Kreistag tagt morgen" in page.split('id="report-override"')[1]
    # The history shows it, beside the change of status.
    history = page.split('id="verlauf"')[1]
    assert "Begründung: final trotz offener Punkte: – → Kreistag tagt morgen" in history
    assert "Status: Entwurf → final" in history


def test_a_complete_report_becomes_final_without_an_override(concept):
    complete_the_concept(concept)
    report = write(AnnualReportFactory(concept=concept, year=YEAR))
    final = finalise_report(report, override_reason="")
    assert final.is_final
    assert final.override_reason == "" and final.override_findings is None


def test_finalising_needs_a_preview(client, member_of, concept):
    member_of(client, concept, role=roles.COORDINATION)
    report = AnnualReportFactory(concept=concept, year=YEAR)
    response = finalise(client, concept, report, override="on", override_reason="eilt")
    assert "Es gibt keine fertige Vorschau dieses Berichts" in response.content.decode()
    with pytest.raises(ValidationError, match="keine fertige Vorschau"):
        annual_report_finalise(
            report=report, user=None, render=lambda s: b"%PDF", override_reason="x"
        )
    report.refresh_from_db()
    assert not report.is_final


@pytest.mark.parametrize("change", ["text", "assessment", "sachstand", "measure", "figure"])
def test_finalising_needs_a_preview_of_the_current_data(client, member_of, concept, change):
    member_of(client, concept, role=roles.COORDINATION)
    report = AnnualReportFactory(concept=concept, year=YEAR)
    mark_previewed(report)
    if change == "text":
        report = write(report, texts={"foreword": "Neu"}, assessments={})
    elif change == "assessment":
        report = write(report, texts={}, assessments={concept.goals.get(number=2).pk: "neu"})
    elif change == "sachstand":
        ProgressEntryFactory(
            measure=Measure.objects.get(concept=concept, code="S1"), date=dt.date(YEAR, 8, 1)
        )
    elif change == "measure":
        Measure.objects.filter(concept=concept, code="S1").update(title="Umbenannt")
    else:
        IndicatorValueFactory(
            indicator=IndicatorFactory(concept=concept), reference_date=dt.date(YEAR, 6, 30)
        )
    response = finalise(client, concept, report, override="on", override_reason="eilt")
    assert response.status_code == 200
    assert "Seit der Vorschau vom" in response.content.decode()
    assert "haben sich die Daten des Berichts geändert" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_final
    assert not ReportRender.objects.filter(report=report, kind="final").exists()


def test_the_rendering_checks_again_on_the_data_it_freezes(concept):
    """Data changed between the request and the background rendering: refused there too."""
    report = AnnualReportFactory(concept=concept, year=YEAR)
    mark_previewed(report)
    job = report_render_request(
        report=report, user=None, kind=ReportRender.Kind.FINAL, override_reason="eilt"
    )
    Measure.objects.filter(concept=concept, code="S1").update(title="Umbenannt")
    run_render(job)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "haben sich die Daten des Berichts geändert" in job.error
    report.refresh_from_db()
    assert not report.is_final


def test_a_final_pdf_with_overridden_gaps_shows_no_placeholder(concept):
    report = AnnualReportFactory(concept=concept, year=YEAR)
    final = finalise_report(report, render=render_pdf, override_reason="eilt")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(final.pdf))).pages)
    assert "Kein Vorwort." not in text
    assert "Keine Bewertung erfasst." not in text
    assert "ENTWURF" not in text
    # The draft of the same data shows them.
    draft = render_pdf(build_snapshot(report))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(draft)).pages)
    assert "Kein Vorwort." in text and "Keine Bewertung erfasst." in text


def test_check_reads_a_bounded_number_of_queries(concept, django_assert_max_num_queries):
    report = AnnualReportFactory(concept=concept, year=YEAR)
    mark_previewed(report)
    with django_assert_max_num_queries(25):
        check = annual_report_check(AnnualReport.objects.get(pk=report.pk))
    assert check.preview_is_current
    assert Decimal(len(check.findings)) > 0
