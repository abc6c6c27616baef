"""Drafts look like drafts: ENTWURF on every page and in the title of a draft or preview PDF,
never in a final one; reports only for plausible years; a draft can be deleted; an
implausible year never moves the default of "Änderungen seit"."""

import datetime as dt
import io

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from concept import roles
from reporting.admin import AnnualReportAdmin
from reporting.dashboard.changes import default_since
from reporting.models import AnnualReport, GoalAssessment, ReportRender, report_years
from reporting.report.pdf import render_pdf
from reporting.report.services import annual_report_update
from reporting.report.snapshot import build_snapshot, report_context
from tests.factories import (
    AnnualReportFactory,
    ConceptFactory,
    GoalFactory,
    MeasureFactory,
    ReportRenderFactory,
    UserFactory,
    finalise_report,
)

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def concept(db):
    goal = GoalFactory(number=1, title="Sprache", short_title="Sprache")
    MeasureFactory(concept=goal.concept, goal=goal, code="S1", title="Sprachcafé")
    MeasureFactory(concept=goal.concept, goal=None, code="N1", title="Koordinierungsstelle")
    return goal.concept


def url(name, concept, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": concept.slug, **kwargs})


def pdf_pages(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


# --- the PDF ----------------------------------------------------------------------------------


def test_a_draft_pdf_says_entwurf_on_every_page_and_in_its_title(concept):
    report = AnnualReportFactory(concept=concept, year=THIS_YEAR - 1)
    reader, pages = pdf_pages(render_pdf(build_snapshot(report)))
    assert reader.metadata.title.startswith("ENTWURF – Controlling- und Evaluationsbericht")
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert "ENTWURF" in text, f"Seite {number}"
    assert "noch nicht final gesetzt" in pages[0]  # the cover line
    # A draft shows what is missing.
    text = "\n".join(pages)
    assert "Kein Vorwort." in text
    assert "Keine Bewertung erfasst." in text


def test_a_final_pdf_says_neither_entwurf_nor_what_is_missing(concept):
    report = AnnualReportFactory(concept=concept, year=THIS_YEAR - 1, foreword="Liebe Leser")
    goal = concept.goals.get()
    report = annual_report_update(
        report=report,
        expected_version=report.edit_version,
        data={},
        assessments={goal.pk: "Auf gutem Weg"},
    )
    final = finalise_report(report, render=render_pdf)
    assert final.snapshot["draft"] is False
    reader, pages = pdf_pages(bytes(final.pdf))
    assert reader.metadata.title == (
        f"Controlling- und Evaluationsbericht {THIS_YEAR - 1} – {concept.district}"
    )
    text = "\n".join(pages)
    assert "ENTWURF" not in text
    assert "Auf gutem Weg" in text


def test_snapshots_frozen_before_drafts_were_marked_read_as_final(concept):
    report = AnnualReportFactory(concept=concept, year=THIS_YEAR - 1)
    snapshot = build_snapshot(report)
    assert snapshot["draft"] is True
    assert report_context(snapshot)["draft"] is True
    del snapshot["draft"]
    assert report_context(snapshot)["draft"] is False


# --- plausible years --------------------------------------------------------------------------


def test_report_years_run_from_the_adoption_to_the_current_year():
    today = dt.date(2026, 12, 5)
    assert report_years(ConceptFactory(adopted_on=dt.date(2021, 6, 30)), today) == range(2021, 2027)
    assert report_years(ConceptFactory(), today) == range(2016, 2027)


@pytest.mark.parametrize(
    "year, message",
    [
        (THIS_YEAR + 1, "höchstens bis zum laufenden Jahr"),
        (2019, "liegt vor dem Beschluss des Konzepts (2020)"),
        (1999, "liegt vor dem Beschluss des Konzepts (2020)"),
        (10**12, "höchstens bis zum laufenden Jahr"),
    ],
)
def test_an_implausible_year_gets_a_german_error_and_nothing_is_written(
    client, member_of, year, message
):
    concept = ConceptFactory(adopted_on=dt.date(2020, 5, 1))
    member_of(client, concept, role=roles.COORDINATION)
    response = client.post(url("list", concept), {"year": year})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AnnualReport.objects.filter(concept=concept).exists()


def test_without_an_adoption_date_reports_reach_ten_years_back(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept, role=roles.COORDINATION)
    response = client.post(url("list", concept), {"year": THIS_YEAR - 11})
    assert "liegt zu weit zurück" in response.content.decode()
    assert not AnnualReport.objects.filter(concept=concept).exists()
    response = client.post(url("list", concept), {"year": THIS_YEAR - 10})
    assert response.status_code == 302
    assert AnnualReport.objects.filter(concept=concept, year=THIS_YEAR - 10).exists()


def test_the_current_year_and_the_adoption_year_are_accepted(client, member_of):
    concept = ConceptFactory(adopted_on=dt.date(THIS_YEAR - 2, 3, 1))
    member_of(client, concept, role=roles.COORDINATION)
    page = client.get(url("list", concept)).content.decode()
    assert f'min="{THIS_YEAR - 2}"' in page and f'max="{THIS_YEAR}"' in page
    for year in (THIS_YEAR - 2, THIS_YEAR):
        assert client.post(url("list", concept), {"year": year}).status_code == 302
    assert set(AnnualReport.objects.filter(concept=concept).values_list("year", flat=True)) == {
        THIS_YEAR - 2,
        THIS_YEAR,
    }


def test_the_admin_refuses_an_implausible_year_too():
    concept = ConceptFactory()
    user = UserFactory(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = user
    form_class = AnnualReportAdmin(AnnualReport, site).get_form(request, None)
    data = {"concept": concept.pk, "year": THIS_YEAR + 1, "version": 1}
    form = form_class(data=data)
    assert not form.is_valid()
    assert "höchstens bis zum laufenden Jahr" in str(form.errors["year"])
    data["year"] = THIS_YEAR
    form = form_class(data=data)
    assert "year" not in form.errors


# --- "Änderungen seit" ------------------------------------------------------------------------


def test_a_report_of_an_implausible_year_never_moves_the_default_of_changes_since(concept):
    today = timezone.localdate()
    final = AnnualReportFactory(concept=concept, year=THIS_YEAR - 2, final=True)
    assert default_since(concept, today) == dt.date(THIS_YEAR - 1, 1, 1)
    # A final report of a year to come, stored before years were checked, is ignored.
    future = AnnualReportFactory(concept=concept, year=THIS_YEAR - 1, final=True)
    AnnualReport.objects.filter(pk=future.pk).update(year=THIS_YEAR + 70)
    assert default_since(concept, today) == dt.date(THIS_YEAR - 1, 1, 1)
    # So is one of a year long before the concept.
    AnnualReport.objects.filter(pk=final.pk).update(year=1999)
    assert default_since(concept, today) == default_since(ConceptFactory(), today)  # a year back


def test_the_default_of_changes_since_is_never_after_today(concept):
    AnnualReportFactory(concept=concept, year=THIS_YEAR, final=True)
    today = dt.date(THIS_YEAR, 6, 1)
    assert default_since(concept, today) == today


# --- deleting a draft -------------------------------------------------------------------------


@pytest.fixture
def draft(concept):
    report = AnnualReportFactory(concept=concept, year=THIS_YEAR - 1, foreword="Vorwort")
    goal = concept.goals.get()
    return annual_report_update(
        report=report,
        expected_version=report.edit_version,
        data={},
        assessments={goal.pk: "Bewertung"},
    )


def test_deleting_a_draft_needs_a_login_and_the_coordination(client, member_of, concept, draft):
    target = url("delete", concept, pk=draft.pk)
    assert client.get(target)["Location"].startswith(reverse("login"))
    assert client.post(target, {"version": draft.edit_version}).status_code == 302
    assert AnnualReport.objects.filter(pk=draft.pk).exists()
    member_of(client, concept, role=roles.STEERING_GROUP)
    assert client.get(target).status_code == 403
    assert client.post(target, {"version": draft.edit_version}).status_code == 403
    assert AnnualReport.objects.filter(pk=draft.pk).exists()
    other = ConceptFactory()
    member_of(client, other, role=roles.COORDINATION)
    assert client.get(target).status_code == 404


def test_the_coordination_confirms_and_deletes_a_draft(client, member_of, concept, draft):
    member_of(client, concept, role=roles.COORDINATION)
    ReportRenderFactory(report=draft, state="done", pdf=b"%PDF-preview")
    detail = client.get(url("detail", concept, pk=draft.pk)).content.decode()
    assert url("delete", concept, pk=draft.pk) in detail
    page = client.get(url("delete", concept, pk=draft.pk))
    assert page.status_code == 200
    assert "lässt sich nicht rückgängig machen" in page.content.decode()
    assert AnnualReport.objects.filter(pk=draft.pk).exists()  # GET deletes nothing
    response = client.post(url("delete", concept, pk=draft.pk), {"version": draft.edit_version})
    assert response["Location"] == url("list", concept)
    assert not AnnualReport.objects.filter(pk=draft.pk).exists()
    assert not GoalAssessment.objects.filter(report_id=draft.pk).exists()
    assert not ReportRender.objects.filter(report_id=draft.pk).exists()
    listing = client.get(response["Location"]).content.decode()
    assert "ist gelöscht" in listing
    # The history keeps who deleted it.
    record = AnnualReport.history.filter(id=draft.pk).latest("history_date")
    assert record.history_type == "-"
    assert record.history_user is not None


def test_a_final_report_cannot_be_deleted(client, member_of, concept):
    final = AnnualReportFactory(concept=concept, year=THIS_YEAR - 1, final=True)
    member_of(client, concept, role=roles.COORDINATION)
    response = client.get(url("delete", concept, pk=final.pk), follow=True)
    assert "kann nicht gelöscht werden" in response.content.decode()
    response = client.post(
        url("delete", concept, pk=final.pk), {"version": final.edit_version}, follow=True
    )
    assert "kann nicht gelöscht werden" in response.content.decode()
    assert AnnualReport.objects.filter(pk=final.pk, status="final").exists()
    detail = client.get(url("detail", concept, pk=final.pk)).content.decode()
    assert url("delete", concept, pk=final.pk) not in detail


def test_a_draft_changed_since_the_confirmation_page_is_not_deleted(
    client, member_of, concept, draft
):
    member_of(client, concept, role=roles.COORDINATION)
    seen = draft.edit_version
    annual_report_update(
        report=draft, expected_version=seen, data={"foreword": "Neu geschrieben"}, assessments={}
    )
    response = client.post(url("delete", concept, pk=draft.pk), {"version": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Zwischenzeitlich geändert" in page
    assert "Neu geschrieben" in page
    assert AnnualReport.objects.filter(pk=draft.pk).exists()


def test_a_draft_is_not_deleted_while_its_pdf_is_rendered(client, member_of, concept, draft):
    member_of(client, concept, role=roles.COORDINATION)
    ReportRenderFactory(report=draft, state="running")
    response = client.post(
        url("delete", concept, pk=draft.pk), {"version": draft.edit_version}, follow=True
    )
    assert "wird gerade ein PDF erstellt" in response.content.decode()
    assert AnnualReport.objects.filter(pk=draft.pk).exists()
