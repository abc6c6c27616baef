"""Refreshing configured sources: by the worker on a schedule and by a command for cron; a
revised number shows under "Änderungen seit"."""

import datetime as dt
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goals.models import IndicatorValue, StatisticsImport, StatisticsRegion, StatisticsSource
from goals.statistics.refresh import next_run, refresh_due
from goals.tasks import refresh_statistics_task, schedule_refresh
from reporting.dashboard.changes import changes_since
from tests.factories import ConceptFactory
from tests.goals.statistics.builders import opensdg_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(tmp_path):
    folder = opensdg_folder(tmp_path / "quelle", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    source = StatisticsSource.objects.create(
        slug="test",
        name="Teststatistik",
        publisher="Testamt",
        publisher_short="TA",
        format="opensdg",
        location=str(folder),
    )
    return StatisticsRegion.objects.create(
        concept=ConceptFactory(), source=source, region_key="K1", refresh_days=7
    )


def publish(region, text):
    """The source publishes a new state of its table."""
    path = f"{region.source.location}/data/indicator_9-1-1.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def test_due_source_is_read_and_recorded_as_refresh(region):
    (outcome,) = refresh_due()
    assert not outcome.error
    reading = StatisticsImport.objects.get()
    assert reading.origin == "refresh" and reading.user is None
    region.refresh_from_db()
    assert region.read_at == reading.read_at
    assert refresh_due() == []  # read just now: not due for a week
    assert len(refresh_due(force=True)) == 1


def test_source_without_interval_is_only_refreshed_when_forced(region):
    region.refresh_days = None
    region.save()
    assert refresh_due() == []
    assert len(refresh_due(force=True)) == 1


def test_revised_number_shows_under_changes_since(region):
    refresh_due()
    publish(region, "Year,GeoCode,Value\n2020,K1,6\n2021,K1,8\n")
    refresh_due(force=True)
    assert IndicatorValue.objects.get(period="2020").value == 6
    changes = changes_since(region.concept, timezone.localdate() - dt.timedelta(days=1))
    rows = changes.rows("statistics")
    assert [(c.label, c.old, c.new) for row in rows for c in row.changes] == [
        ("Wert 2020", "5", "6")
    ]
    assert [m.title for m in rows[0].measures] == ["Testzahl in Niedersachsen"]


def test_revised_and_withdrawn_numbers_old_to_new(region):
    refresh_due()
    publish(region, "Year,GeoCode,Value\n2020,K1,6\n")
    refresh_due(force=True)
    publish(region, "Year,GeoCode,Value\n2020,K1,.\n")
    refresh_due(force=True)
    rows = changes_since(region.concept, timezone.localdate()).rows("statistics")
    assert [(c.old, c.new) for row in rows for c in row.changes] == [
        ("6", "entfällt"),
        ("5", "6"),
    ]
    assert rows[0].reason == "Amtliche Statistik: TA, Teststatistik"


def test_first_reading_is_not_a_change(region):
    refresh_due()
    assert changes_since(region.concept, timezone.localdate()).rows("statistics") == []


def test_broken_source_is_skipped_and_reported(region):
    refresh_due()
    publish(region, "Year,GeoCode,Value\n2020,K1,6\n2021,K1\n")
    (outcome,) = refresh_due(force=True)
    assert (
        outcome.error == "Datei data/indicator_9-1-1.csv, Zeile 3: Die Zeile hat 2 statt 3 Spalten."
    )
    assert IndicatorValue.objects.get().value == 5
    with pytest.raises(CommandError) as error:
        call_command("refresh_statistics", all=True)
    assert "Zeile 3: Die Zeile hat 2 statt 3 Spalten." in str(error.value)


def test_command_refreshes_what_is_due(region, capsys):
    call_command("refresh_statistics")
    assert "Gespeichert: Kennzahlen: 1 neu" in capsys.readouterr().out
    call_command("refresh_statistics")
    assert "Keine Quelle fällig." in capsys.readouterr().out
    shutil.rmtree(region.source.location)
    with pytest.raises(CommandError, match="Ablage der Quelle gibt es nicht"):
        call_command("refresh_statistics", all=True)


def test_next_run_is_when_the_first_source_falls_due(region):
    now = timezone.now()
    assert next_run(now) - now == dt.timedelta(hours=1)  # never read: look soon
    region.read_at = now - dt.timedelta(days=6, hours=20)
    region.save()
    assert next_run(now) - now == dt.timedelta(hours=4)


# The worker sees only committed rows and manages its own connection, as in production.
@pytest.mark.django_db(transaction=True)
def test_worker_refreshes_and_plans_its_next_run(region):
    assert schedule_refresh()
    assert not schedule_refresh()  # once
    queued = DBTaskResult.objects.get(task_path=refresh_statistics_task.module_path)
    assert queued.run_after > timezone.now()
    # The time has come: the database worker runs it as in production.
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now())
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)
    assert StatisticsImport.objects.get().origin == "refresh"
    waiting = DBTaskResult.objects.filter(
        task_path=refresh_statistics_task.module_path, status="READY"
    )
    assert waiting.count() == 1
    # Due again in a week; the worker looks once a day at the latest.
    assert waiting.get().run_after > timezone.now() + dt.timedelta(hours=23)
