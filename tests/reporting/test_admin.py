"""The admin of annual reports: finalising is the portal's service, never a field."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from reporting.models import AnnualReport
from tests.factories import AnnualReportFactory


def test_setting_a_draft_to_final_in_the_admin_changes_nothing_and_does_not_fail(client, db):
    admin = get_user_model().objects.create_superuser("chef", "chef@example.org", "x" * 16)
    client.force_login(admin)
    report = AnnualReportFactory(year=2025)
    url = reverse("admin:reporting_annualreport_change", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.text
    response = client.post(
        url,
        {
            "status": AnnualReport.Status.FINAL,
            "summary": "Kurz gesagt.",
            "assessments-TOTAL_FORMS": "0",
            "assessments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 302)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT
    assert report.pdf_sha256 == "" and report.snapshot is None
