"""Correcting and withdrawing a Sachstand (measures.services), and the date rule every way of
recording one meets."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concept.locking import StaleVersion
from measures import services
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from tests.factories import ConceptFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def entry(measure, day, **fields):
    values = {
        "status": Status.IN_PROGRESS,
        "traffic_light": TrafficLight.GREEN,
        "progress": 40,
    } | fields
    return services.progress_entry_create(
        measure=measure, author=UserFactory(), date=dt.date.fromisoformat(day), **values
    )


def state(measure):
    measure.refresh_from_db()
    return (measure.status, measure.traffic_light, measure.progress)


def correct(sachstand, reason="Tippfehler", **fields):
    return services.progress_entry_correct(
        entry=sachstand,
        user=UserFactory(first_name="Kim", last_name="Koordination"),
        expected_version=sachstand.version,
        reason=reason,
        **fields,
    )


def withdraw(sachstand, reason="doppelt erfasst", user=None):
    return services.progress_entry_withdraw(
        entry=sachstand,
        user=user or UserFactory(),
        expected_version=sachstand.version,
        reason=reason,
    )


# --- correcting ------------------------------------------------------------------------------


def test_a_correction_changes_texts_figures_date_and_state_and_keeps_the_old_version():
    measure = MeasureFactory()
    sachstand = entry(measure, "2025-03-01", text="Zwei Kruse gestartet.", participants=12)
    correct(
        sachstand,
        reason="Tippfehler und Zahl",
        text="Zwei Kurse gestartet.",
        participants=21,
        date=dt.date(2025, 3, 2),
        status=Status.PREPARING,
        traffic_light=TrafficLight.YELLOW,
        deviation="Kursstart verschoben.",
        progress=10,
    )
    sachstand.refresh_from_db()
    assert (sachstand.text, sachstand.participants, sachstand.date) == (
        "Zwei Kurse gestartet.",
        21,
        dt.date(2025, 3, 2),
    )
    newest, before = sachstand.history.order_by("-history_date", "-history_id")[:2]
    assert newest.history_change_reason == "Tippfehler und Zahl"
    assert newest.history_user.get_full_name() == "Kim Koordination"
    assert (before.text, before.participants) == ("Zwei Kruse gestartet.", 12)
    # The newest Sachstand's state is the measure's, recorded with the reason.
    assert state(measure) == (Status.PREPARING, TrafficLight.YELLOW, 10)
    record = measure.history.order_by("-history_date", "-history_id").first()
    assert (
        record.history_change_reason == "Sachstand vom 02.03.2025 korrigiert: Tippfehler und Zahl"
    )


def test_a_correction_needs_a_reason():
    sachstand = entry(MeasureFactory(), "2025-03-01")
    with pytest.raises(ValidationError) as refused:
        correct(sachstand, reason="  ", text="Neu")
    assert refused.value.message_dict == {"reason": ["Bitte geben Sie den Grund der Korrektur an."]}
    sachstand.refresh_from_db()
    assert sachstand.text == "" and sachstand.version == 1


def test_a_too_long_reason_is_refused_not_cut():
    sachstand = entry(MeasureFactory(), "2025-03-01")
    with pytest.raises(ValidationError, match="höchstens 100 Zeichen"):
        correct(sachstand, reason="x" * 101, text="Neu")


def test_a_correction_without_a_change_writes_nothing():
    sachstand = entry(MeasureFactory(), "2025-03-01", text="Gleich")
    correct(sachstand, text="Gleich")
    assert sachstand.history.count() == 1 and sachstand.version == 1


def test_moving_the_newest_sachstand_back_hands_the_state_to_the_next_one():
    measure = MeasureFactory()
    entry(measure, "2025-01-10", progress=20)
    newest = entry(measure, "2025-03-01", progress=60)
    assert state(measure)[2] == 60
    correct(newest, reason="falsches Jahr", date=dt.date(2024, 3, 1))
    assert state(measure)[2] == 20


def test_a_correction_keeps_umsetzungsstand_and_fortschritt_in_agreement():
    sachstand = entry(MeasureFactory(), "2025-03-01")
    with pytest.raises(ValidationError, match="widersprechen sich"):
        correct(sachstand, status=Status.IMPLEMENTED, progress=80)


def test_a_stale_correction_is_refused():
    sachstand = entry(MeasureFactory(), "2025-03-01")
    seen = sachstand.version
    correct(sachstand, text="Erste Korrektur")
    stale = ProgressEntry.objects.get(pk=sachstand.pk)
    with pytest.raises(StaleVersion):
        services.progress_entry_correct(
            entry=stale, user=None, expected_version=seen, reason="zweite", text="Zweite"
        )
    stale.refresh_from_db()
    assert stale.text == "Erste Korrektur"


def test_a_correction_to_yellow_or_red_needs_an_abweichung():
    measure = MeasureFactory()
    sachstand = entry(measure, "2025-03-01", text="Kurs läuft.")
    with pytest.raises(ValidationError) as refused:
        correct(sachstand, traffic_light=TrafficLight.RED)
    assert list(refused.value.message_dict) == ["deviation"]
    sachstand.refresh_from_db()
    assert sachstand.traffic_light == TrafficLight.GREEN
    correct(sachstand, traffic_light=TrafficLight.RED, deviation="Kursleitung fehlt.")
    assert state(measure)[1] == TrafficLight.RED


def test_a_correction_that_keeps_a_red_ampel_needs_no_new_abweichung():
    measure = MeasureFactory()
    sachstand = entry(measure, "2025-03-01", traffic_light=TrafficLight.RED, deviation="Alt.")
    correct(sachstand, text="Kurs ruht.", traffic_light=TrafficLight.RED)
    sachstand.refresh_from_db()
    assert sachstand.text == "Kurs ruht."


# --- withdrawing -----------------------------------------------------------------------------


def test_a_withdrawn_sachstand_is_read_by_nobody_but_kept():
    measure = MeasureFactory()
    older = entry(measure, "2025-01-10", status=Status.PREPARING, progress=10)
    newest = entry(
        measure,
        "2025-03-01",
        traffic_light=TrafficLight.RED,
        deviation="Träger fehlt.",
        progress=60,
    )
    withdraw(newest, reason="bei der falschen Maßnahme erfasst")
    assert list(measure.entries.all()) == [older]
    assert not ProgressEntry.objects.filter(pk=newest.pk).exists()
    kept = ProgressEntry.with_withdrawn.get(pk=newest.pk)
    assert kept.is_withdrawn and kept.withdrawal_reason == "bei der falschen Maßnahme erfasst"
    assert Measure.objects.with_last_entry().get(pk=measure.pk).last_entry_date == older.date
    # The measure follows its newest remaining Sachstand, with the reason in its history.
    assert state(measure) == (Status.PREPARING, TrafficLight.GREEN, 10)
    record = measure.history.order_by("-history_date", "-history_id").first()
    assert record.history_change_reason == (
        "Sachstand vom 01.03.2025 zurückgezogen: bei der falschen Maßnahme erfasst"
    )
    assert kept.history.order_by("-history_date").first().history_change_reason == (
        "bei der falschen Maßnahme erfasst"
    )


def test_withdrawing_an_older_sachstand_leaves_the_state():
    measure = MeasureFactory()
    older = entry(measure, "2025-01-10", progress=10)
    entry(measure, "2025-03-01", progress=60)
    version = Measure.objects.get(pk=measure.pk).version
    withdraw(older)
    measure.refresh_from_db()
    assert measure.progress == 60 and measure.version == version


def test_without_a_remaining_sachstand_the_measure_returns_to_its_state_before():
    measure = MeasureFactory(status=Status.PREPARING, traffic_light=TrafficLight.GREY)
    only = entry(measure, "2025-03-01", progress=60)
    assert state(measure) == (Status.IN_PROGRESS, TrafficLight.GREEN, 60)
    withdraw(only)
    assert state(measure) == (Status.PREPARING, TrafficLight.GREY, 0)


def test_a_withdrawal_needs_a_reason_and_happens_once():
    sachstand = entry(MeasureFactory(), "2025-03-01")
    with pytest.raises(ValidationError) as refused:
        withdraw(sachstand, reason="")
    assert refused.value.message_dict == {
        "reason": ["Bitte geben Sie den Grund für das Zurückziehen an."]
    }
    withdraw(sachstand)
    with pytest.raises(ValidationError, match="bereits zurückgezogen"):
        withdraw(sachstand)
    with pytest.raises(ValidationError, match="lässt sich nicht korrigieren"):
        correct(sachstand, text="Neu")


# --- implausible dates -----------------------------------------------------------------------


def test_a_sachstand_before_the_measures_start_is_refused():
    measure = MeasureFactory(start_date=dt.date(2024, 9, 1))
    with pytest.raises(ValidationError) as refused:
        entry(measure, "2024-08-31")
    assert refused.value.message_dict == {
        "date": [
            "Das Datum (31.08.2024) liegt vor dem Beginn der Maßnahme (01.09.2024). Ein "
            "Sachstand beschreibt die Maßnahme ab ihrem Beginn."
        ]
    }
    assert entry(measure, "2024-09-01").date == dt.date(2024, 9, 1)


def test_a_sachstand_before_the_concept_was_adopted_is_refused():
    concept = ConceptFactory(adopted_on=dt.date(2019, 7, 1))
    measure = MeasureFactory(concept=concept)
    with pytest.raises(ValidationError) as refused:
        entry(measure, "1999-01-01")
    assert refused.value.message_dict == {
        "date": [
            "Das Datum (01.01.1999) liegt vor dem Beschluss des Konzepts (01.07.2019). Ein "
            "Sachstand beschreibt die Umsetzung des beschlossenen Konzepts."
        ]
    }
    assert not ProgressEntry.objects.exists()
    assert state(measure) == (Status.NOT_STARTED, TrafficLight.GREY, 0)


def test_a_sachstand_from_the_future_is_refused():
    with pytest.raises(ValidationError, match="Das Datum liegt in der Zukunft"):
        entry(MeasureFactory(), (TODAY + dt.timedelta(days=1)).isoformat())


def test_a_correction_meets_the_same_date_rule():
    concept = ConceptFactory(adopted_on=dt.date(2019, 7, 1))
    sachstand = entry(MeasureFactory(concept=concept), "2025-03-01")
    with pytest.raises(ValidationError, match="vor dem Beschluss des Konzepts"):
        correct(sachstand, date=dt.date(1999, 1, 1))
    with pytest.raises(ValidationError, match="in der Zukunft"):
        correct(sachstand, date=TODAY + dt.timedelta(days=1))
    sachstand.refresh_from_db()
    assert sachstand.date == dt.date(2025, 3, 1)
