import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from concept import roles
from concept.models import Concept
from goals.models import Indicator, IndicatorValue, SubGoal
from measures.models import Measure, ProgressEntry
from reporting.demo.seed import DEMO_PASSWORD

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
    assert {e.date.year for e in entries} == {2024, 2025}
    assert all(e.text.startswith("[Demo]") for e in entries)
    # Every measure has a Sachstand and shows the state of its newest one.
    for measure in Measure.objects.filter(concept=concept):
        newest = measure.entries.order_by("-date").first()
        assert newest is not None
        assert (measure.status, measure.traffic_light, measure.progress) == (
            newest.status,
            newest.traffic_light,
            newest.progress,
        )
    assert Indicator.objects.filter(concept=concept, is_demo=True, sub_goal__isnull=False).exists()


def test_seed_demo_history_reads_like_two_years_of_use(settings):
    """Demo Sachstände are recorded on their own day, so "Änderungen seit" does not list the
    whole demo as typed in today, and each measure's newest history record is its state."""
    import datetime as dt

    from reporting.dashboard.changes import status_changes

    settings.DEBUG = True
    call_command("seed_demo")
    concept = Concept.objects.get(slug="lk-vechta")
    for entry in ProgressEntry.objects.filter(measure__concept=concept):
        assert timezone.localdate(entry.created_at) == entry.date
    changes = status_changes(concept, dt.date(2025, 1, 1))
    assert changes
    assert all(c.date.year == 2025 and not c.recorded_later for c in changes)
    for measure in Measure.objects.filter(concept=concept):
        newest = measure.history.order_by("-history_date", "-history_id").first()
        assert (newest.status, newest.progress) == (measure.status, measure.progress)


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
