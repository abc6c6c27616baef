"""Migration 0007: the update cadence, stored as days, is stored as calendar months."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("measures", "0006_progress_entry_withdrawal")]
AFTER = [("measures", "0007_update_cadence_in_months")]
DAYS = {"M": 31, "Q": 92, "H": 183, "J": 366}
MONTHS = {"M": 1, "Q": 3, "H": 6, "J": 12}


def state(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def cadences(apps, model):
    rows = apps.get_model("measures", model).objects.filter(concept__slug="vechta-migration")
    return dict(rows.values_list("code", "update_cadence"))


@pytest.mark.django_db(transaction=True)
def test_cadence_days_become_months_and_back():
    apps = state(BEFORE)
    concept = apps.get_model("concept", "Concept").objects.create(
        slug="vechta-migration", title="Vechta", district="LK Vechta"
    )
    Measure = apps.get_model("measures", "Measure")
    History = apps.get_model("measures", "HistoricalMeasure")
    for i, (code, days) in enumerate(DAYS.items()):
        measure = Measure.objects.create(
            concept=concept, code=code, number=f"4.1.{i + 1}", title=code, update_cadence=days
        )
        History.objects.create(
            id=measure.pk,
            concept=concept,
            code=code,
            number=measure.number,
            title=code,
            update_cadence=days,
            created_at=measure.created_at,
            updated_at=measure.updated_at,
            history_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            history_type="+",
        )

    apps = state(AFTER)
    assert cadences(apps, "Measure") == MONTHS
    # The history shows the cadence a measure had with today's labels.
    assert cadences(apps, "HistoricalMeasure") == MONTHS

    apps = state(BEFORE)
    assert cadences(apps, "Measure") == DAYS
    assert cadences(apps, "HistoricalMeasure") == DAYS

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
