"""The report pages: permissions per role on every URL, and the whole draft → final →
published flow."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from concept import roles
from measures.models import Measure
from reporting.models import AnnualReport, ReportRender
from tests.factories import (
    AnnualReportFactory,
    ConceptFactory,
    GoalFactory,
    MeasureFactory,
    ReportRenderFactory,
    mark_previewed,
)

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def concept(db):
    goal = GoalFactory(number=1, title="Sprache", short_title="Sprache")
    MeasureFactory(concept=goal.concept, goal=goal, code="S1", title="Sprachcafé")
    MeasureFactory(concept=goal.concept, goal=None, code="N1", title="Koordinierungsstelle")
    return goal.concept


@pytest.fixture
def draft(concept):
    return AnnualReportFactory(concept=concept, year=2025, foreword="Vorwort")


@pytest.fixture
def final(concept):
    return AnnualReportFactory(concept=concept, year=2024, final=True, pdf=b"%PDF-1.7 test")


@pytest.fixture
def job(draft):
    return ReportRenderFactory(
        report=draft, kind=ReportRender.Kind.PREVIEW, state="done", pdf=b"%PDF-preview"
    )


def url(name, concept, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": concept.slug, **kwargs})


def urls(concept, draft, final, job):
    """(method, url, status for a Steuerungsgruppe member, status for the Koordination)."""
    return [
        ("get", url("list", concept), 200, 200),
        ("get", url("detail", concept, pk=draft.pk), 200, 200),
        ("get", url("download", concept, pk=final.pk), 200, 200),
        ("get", url("edit", concept, pk=draft.pk), 403, 200),
        # Before the POSTs: a new preview replaces the finished one.
        ("get", url("render_status", concept, job=job.pk), 403, 200),
        ("get", url("render_download", concept, job=job.pk), 403, 200),
        ("post", url("list", concept), 403, 302),
        ("post", url("preview", concept, pk=draft.pk), 403, 302),
        ("get", url("delete", concept, pk=draft.pk), 403, 200),
        # Refused without a preview of the current data: the page again, saying why.
        ("post", url("finalise", concept, pk=draft.pk), 403, 200),
        ("post", url("publish", concept, pk=final.pk), 403, 302),
        ("post", url("withdraw", concept, pk=final.pk), 403, 302),
        ("post", url("correct", concept, pk=final.pk), 403, 302),
    ]


def test_anonymous_is_sent_to_login(client, concept, draft, final, job):
    for method, target, _steering, _coordination in urls(concept, draft, final, job):
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(reverse("login")), target


def test_other_districts_get_404(client, member_of, concept, draft, final, job):
    member_of(client, ConceptFactory(), role=roles.COORDINATION)
    for method, target, _steering, _coordination in urls(concept, draft, final, job):
        assert getattr(client, method)(target).status_code == 404, target


def test_steering_group_reads_and_downloads_but_does_not_edit(
    client, member_of, concept, draft, final, job
):
    member_of(client, concept, role=roles.STEERING_GROUP)
    for method, target, expected, _coordination in urls(concept, draft, final, job):
        assert getattr(client, method)(target).status_code == expected, target
    draft.refresh_from_db()
    assert not draft.is_final
    final.refresh_from_db()
    assert not final.is_published


def test_measure_owner_downloads_final_reports(client, member_of, concept, final):
    member_of(client, concept, role=roles.MEASURE_OWNERS)
    assert client.get(url("download", concept, pk=final.pk)).status_code == 200
    assert client.get(url("edit", concept, pk=final.pk)).status_code == 403


def test_coordination_reaches_every_url(client, member_of, concept, draft, final, job):
    member_of(client, concept, role=roles.COORDINATION)
    for method, target, _steering, expected in urls(concept, draft, final, job):
        data = {"year": 2026, "correction_note": "Tippfehler", "confirm": "on"}
        data = data if method == "post" else None
        response = getattr(client, method)(target, data)
        assert response.status_code == expected, target


PUBLICATION_URLS = ["publish", "withdraw"]


@pytest.mark.parametrize("name", PUBLICATION_URLS)
def test_publication_needs_a_login(client, concept, final, name):
    response = client.post(url(name, concept, pk=final.pk), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [roles.STEERING_GROUP, roles.MEASURE_OWNERS])
@pytest.mark.parametrize("name", PUBLICATION_URLS)
def test_only_the_coordination_publishes_and_withdraws(
    client, member_of, concept, final, role, name
):
    if name == "withdraw":
        AnnualReport.objects.filter(pk=final.pk).update(published_at=timezone.now())
    before = AnnualReport.objects.values_list("published_at", flat=True).get(pk=final.pk)
    member_of(client, concept, role=role)
    response = client.post(url(name, concept, pk=final.pk), {"confirm": "on"})
    assert response.status_code == 403
    assert AnnualReport.objects.values_list("published_at", flat=True).get(pk=final.pk) == before


@pytest.mark.parametrize("role", [roles.COORDINATION, roles.ADMINISTRATION])
def test_coordination_publishes_and_withdraws(client, member_of, concept, final, role):
    user = member_of(client, concept, role=role, first_name="Kim", last_name="Kuhn")
    detail = url("detail", concept, pk=final.pk)
    page = client.get(detail).content.decode()
    assert 'id="report-publish"' in page and 'id="report-withdraw"' not in page
    assert "Jede und jeder kann es ohne Anmeldung herunterladen" in page
    assert "nicht veröffentlicht" in page

    # Without the confirmation nothing is published.
    response = client.post(url("publish", concept, pk=final.pk), {}, follow=True)
    assert "Bitte bestätigen Sie" in response.content.decode()
    final.refresh_from_db()
    assert not final.is_published

    response = client.post(url("publish", concept, pk=final.pk), {"confirm": "on"})
    assert response["Location"] == detail
    final.refresh_from_db()
    assert final.is_published and final.published_by == user
    page = client.get(detail).content.decode()
    assert "Veröffentlicht am" in page and "von Kim Kuhn" in page
    assert 'id="report-withdraw"' in page and 'id="report-publish"' not in page
    listing = client.get(url("list", concept)).content.decode()
    assert f"veröffentlicht am {timezone.localtime(final.published_at):%d.%m.%Y}" in listing

    # Twice is refused with a German message.
    response = client.post(url("publish", concept, pk=final.pk), {"confirm": "on"}, follow=True)
    assert "schon veröffentlicht" in response.content.decode()

    response = client.post(url("withdraw", concept, pk=final.pk))
    assert response["Location"] == detail
    final.refresh_from_db()
    assert final.is_final and not final.is_published
    assert client.get(url("download", concept, pk=final.pk)).content == b"%PDF-1.7 test"
    assert "nicht veröffentlicht" in client.get(url("list", concept)).content.decode()


def test_a_draft_cannot_be_published(client, member_of, concept, draft):
    member_of(client, concept, role=roles.COORDINATION)
    response = client.post(url("publish", concept, pk=draft.pk), {"confirm": "on"}, follow=True)
    assert "Nur ein finaler Bericht" in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_the_saved_message_is_shown_once(client, member_of, concept, draft):
    member_of(client, concept, role=roles.COORDINATION)
    response = client.post(
        url("edit", concept, pk=draft.pk),
        {"foreword": "Neu", "resolution_proposal": "", "version": draft.edit_version},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert page.count("Der Bericht ist gespeichert.") == 1


def test_download_is_only_for_final_reports(client, member_of, concept, draft):
    member_of(client, concept, role=roles.COORDINATION)
    assert client.get(url("download", concept, pk=draft.pk)).status_code == 404


def test_draft_to_final_and_frozen(client, member_of, concept, django_capture_on_commit_callbacks):
    member_of(client, concept, role=roles.COORDINATION)
    response = client.post(url("list", concept), {"year": 2025})
    report = AnnualReport.objects.get(concept=concept, year=2025)
    assert response["Location"] == url("edit", concept, pk=report.pk)

    goal = concept.goals.get()
    response = client.post(
        url("edit", concept, pk=report.pk),
        {
            "foreword": "Sehr geehrte Damen und Herren",
            "summary": "",
            "introduction": "",
            "need_for_action": "",
            "outlook": "",
            "resolution_proposal": "Der Kreistag nimmt den Bericht zur Kenntnis.",
            "version": report.edit_version,
            f"goal_{goal.pk}": "Auf gutem Weg",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolution_proposal.startswith("Der Kreistag")

    # Preview: rendered in the background (immediately here), downloadable from its status page.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("preview", concept, pk=report.pk))
    preview = ReportRender.objects.get(report=report, kind="preview")
    assert response["Location"] == url("render_status", concept, job=preview.pk)
    assert preview.state == "done"
    page = client.get(response["Location"])
    assert url("render_download", concept, job=preview.pk) in page.content.decode()
    assert client.get(url("render_download", concept, job=preview.pk)).content.startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("preview", concept, pk=report.pk))
    assert ReportRender.objects.filter(report=report, kind="preview").count() == 1
    assert not ReportRender.objects.filter(pk=preview.pk).exists()  # old PDF not kept

    # The confirmation says that finalising does not publish.
    detail = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert "Final setzen veröffentlicht den Bericht nicht" in detail

    # Without confirmation nothing happens.
    client.post(url("finalise", concept, pk=report.pk), {})
    report.refresh_from_db()
    assert not report.is_final

    # Texts are missing (summary, introduction, …): not without an override and its reason.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("finalise", concept, pk=report.pk), {"confirm": "on"})
    assert "offene Punkte" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_final

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("finalise", concept, pk=report.pk),
            {"confirm": "on", "override": "on", "override_reason": "Beschluss eilt"},
        )
    report.refresh_from_db()
    assert report.is_final
    assert report.override_reason == "Beschluss eilt"
    detail = client.get(url("detail", concept, pk=report.pk)).content.decode()
    assert report.pdf_sha256 in detail
    # Finalising did not publish; the page says how to.
    assert not report.is_published
    assert 'id="report-publish"' in detail

    first = client.get(url("download", concept, pk=report.pk))
    assert first["Content-Type"] == "application/pdf"
    first_bytes = b"".join(first.streaming_content) if first.streaming else first.content
    assert hashlib.sha256(first_bytes).hexdigest() == report.pdf_sha256

    # Editing the data afterwards changes nothing in the final report.
    Measure.objects.filter(concept=concept, code="S1").update(title="Ganz anderer Titel")
    assert client.get(url("edit", concept, pk=report.pk)).status_code == 302
    client.post(url("edit", concept, pk=report.pk), {"foreword": "geändert"})
    again = client.get(url("download", concept, pk=report.pk)).content
    assert again == first_bytes
    report.refresh_from_db()
    assert report.foreword == "Sehr geehrte Damen und Herren"
    assert hashlib.sha256(again).hexdigest() == report.pdf_sha256
    # No preview from live data beside the frozen PDF.
    response = client.post(url("preview", concept, pk=report.pk), follow=True)
    assert "ist final" in response.content.decode()
    assert not ReportRender.objects.filter(report=report, kind="preview").exists()

    # A correction is a new version; the old one stays downloadable.
    response = client.post(url("correct", concept, pk=report.pk), {"correction_note": "S1"})
    correction = AnnualReport.objects.get(supersedes=report)
    assert response["Location"] == url("edit", concept, pk=correction.pk)
    assert correction.version == 2
    assert client.get(url("download", concept, pk=report.pk)).content == first_bytes
    listing = client.get(url("list", concept)).content.decode()
    assert "ersetzt Fassung 1" in listing


def test_render_status_polls_while_pending_and_serves_the_fragment(
    client, member_of, concept, draft
):
    member_of(client, concept, role=roles.COORDINATION)
    job = ReportRenderFactory(report=draft, kind="preview", progress=30, step="läuft")
    target = url("render_status", concept, job=job.pk)
    page = client.get(target).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'href="{target}"' in page  # plain refresh without JavaScript
    # Nothing claims the page refreshes itself when it does so only with JavaScript.
    assert "Diese Seite aktualisiert sich selbst" not in page
    assert "Mit JavaScript aktualisiert sich diese Seite selbst" in page
    fragment = client.get(target, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="render-status"')
    assert "<html" not in fragment
    job.state = "done"
    job.save()
    assert 'hx-trigger="every 2s"' not in client.get(target).content.decode()


def test_failed_render_shows_a_german_error(
    client, member_of, concept, draft, monkeypatch, django_capture_on_commit_callbacks
):
    member_of(client, concept, role=roles.COORDINATION)

    def broken(snapshot, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("reporting.report.pdf.render_pdf", broken)
    mark_previewed(draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("finalise", concept, pk=draft.pk),
            {"confirm": "on", "override": "on", "override_reason": "Test"},
        )
    response = client.get(response["Location"])
    assert "Das PDF konnte nicht erstellt werden" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_final
