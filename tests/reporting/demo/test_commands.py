import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from concept import roles
from concept.models import Concept
from goals.models import Indicator, IndicatorValue, StatisticsRegion, SubGoal
from measures.models import Decision, Measure, ProgressEntry, add_months
from reporting.dashboard import queries
from reporting.demo.scale import generate
from reporting.demo.seed import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.django_db


def counts():
    return (
        Concept.objects.count(),
        Measure.objects.count(),
        ProgressEntry.objects.count(),
        Indicator.objects.count(),
        get_user_model().objects.count(),
    )


def test_seed_demo_creates_concept_users_and_demo_progress(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    concept = Concept.objects.get(slug="lk-vechta")
    User = get_user_model()
    for role in roles.ALL:
        user = User.objects.get(memberships__concept=concept, memberships__role=role)
        assert user.check_password(DEMO_PASSWORD)
        assert f"{role.label:<26} Benutzer: {user.username}" in out
    owner = User.objects.get(memberships__role=roles.MEASURE_OWNERS)
    assert sorted(owner.responsible_measures.values_list("code", flat=True)) == ["B5", "S4", "S6"]

    entries = ProgressEntry.objects.filter(measure__concept=concept)
    assert entries.exists() and not entries.filter(is_demo=False).exists()
    # Two years of Sachstände up to shortly before the day the demo was seeded.
    today = timezone.localdate()
    assert add_months(today, -23) <= min(e.date for e in entries)
    assert max(e.date for e in entries) < today
    assert all(e.text.startswith("[Demo]") for e in entries)
    # The demo's adoption date lies before its history, so the date rule holds for it.
    assert concept.adopted_on is not None
    assert not entries.filter(date__lt=concept.adopted_on).exists()
    # Every measure has a Sachstand and shows the state of its newest one.
    for measure in Measure.objects.filter(concept=concept):
        newest = measure.entries.order_by("-date").first()
        assert newest is not None
        assert (measure.status, measure.traffic_light, measure.progress) == (
            newest.status,
            newest.traffic_light,
            newest.progress,
        )
    # The Kennzahlen are LK Vechta's real numbers from the LSN, some linked to Teilziele.
    assert not Indicator.objects.filter(concept=concept, is_demo=True).exists()
    linked = Indicator.objects.filter(concept=concept, sub_goal__isnull=False)
    assert linked.count() == 4
    assert all(i.source.startswith("LSN, Integrationsmonitoring Niedersachsen") for i in linked)
    residents = Indicator.objects.get(concept=concept, statistics_id="1-2-1")
    assert residents.values.get(period="2019", breakdown="").value == 20715
    assert StatisticsRegion.objects.get(concept=concept).region_key == "K03460"


def test_seed_demo_history_reads_like_two_years_of_use(settings):
    """Demo Sachstände are recorded on their own day, so "Änderungen seit" does not list the
    whole demo as typed in today, and each measure's newest history record is its state."""
    from reporting.dashboard.changes import status_changes

    settings.DEBUG = True
    call_command("seed_demo")
    concept = Concept.objects.get(slug="lk-vechta")
    for entry in ProgressEntry.objects.filter(measure__concept=concept):
        assert timezone.localdate(entry.created_at) == entry.date
    since = add_months(timezone.localdate(), -12)
    changes = status_changes(concept, since)
    assert changes
    assert all(c.date >= since and not c.recorded_later for c in changes)
    for measure in Measure.objects.filter(concept=concept):
        newest = measure.history.order_by("-history_date", "-history_id").first()
        assert (newest.status, newest.progress) == (measure.status, measure.progress)


@pytest.mark.parametrize(
    "today", [dt.date(2024, 2, 29), dt.date(2025, 3, 31), dt.date(2026, 8, 31)]
)
def test_the_demo_looks_current_on_whatever_day_it_is_seeded(today):
    """Seeded on any day (the service refuses Sachstände in the future, so these are past
    days), a few measures are overdue (not most of them, as with fixed dates)
    and the newest Sachstände are recent; none lies in the future."""
    seed_demo(io.StringIO(), today=today)
    concept = Concept.objects.get(slug="lk-vechta")
    entries = ProgressEntry.objects.filter(measure__concept=concept)
    assert max(entries.values_list("date", flat=True)) >= add_months(today, -3)
    assert not entries.filter(date__gt=today).exists()
    overdue = Measure.objects.filter(concept=concept).overdue(today).count()
    assert 2 <= overdue <= 6
    # What the dashboard counts, the list shows.
    assert queries.dashboard(concept, today).overall.overdue == overdue
    # The demo committee's decision was taken in the past, its follow-up is ahead.
    decision = Decision.objects.get(meeting__network__concept=concept)
    assert decision.meeting.date < today < decision.follow_up_date


def test_demo_sachstaende_respect_the_adoption_and_the_start(settings):
    """No demo Sachstand before the concept was adopted or its measure started."""
    today = dt.date(2026, 12, 5)
    call_command("loaddata", "lk_vechta", verbosity=0)
    concept = Concept.objects.get(slug="lk-vechta")
    concept.adopted_on = dt.date(2025, 6, 1)
    concept.save(update_fields=["adopted_on"])
    Measure.objects.filter(concept=concept, code="S1").update(start_date=dt.date(2026, 1, 1))
    seed_demo(io.StringIO(), today=today)
    entries = ProgressEntry.objects.filter(measure__concept=concept)
    assert entries.exists() and not entries.filter(date__lt=dt.date(2025, 6, 1)).exists()
    assert not entries.filter(measure__code="S1", date__lt=dt.date(2026, 1, 1)).exists()


@pytest.mark.parametrize("today", [dt.date(2024, 2, 29), dt.date(2026, 1, 31)])
def test_generated_demo_data_is_dated_relative_to_the_day(today):
    generate(scale=1, today=today)
    concept = Concept.objects.get(slug="demo-skala-1")
    entries = ProgressEntry.objects.filter(measure__concept=concept)
    assert not entries.filter(date__gt=today).exists()
    assert max(entries.values_list("date", flat=True)) >= add_months(today, -3)
    overdue = Measure.objects.filter(concept=concept).overdue(today).count()
    assert 1 <= overdue <= 6
    years = IndicatorValue.objects.filter(indicator__concept=concept).values_list(
        "reference_date__year", flat=True
    )
    assert max(years) == today.year - 1


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="bekannte Passwörter"):
        call_command("seed_demo")
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("scale", [1, 3])
def test_generate_demo_data_scales_lk_vechta_volume(scale):
    call_command("generate_demo_data", scale=scale, verbosity=0)
    concept = Concept.objects.get(slug=f"demo-skala-{scale}")
    assert concept.goals.count() == 7
    assert SubGoal.objects.filter(goal__concept=concept).count() == 28 * scale
    assert concept.measures.count() == 37 * scale
    assert ProgressEntry.objects.filter(measure__concept=concept).count() == 4 * 37 * scale
    assert IndicatorValue.objects.filter(indicator__concept=concept).count() == 7 * 28 * scale


def test_generate_demo_data_replaces_its_previous_run():
    call_command("generate_demo_data", scale=2, verbosity=0)
    call_command("generate_demo_data", scale=2, verbosity=0)
    assert Concept.objects.filter(slug="demo-skala-2").count() == 1
    assert Measure.objects.count() == 74


@pytest.mark.parametrize(
    ("value", "message"),
    [("zehn", "ganze Zahl"), ("0", "zwischen 1 und 1000"), ("5000", "zwischen 1 und 1000")],
)
def test_generate_demo_data_rejects_bad_scale(value, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_demo_data", "--scale", value)
    assert Concept.objects.count() == 0
