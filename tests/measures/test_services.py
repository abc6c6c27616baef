import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concept import roles
from measures.models import Decision, ProgressEntry, Status, TrafficLight
from measures.services import (
    decision_create,
    measure_set_state,
    measure_update,
    progress_entry_create,
)
from networks.models import Network
from networks.services import meeting_create, network_create
from tests.factories import (
    CommitteeFactory,
    DecisionFactory,
    GoalFactory,
    MeasureFactory,
    MeetingFactory,
    OrganisationFactory,
    SubGoalFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


def entry(measure, day, **fields):
    values = {
        "status": Status.IN_PROGRESS,
        "traffic_light": TrafficLight.GREEN,
        "progress": 40,
    } | fields
    return progress_entry_create(
        measure=measure, author=UserFactory(), date=dt.date.fromisoformat(day), **values
    )


def test_newest_entry_sets_the_measure_state_and_bumps_version():
    measure = MeasureFactory()
    entry(
        measure,
        "2025-03-01",
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.YELLOW,
        deviation="Kursraum fehlt.",
    )
    measure.refresh_from_db()
    assert (measure.status, measure.traffic_light, measure.progress) == (
        Status.IN_PROGRESS,
        TrafficLight.YELLOW,
        40,
    )
    assert measure.version == 2
    assert measure.history.count() == 2  # created + changed


def test_older_entry_is_recorded_without_changing_the_measure():
    measure = MeasureFactory()
    entry(measure, "2025-03-01", progress=60)
    entry(measure, "2024-03-01", progress=10, status=Status.PREPARING)
    measure.refresh_from_db()
    assert measure.progress == 60 and measure.status == Status.IN_PROGRESS
    assert measure.entries.count() == 2


def test_entry_before_the_newest_known_date_is_history_without_reading_anything():
    """An import knows each measure's newest Sachstand: an older one costs no query to decide,
    nor one per reference (measure, author) to validate."""
    measure = MeasureFactory()
    entry(measure, "2025-03-01", progress=60)
    author = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        progress_entry_create(
            measure=measure,
            author=author,
            date=dt.date(2024, 3, 1),
            status=Status.PREPARING,
            traffic_light=TrafficLight.GREEN,
            progress=10,
            newest_known=dt.date(2025, 3, 1),
        )
    assert [q["sql"] for q in queries if q["sql"].startswith("SELECT")] == []
    measure.refresh_from_db()
    assert measure.progress == 60 and measure.entries.count() == 2


def test_newest_known_date_behind_the_database_still_keeps_an_older_entry_as_history():
    measure = MeasureFactory()
    entry(measure, "2025-03-01", progress=60)
    entry(measure, "2025-02-01", progress=10, newest_known=dt.date(2025, 1, 1))
    measure.refresh_from_db()
    assert measure.progress == 60


def test_invalid_entry_writes_nothing():
    measure = MeasureFactory()
    with pytest.raises(ValidationError) as error:
        entry(measure, "2025-03-01", progress=150)
    assert "progress" in error.value.message_dict
    assert ProgressEntry.objects.count() == 0
    measure.refresh_from_db()
    assert measure.progress == 0 and measure.version == 1


def test_dropping_a_measure_requires_a_reason():
    measure = MeasureFactory()
    with pytest.raises(ValidationError) as error:
        # The Sachstand's text is no reason: the reason goes into "Abweichung / Begründung".
        entry(measure, "2025-03-01", status=Status.DROPPED, progress=0, text="Eingestellt.")
    assert error.value.message_dict == {
        "deviation": ["Bitte begründen, warum die Maßnahme entfällt."]
    }
    assert ProgressEntry.objects.count() == 0
    entry(measure, "2025-03-01", status=Status.DROPPED, progress=0, deviation="Träger fehlt")
    measure.refresh_from_db()
    assert measure.status == Status.DROPPED and measure.status_reason == "Träger fehlt"


def test_a_sachstand_writes_the_history_record_of_its_change():
    """One record per change, written by the service: who and why, the assignments as they
    stand and the Sachstand that made it, with its date."""
    measure = MeasureFactory()
    sub_goal = SubGoalFactory(goal=measure.goal)
    author = UserFactory(first_name="Kim", last_name="Koordination")
    measure.sub_goals.add(sub_goal)
    measure.responsible_users.add(author)
    committee = CommitteeFactory(concept=measure.concept, name="Steuerungsgruppe")
    meeting = MeetingFactory(network=committee, date=dt.date(2025, 3, 1), topic="Bilanz")
    decision = DecisionFactory(meeting=meeting, text="Kurs verlängern")
    recorded = measure.history.count()
    made = progress_entry_create(
        measure=measure,
        author=author,
        date=dt.date(2025, 3, 2),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=40,
        decision=decision,
    )
    assert measure.history.count() == recorded + 1
    record = measure.history.latest()
    assert (record.history_type, record.history_user) == ("~", author)
    assert record.history_change_reason == "Beschluss: Kurs verlängern"
    assert (record.entry_id, record.entry_date) == (made.pk, dt.date(2025, 3, 2))
    assert (record.status, record.progress, record.version) == (Status.IN_PROGRESS, 40, 2)
    assert record.assignments == {
        "sub_goals": [[sub_goal.pk, sub_goal.label]],
        "organisations": [],
        "networks": [],
        "responsible_users": [[author.pk, "Kim Koordination"]],
    }
    # A save outside the services records the assignments too, and no Sachstand.
    measure.title = "Neu"
    measure.save()
    record = measure.history.latest()
    assert (record.entry_id, record.entry_date, record.title) == (None, None, "Neu")
    assert record.assignments["sub_goals"] == [[sub_goal.pk, sub_goal.label]]


def test_measure_update_keeps_the_reason_in_the_history():
    measure = MeasureFactory(title="Alt")
    user = add_member(measure.concept, UserFactory(), roles.COORDINATION)
    measure_update(
        measure=measure,
        user=user,
        expected_version=measure.version,
        data={"title": "Neu"},
        reason="Datenimport „massnahmen.csv“",
    )
    record = measure.history.latest()
    assert (record.title, record.history_user) == ("Neu", user)
    assert record.history_change_reason == "Datenimport „massnahmen.csv“"
    measure_update(measure=measure, user=user, expected_version=measure.version, data={})
    assert measure.history.latest().history_change_reason is None  # no reason, none recorded


def test_a_long_reason_is_cut_to_what_the_history_column_takes():
    from measures.models import Measure

    limit = Measure.history.model._meta.get_field("history_change_reason").max_length
    measure = MeasureFactory()
    measure_update(
        measure=measure,
        user=None,
        expected_version=measure.version,
        data={"title": "Neu"},
        reason="Beschluss " + "x" * (2 * limit),
    )
    reason = measure.history.order_by("-history_date", "-history_id").first().history_change_reason
    assert len(reason) == limit and reason.startswith("Beschluss xxx")


def test_a_contradictory_sachstand_is_refused_and_nothing_written():
    measure = MeasureFactory(status=Status.IN_PROGRESS, progress=50)
    with pytest.raises(ValidationError) as error:
        progress_entry_create(
            measure=measure,
            author=None,
            date=dt.date(2025, 1, 1),
            status=Status.IMPLEMENTED,
            traffic_light=TrafficLight.GREEN,
            progress=65,
        )
    assert "Fortschritt 65 %" in error.value.message_dict["progress"][0]
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 50)
    assert not ProgressEntry.objects.exists()


def test_measure_update_keeps_teilziele_within_the_goal_and_lead_apart_from_partners():
    measure = MeasureFactory()
    own = SubGoalFactory(goal=measure.goal, number=1)
    other = SubGoalFactory(goal=GoalFactory(concept=measure.concept), number=2)
    both = OrganisationFactory(concept=measure.concept, name="VHS")
    user = add_member(measure.concept, UserFactory(), roles.COORDINATION)
    with pytest.raises(ValidationError) as error:
        measure_update(
            measure=measure,
            user=user,
            expected_version=measure.version,
            data={},
            sub_goals=[own, other],
            lead_organisations=[both],
            partner_organisations=[both],
        )
    assert error.value.message_dict == {
        "sub_goals": [f"Teilziel {other.label} gehört nicht zum gewählten strategischen Ziel."],
        "partner_organisations": ["Nicht zugleich Federführung und Partner: VHS"],
    }
    assert not measure.sub_goals.exists() and not measure.involvements.exists()
    # Moved to the other goal, the measure may serve its Teilziel.
    measure_update(
        measure=measure,
        user=user,
        expected_version=measure.version,
        data={"goal": other.goal},
        sub_goals=[other],
    )
    assert list(measure.sub_goals.all()) == [other]


# --- decisions ------------------------------------------------------------------------------


def _meeting(concept, kind=Network.Kind.COMMITTEE):
    network = network_create(concept=concept, name="Steuerungsgruppe", kind=kind)
    return meeting_create(network=network, date=dt.date(2026, 3, 4), topic="Bilanz")


def test_decision_records_its_measures_and_author():
    measure = MeasureFactory()
    user = UserFactory()
    decision = decision_create(
        meeting=_meeting(measure.concept), user=user, text="Ausweiten", measures=[measure]
    )
    assert list(decision.measures.all()) == [measure]
    assert decision.created_by == user
    assert [h.history_user for h in decision.history.all()] == [user, user]  # the measures too


def test_only_committees_take_decisions():
    measure = MeasureFactory()
    meeting = _meeting(measure.concept, kind=Network.Kind.WORKING_GROUP)
    with pytest.raises(ValidationError, match="nur in Sitzungen eines Gremiums"):
        decision_create(meeting=meeting, user=None, text="Ausweiten", measures=[measure])
    assert not Decision.objects.exists()


def test_decision_affects_only_measures_of_its_concept():
    foreign = MeasureFactory()
    meeting = _meeting(MeasureFactory().concept)
    with pytest.raises(ValidationError) as error:
        decision_create(meeting=meeting, user=None, text="Fremd", measures=[foreign])
    assert error.value.message_dict == {
        "measures": ["Es können nur Maßnahmen dieses Konzepts betroffen sein."]
    }
    assert not Decision.objects.exists()


# --- Abweichung: a reason where the Ampel turns gelb or rot -----------------------------------


def test_an_ampel_turned_red_without_abweichung_is_refused_and_nothing_written():
    measure = MeasureFactory()
    with pytest.raises(ValidationError) as refused:
        entry(measure, "2025-03-01", traffic_light=TrafficLight.RED)
    assert refused.value.message_dict == {
        "deviation": [
            "Die Ampel wechselt auf „rot“: Bitte beschreiben Sie kurz die Abweichung (Pflicht, "
            "wenn die Ampel auf gelb oder rot wechselt)."
        ]
    }
    measure.refresh_from_db()
    assert measure.traffic_light == TrafficLight.GREY
    assert not measure.entries.exists()


def test_a_blank_abweichung_is_no_reason():
    with pytest.raises(ValidationError):
        entry(MeasureFactory(), "2025-03-01", traffic_light=TrafficLight.YELLOW, deviation="  ")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (TrafficLight.GREEN, TrafficLight.YELLOW),
        (TrafficLight.YELLOW, TrafficLight.RED),
        (TrafficLight.RED, TrafficLight.YELLOW),
        (TrafficLight.GREY, TrafficLight.RED),
    ],
)
def test_every_change_to_yellow_or_red_needs_an_abweichung(before, after):
    measure = MeasureFactory()
    entry(measure, "2025-01-01", traffic_light=before, deviation="Vorher.")
    with pytest.raises(ValidationError) as refused:
        entry(measure, "2025-03-01", traffic_light=after)
    assert list(refused.value.message_dict) == ["deviation"]
    entry(measure, "2025-03-01", traffic_light=after, deviation="Neu begründet.")
    measure.refresh_from_db()
    assert measure.traffic_light == after


def test_an_ampel_that_stays_yellow_or_red_needs_no_new_abweichung():
    measure = MeasureFactory()
    entry(measure, "2025-01-01", traffic_light=TrafficLight.RED, deviation="Träger fehlt.")
    entry(measure, "2025-03-01", traffic_light=TrafficLight.RED, text="Weiter gesucht.")
    measure.refresh_from_db()
    assert measure.traffic_light == TrafficLight.RED


def test_green_and_grey_need_no_abweichung():
    measure = MeasureFactory()
    entry(measure, "2025-01-01", traffic_light=TrafficLight.RED, deviation="Träger fehlt.")
    entry(measure, "2025-02-01", traffic_light=TrafficLight.GREEN)
    entry(measure, "2025-03-01", traffic_light=TrafficLight.GREY)
    measure.refresh_from_db()
    assert measure.traffic_light == TrafficLight.GREY


def test_a_back_dated_sachstand_changes_no_ampel_and_needs_no_abweichung():
    measure = MeasureFactory()
    entry(measure, "2025-03-01", traffic_light=TrafficLight.GREEN)
    older = entry(measure, "2025-01-01", traffic_light=TrafficLight.RED)
    measure.refresh_from_db()
    assert (measure.traffic_light, older.traffic_light) == (TrafficLight.GREEN, TrafficLight.RED)


def test_the_state_change_names_the_reason_field():
    measure = MeasureFactory()
    with pytest.raises(ValidationError) as refused:
        measure_set_state(
            measure=measure,
            user=UserFactory(),
            expected_version=measure.version,
            status=Status.IN_PROGRESS,
            traffic_light=TrafficLight.YELLOW,
            progress=10,
        )
    assert list(refused.value.message_dict) == ["reason"]
