"""Reminders (measures.reminders): who is reminded of what, once, in one mail per person;
Wiedervorlagen to the Koordination, Kennzahlen to their keepers; the weekly escalation."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from concept import roles
from concept.mail.services import reminder_setting_set
from concept.models import Concept, MailLog, ReminderNotice
from measures import reminders
from measures.models import UpdateCadence, add_months
from tests.factories import (
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MeetingFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db

BASE = "https://integration.landkreis.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.PORTAL_BASE_URL = BASE


def measure_with_entry(concept, code, *, months_ago, days=0, cadence, owners=()):
    """A measure whose last Sachstand was `months_ago` calendar months (minus `days`) ago."""
    today = timezone.localdate()
    measure = MeasureFactory(concept=concept, code=code, update_cadence=cadence)
    measure.responsible_users.set(owners)
    ProgressEntryFactory(
        measure=measure, date=add_months(today, -months_ago) + dt.timedelta(days=days)
    )
    return measure


@pytest.fixture
def world():
    """An adopted concept: Anna is responsible for S1 (due in 3 days), S2 (overdue for a
    month) and S4 (not due); S3 (Ben's, monthly) is overdue by more than its cadence. Kai is
    Koordination, with a Wiedervorlage in 2 days; Kim keeps a Kennzahl due since a month."""
    concept = ConceptFactory(slug="lk", title="Konzept LK", status=Concept.Status.ADOPTED)
    anna = add_member(
        concept,
        UserFactory(username="anna", first_name="Anna", email="anna@lk.example"),
        roles.MEASURE_OWNERS,
    )
    ben = add_member(concept, UserFactory(username="ben", email="ben@lk.example"))
    kai = add_member(
        concept, UserFactory(username="kai", email="kai@lk.example"), roles.COORDINATION
    )
    kim = add_member(concept, UserFactory(username="kim", email="kim@lk.example"))
    quarterly, monthly = UpdateCadence.QUARTERLY, UpdateCadence.MONTHLY
    measures = {
        "S1": measure_with_entry(
            concept, "S1", months_ago=3, days=3, cadence=quarterly, owners=[anna]
        ),
        "S2": measure_with_entry(concept, "S2", months_ago=4, cadence=quarterly, owners=[anna]),
        "S3": measure_with_entry(concept, "S3", months_ago=3, cadence=monthly, owners=[ben]),
        "S4": measure_with_entry(concept, "S4", months_ago=0, cadence=quarterly, owners=[anna]),
    }
    today = timezone.localdate()
    meeting = MeetingFactory(network=CommitteeFactory(concept=concept), date=today)
    decision = DecisionFactory(
        meeting=meeting,
        text="Bericht zur Sprachförderung vorlegen",
        follow_up_date=today + dt.timedelta(days=2),
    )
    indicator = IndicatorFactory(
        concept=concept, name="Teilnehmende Sprachkurse", keeper=kim, value_cadence=12
    )
    IndicatorValueFactory(indicator=indicator, reference_date=add_months(today, -13))
    return {
        "concept": concept,
        "anna": anna,
        "ben": ben,
        "kai": kai,
        "kim": kim,
        "decision": decision,
        "indicator": indicator,
        **measures,
    }


def run(today=None, days=7):
    return reminders.run(today or timezone.localdate(), days)


def mails_to(user, kind=reminders.REMINDER):
    return list(MailLog.objects.filter(recipient=user, kind=kind).order_by("pk"))


def test_one_mail_per_person_lists_all_their_due_and_overdue_measures(world):
    run()
    [anna_mail] = mails_to(world["anna"])
    text = anna_mail.body_text
    assert anna_mail.subject == "Integrationsportal: 2 Aufgaben fällig"
    assert text.startswith("Guten Tag Anna,")
    s1, s2 = world["S1"], world["S2"]
    assert f"{s1.label} {s1.title} (Konzept LK)" in text
    assert f"{BASE}{s1.get_absolute_url()}" in text
    assert f"{BASE}{s2.get_absolute_url()}" in text
    assert "überfällig, fällig war bis" in text and "\n  fällig bis" in text
    assert world["S4"].get_absolute_url() not in text
    assert f'href="{BASE}{s1.get_absolute_url()}"' in anna_mail.body_html
    assert f"{BASE}/konto/erinnerungen/" in text
    assert anna_mail.concept == world["concept"]


def test_follow_up_goes_to_the_coordination(world):
    run()
    [kai_mail] = mails_to(world["kai"])
    assert "Wiedervorlagen von Beschlüssen" in kai_mail.body_text
    assert "Bericht zur Sprachförderung vorlegen" in kai_mail.body_text
    assert f"/konzepte/lk/gremien/beschluesse/{world['decision'].pk}/bearbeiten/" in (
        kai_mail.body_text
    )
    # Not to the others.
    for person in ("anna", "ben", "kim"):
        assert "Sprachförderung vorlegen" not in "".join(
            row.body_text for row in mails_to(world[person])
        )


def test_done_follow_up_is_not_reminded(world):
    concept = world["concept"]
    meeting = MeetingFactory(network=CommitteeFactory(concept=concept))
    DecisionFactory(
        meeting=meeting,
        text="Erledigt",
        follow_up_date=timezone.localdate(),
        follow_up_done=True,
    )
    run()
    assert "Erledigt" not in mails_to(world["kai"])[0].body_text


def test_indicator_due_goes_to_its_keeper(world):
    run()
    [kim_mail] = mails_to(world["kim"])
    assert "Kennzahlen, deren nächster Wert fällig ist" in kim_mail.body_text
    assert "Teilnehmende Sprachkurse (Konzept LK)" in kim_mail.body_text
    assert f"/konzepte/lk/kennzahlen/{world['indicator'].pk}/" in kim_mail.body_text


def test_indicator_without_cadence_or_keeper_reminds_nobody(world):
    IndicatorFactory(concept=world["concept"], name="Ohne Turnus", keeper=world["kim"])
    IndicatorFactory(concept=world["concept"], name="Ohne Pflege", value_cadence=1)
    run()
    texts = "".join(row.body_text for row in MailLog.objects.all())
    assert "Ohne Turnus" not in texts and "Ohne Pflege" not in texts


def test_running_twice_a_day_sends_nothing_twice(world):
    first = run()
    count = MailLog.objects.count()
    assert first.sent == count == 5  # anna, ben, kai, kim; kai's escalation digest
    second = run()
    assert second.sent == 0
    assert MailLog.objects.count() == count


def test_something_newly_due_brings_a_new_mail_with_everything(world):
    run()
    measure_with_entry(
        world["concept"],
        "S5",
        months_ago=3,
        days=1,
        cadence=UpdateCadence.QUARTERLY,
        owners=[world["anna"]],
    )
    run()
    first, second = mails_to(world["anna"])
    assert "S5" not in first.body_text
    assert "S5" in second.body_text and world["S1"].label in second.body_text


def test_overdue_after_due_is_reminded_again(world):
    today = timezone.localdate()
    run(today)
    # S1 is due in three days; four days later it is overdue.
    run(today + dt.timedelta(days=4))
    _first, second = mails_to(world["anna"])
    s1_url = world["S1"].get_absolute_url()
    assert s1_url in second.body_text
    line = second.body_text.split(s1_url)[0].rsplit("- ", 1)[-1]
    assert "überfällig, fällig war bis" in line


def test_days_widen_what_counts_as_due(world):
    run(days=1)
    assert world["S1"].get_absolute_url() not in mails_to(world["anna"])[0].body_text


def test_weekly_digest_once_a_week(world):
    reminder_setting_set(user=world["anna"], frequency="weekly")
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    for offset in range(7):
        # Dates in the past still list the same items (as overdue or due).
        run(monday + dt.timedelta(days=offset))
    [digest] = mails_to(world["anna"])
    assert digest.subject.startswith("Integrationsportal: Wochenübersicht")
    assert digest.key.startswith("woche:")
    run(monday + dt.timedelta(days=7))
    assert len(mails_to(world["anna"])) == 2


def test_off_means_no_reminders(world):
    reminder_setting_set(user=world["anna"], frequency="off")
    run()
    assert mails_to(world["anna"]) == []


def test_mandatory_reminders_come_although_switched_off(world):
    reminder_setting_set(user=world["anna"], frequency="off")
    world["concept"].reminders_mandatory = True
    world["concept"].save()
    run()
    assert len(mails_to(world["anna"])) == 1


def test_people_no_longer_in_the_concept_and_inactive_people_get_nothing(world):
    world["anna"].memberships.all().delete()
    world["ben"].is_active = False
    world["ben"].save()
    run()
    assert mails_to(world["anna"]) == [] and mails_to(world["ben"]) == []


def test_draft_and_archived_concepts_remind_nobody(world):
    world["concept"].status = Concept.Status.ARCHIVED
    world["concept"].save()
    assert run().sent == 0


def test_escalation_weekly_to_the_coordination_lists_measures_overdue_by_a_cadence(world):
    today = timezone.localdate()
    run(today)
    [digest] = mails_to(world["kai"], reminders.ESCALATION)
    s3 = world["S3"]
    assert digest.subject == (
        "Integrationsportal: 1 Maßnahme seit mehr als einem Turnus überfällig – Konzept LK"
    )
    assert f"{BASE}{s3.get_absolute_url()}" in digest.body_text
    assert "Verantwortlich: ben" in digest.body_text
    # S2 is overdue, but by less than its cadence.
    assert world["S2"].get_absolute_url() not in digest.body_text
    assert mails_to(world["anna"], reminders.ESCALATION) == []
    run(today + dt.timedelta(days=1))
    next_week = today + dt.timedelta(days=7)
    run(next_week)
    keys = {row.key for row in mails_to(world["kai"], reminders.ESCALATION)}
    assert keys == {
        f"{world['concept'].pk}:{reminders.week_key(today)}",
        f"{world['concept'].pk}:{reminders.week_key(next_week)}",
    }


def test_escalation_respects_off_unless_mandatory(world):
    reminder_setting_set(user=world["kai"], frequency="off")
    run()
    assert mails_to(world["kai"], reminders.ESCALATION) == []


def test_dry_run_writes_nothing(world):
    result = reminders.run(timezone.localdate(), 7, dry_run=True)
    assert {r.user.username for r in result.reminders} == {"anna", "ben", "kai", "kim"}
    assert not MailLog.objects.exists() and not ReminderNotice.objects.exists()


def test_mails_reach_the_outbox_through_the_worker(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@lk.example",
        "ben@lk.example",
        "kai@lk.example",
        "kai@lk.example",
        "kim@lk.example",
    ]


def test_planning_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    owners = [world["anna"], world["ben"]]
    for n in range(20):
        measure_with_entry(
            world["concept"], f"X{n}", months_ago=4, cadence=UpdateCadence.QUARTERLY, owners=owners
        )
    with django_assert_max_num_queries(12):
        reminders.plan(timezone.localdate())
        reminders.plan_escalations(timezone.localdate())
