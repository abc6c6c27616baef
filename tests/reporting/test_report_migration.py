"""Migration 0003: reports that were final (and so public) before stay published."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("reporting", "0002_report_render")]
AFTER = [("reporting", "0003_report_publication")]


@pytest.mark.django_db(transaction=True)
def test_final_reports_stay_published_drafts_do_not():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    # The data as stored before the migration, with the models of that state (the services
    # and factories write today's).
    Concept = apps.get_model("concept", "Concept")
    AnnualReport = apps.get_model("reporting", "AnnualReport")
    User = apps.get_model("auth", "User")
    user = User.objects.create(username="koordination")
    concept = Concept.objects.create(slug="alt", title="Altes Konzept", district="LK Alt")
    finalised = timezone.make_aware(dt.datetime(2024, 5, 2, 11, 0))
    AnnualReport.objects.create(
        concept=concept,
        year=2023,
        status="final",
        snapshot={},
        pdf=b"%PDF",
        pdf_sha256="0" * 64,
        finalised_at=finalised,
        finalised_by=user,
    )
    AnnualReport.objects.create(concept=concept, year=2024)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    AnnualReport = apps.get_model("reporting", "AnnualReport")
    final = AnnualReport.objects.get(year=2023)
    assert final.published_at == finalised and final.published_by_id == user.pk
    assert AnnualReport.objects.get(year=2024).published_at is None

    # Back to the newest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
