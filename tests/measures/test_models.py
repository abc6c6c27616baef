import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.models import (
    Measure,
    ProgressEntry,
    Status,
    UpdateCadence,
    add_months,
    earliest_on_time,
)
from tests.factories import ConceptFactory, GoalFactory, MeasureFactory, ProgressEntryFactory

pytestmark = pytest.mark.django_db


def violates(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_measure_code_is_unique_per_concept():
    measure = MeasureFactory(code="S1")
    violates(lambda: MeasureFactory(concept=measure.concept, goal=measure.goal, code="S1"))
    # The same code in another district's concept is fine.
    assert MeasureFactory(code="S1").concept != measure.concept


def test_several_uncoded_measures_coexist_but_numbers_are_unique():
    concept = ConceptFactory()
    MeasureFactory(concept=concept, code="", number="4.1.9")
    MeasureFactory(concept=concept, code="", number="4.2.9")
    assert Measure.objects.filter(concept=concept, code="").count() == 2
    violates(lambda: MeasureFactory(concept=concept, code="", number="4.1.9"))


@pytest.mark.parametrize("progress", [101, 250])
def test_progress_above_100_is_refused_by_the_database(progress):
    measure = MeasureFactory()
    violates(lambda: Measure.objects.filter(pk=measure.pk).update(progress=progress))
    # Past the service, which refuses it first: the database's own check.
    violates(
        lambda: ProgressEntry.objects.create(
            measure=measure,
            date="2025-01-01",
            status="in_progress",
            traffic_light="green",
            progress=progress,
        )
    )


def test_dropped_measure_needs_a_reason():
    measure = MeasureFactory()
    violates(lambda: Measure.objects.filter(pk=measure.pk).update(status=Status.DROPPED))
    Measure.objects.filter(pk=measure.pk).update(
        status=Status.DROPPED, status_reason="Förderung endet"
    )
    assert Measure.objects.get(pk=measure.pk).status == Status.DROPPED


def test_code_with_space_is_refused():
    violates(lambda: MeasureFactory(code="aG 1"))


def test_goal_number_is_unique_per_concept():
    goal = GoalFactory(number=1)
    violates(lambda: GoalFactory(concept=goal.concept, number=1))
    violates(lambda: GoalFactory(number=0))


def test_end_before_start_is_refused():
    violates(lambda: MeasureFactory(start_date="2025-05-01", end_date="2025-01-01"))


def test_measure_label_falls_back_to_outline_number():
    assert MeasureFactory.build(code="", number="4.1.9").label == "4.1.9"
    assert MeasureFactory.build(code="aG1", number="4.7.1").label == "aG1"


def test_needs_attention_is_red_or_yellow_or_an_overdue_sachstand():
    import datetime as dt

    today = dt.date(2026, 6, 30)
    concept = ConceptFactory()

    def measure(code, light, status=Status.IN_PROGRESS, last_entry=today):
        made = MeasureFactory(concept=concept, code=code, traffic_light=light, status=status)
        if last_entry is not None:
            ProgressEntryFactory(
                measure=made,
                date=last_entry,
                status=status,
                traffic_light=light,
                progress=100 if status == Status.IMPLEMENTED else 10,
            )
        return made

    long_ago = today - dt.timedelta(days=400)
    measure("ROT", "red")
    measure("GELB", "yellow")
    measure("GRUEN", "green")
    measure("SPAET", "green", last_entry=long_ago)
    measure("NIE", "grey", last_entry=None)
    measure("FERTIG", "green", status=Status.IMPLEMENTED, last_entry=long_ago)
    # Without any Sachstand the cadence counts from when the measure was created.
    Measure.objects.filter(code="NIE").update(created_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    measure("NEU", "grey", last_entry=None)
    Measure.objects.filter(code="NEU").update(created_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    measures = Measure.objects.filter(concept=concept)
    expected = {"ROT", "GELB", "SPAET", "NIE"}
    assert set(measures.needs_attention(today).values_list("code", flat=True)) == expected
    # The same on a queryset that already carries the date of the last Sachstand.
    annotated = measures.with_last_entry().needs_attention(today)
    assert set(annotated.values_list("code", flat=True)) == expected


# --- when a Sachstand is due -------------------------------------------------------------

TODAY = dt.date(2026, 6, 30)
LONG_AGO = dt.datetime(2025, 1, 2, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("last_entry", "start", "created", "due"),
    [
        # A freshly imported concept: nothing is due on day one.
        (None, None, dt.datetime(2026, 6, 29, 9, tzinfo=dt.UTC), dt.date(2026, 12, 29)),
        (None, None, LONG_AGO, dt.date(2025, 7, 2)),
        # The later of start and creation counts: a measure entered today with an old start
        # owes nothing yet, nor does one that starts later.
        (None, dt.date(2026, 3, 1), LONG_AGO, dt.date(2026, 9, 1)),
        (
            None,
            dt.date(2025, 6, 1),
            dt.datetime(2026, 6, 29, 9, tzinfo=dt.UTC),
            dt.date(2026, 12, 29),
        ),
        (None, dt.date(2026, 9, 1), LONG_AGO, dt.date(2027, 3, 1)),
        # After the first Sachstand only the last one counts.
        (dt.date(2026, 1, 15), dt.date(2024, 1, 1), LONG_AGO, dt.date(2026, 7, 15)),
        (dt.date(2025, 12, 1), None, LONG_AGO, dt.date(2026, 6, 1)),
    ],
)
def test_a_sachstand_is_due_a_cadence_after_the_last_one_else_after_start_and_creation(
    last_entry, start, created, due
):
    measure = MeasureFactory(start_date=start, status=Status.IN_PROGRESS, progress=10)
    Measure.objects.filter(pk=measure.pk).update(created_at=created)
    if last_entry is not None:
        ProgressEntryFactory(
            measure=measure,
            date=last_entry,
            status="in_progress",
            traffic_light="green",
            progress=10,
        )
    measure = Measure.objects.with_last_entry().get(pk=measure.pk)
    assert measure.next_update_due(measure.last_entry_date) == due
    overdue = measure.is_overdue(measure.last_entry_date, TODAY)
    assert overdue == (due < TODAY)
    # The queryset (dashboard, filters) says the same as the measure.
    assert Measure.objects.overdue(TODAY).filter(pk=measure.pk).exists() == overdue


@pytest.mark.parametrize("status", Status.values)
def test_umgesetzt_zurueckgestellt_and_entfallen_are_never_overdue(status):
    progress = {Status.NOT_STARTED: 0, Status.IMPLEMENTED: 100, Status.ESTABLISHED: 100}
    measure = MeasureFactory(
        status=status, progress=progress.get(status, 40), status_reason="Kein Träger"
    )
    Measure.objects.filter(pk=measure.pk).update(created_at=LONG_AGO)
    measure.refresh_from_db()
    # A verstetigt measure runs on as a regular offer and still owes its Sachstand.
    expected = status not in (Status.IMPLEMENTED, Status.DEFERRED, Status.DROPPED)
    assert measure.is_overdue(None, TODAY) == expected
    assert (measure.next_update_due(None) is not None) == expected
    assert Measure.objects.overdue(TODAY).filter(pk=measure.pk).exists() == expected


# --- calendar months -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 9, 19), 6, dt.date(2027, 3, 19)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 31)),
        # A day the target month lacks becomes its last day.
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2027, 5, 31), 1, dt.date(2027, 6, 30)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
        (dt.date(2027, 3, 31), -1, dt.date(2027, 2, 28)),
        (dt.date(2027, 1, 15), -3, dt.date(2026, 10, 15)),
    ],
)
def test_add_months_counts_calendar_months_and_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("cadence", UpdateCadence)
def test_the_date_threshold_says_exactly_what_the_due_date_says(cadence):
    """The SQL condition compares the last Sachstand with earliest_on_time(today); that must
    agree with add_months for every day, also around month ends and 29.02."""
    today = dt.date(2027, 1, 1)
    while today < dt.date(2029, 1, 1):
        threshold = earliest_on_time(today, cadence.value)
        around = add_months(today, -cadence.value)
        for offset in range(-40, 41):
            day = around + dt.timedelta(days=offset)
            assert (add_months(day, cadence.value) < today) == (day < threshold), (day, today)
        today += dt.timedelta(days=1)


def measure_last_reported(day, cadence=UpdateCadence.HALF_YEARLY, **fields):
    measure = MeasureFactory(
        status=Status.IN_PROGRESS, progress=10, update_cadence=cadence, **fields
    )
    Measure.objects.filter(pk=measure.pk).update(created_at=LONG_AGO)
    ProgressEntryFactory(
        measure=measure, date=day, status="in_progress", traffic_light="green", progress=10
    )
    return Measure.objects.with_last_entry().get(pk=measure.pk)


@pytest.mark.parametrize(
    ("last_entry", "due"),
    [
        (dt.date(2025, 9, 19), dt.date(2026, 3, 19)),  # not 21.03. (183 days)
        (dt.date(2025, 8, 31), dt.date(2026, 2, 28)),
        (dt.date(2023, 8, 31), dt.date(2024, 2, 29)),  # leap year
    ],
)
def test_halbjaehrlich_is_due_six_calendar_months_later_and_overdue_the_day_after(last_entry, due):
    measure = measure_last_reported(last_entry)
    assert measure.next_update_due(measure.last_entry_date) == due
    day_after = due + dt.timedelta(days=1)
    for today, overdue in [(due, False), (day_after, True)]:
        # On the due day itself the Sachstand is still on time.
        assert measure.is_overdue(measure.last_entry_date, today) == overdue
        assert Measure.objects.overdue(today).filter(pk=measure.pk).exists() == overdue


def test_the_list_condition_and_the_measure_agree_on_every_day_around_month_ends():
    """The database (SQLite or PostgreSQL) and Python give the same answer for measures of
    each cadence whose last Sachstand was on a month end or on 29.02."""
    days = [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 8, 30),
        dt.date(2024, 8, 31),
        dt.date(2024, 11, 30),
        dt.date(2025, 8, 31),
    ]
    measures = [measure_last_reported(day, cadence) for day in days for cadence in UpdateCadence]
    today = dt.date(2024, 2, 20)
    while today < dt.date(2026, 6, 1):
        in_python = {m.pk for m in measures if m.is_overdue(m.last_entry_date, today)}
        assert set(Measure.objects.overdue(today).values_list("pk", flat=True)) == in_python
        today += dt.timedelta(days=9)


def test_without_a_sachstand_the_months_count_from_the_later_of_start_and_creation():
    measure = MeasureFactory(
        start_date=dt.date(2026, 8, 31),
        status=Status.IN_PROGRESS,
        progress=10,
        update_cadence=UpdateCadence.HALF_YEARLY,
    )
    Measure.objects.filter(pk=measure.pk).update(created_at=LONG_AGO)
    measure.refresh_from_db()
    assert measure.next_update_due(None) == dt.date(2027, 2, 28)
    for today, overdue in [(dt.date(2027, 2, 28), False), (dt.date(2027, 3, 1), True)]:
        assert measure.is_overdue(None, today) == overdue
        assert Measure.objects.overdue(today).filter(pk=measure.pk).exists() == overdue


# --- Umsetzungsstand and Fortschritt agree ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "progress", "needed"),
    [
        (Status.IMPLEMENTED, 65, 100),
        (Status.ESTABLISHED, 90, 100),
        (Status.NOT_STARTED, 10, 0),
    ],
)
def test_contradictory_state_is_refused_naming_both_fields(status, progress, needed):
    """A new Sachstand sets the measure's state, so that is where the rule is checked."""
    measure = MeasureFactory()
    entry = ProgressEntry(
        measure=measure, date=TODAY, status=status, traffic_light="green", progress=progress
    )
    label = Status(status).label
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert error.value.message_dict["progress"] == [
        f"Umsetzungsstand „{label}“ und Fortschritt {progress} % widersprechen sich: "
        f"„{label}“ setzt einen Fortschritt von {needed} % voraus."
    ]


def test_data_from_before_the_state_rule_stays_editable():
    """A measure and a Sachstand saved as "verstetigt" at 80 % before the rule existed: their
    texts, dates and corrections are still saved; only a new state must agree."""
    from measures import services

    measure = MeasureFactory(status=Status.ESTABLISHED, progress=80)
    # Saved before the rule: the service refuses it now (checked below).
    entry = ProgressEntry.objects.create(
        measure=measure, date=TODAY, status=Status.ESTABLISHED, traffic_light="green", progress=80
    )
    measure = services.measure_update(
        measure=measure,
        user=None,
        expected_version=measure.version,
        data={"description": "Neu beschrieben"},
    )
    assert measure.description == "Neu beschrieben"
    entry = services.progress_entry_correct(
        entry=entry,
        user=None,
        expected_version=entry.version,
        reason="Tippfehler",
        text="Tippfehler behoben",
    )
    assert entry.text == "Tippfehler behoben"
    with pytest.raises(ValidationError, match="widersprechen sich"):
        services.progress_entry_create(
            measure=measure,
            author=None,
            date=TODAY,
            status=Status.ESTABLISHED,
            traffic_light="green",
            progress=80,
        )


@pytest.mark.parametrize(
    ("status", "progress"),
    [
        (Status.IMPLEMENTED, 100),
        (Status.ESTABLISHED, 100),
        (Status.NOT_STARTED, 0),
        (Status.IN_PROGRESS, 0),
        (Status.DEFERRED, 40),
    ],
)
def test_consistent_states_are_fine(status, progress):
    MeasureFactory(status=status, progress=progress).full_clean()


def test_evidence_shows_its_file_name_without_folders():
    from measures.models import Evidence

    assert Evidence(file="nachweise/lk-vechta/nachweis.pdf").filename == "nachweis.pdf"
    assert Evidence(url="https://example.org/a.pdf").filename == ""
