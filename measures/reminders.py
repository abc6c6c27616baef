"""Reminders by mail (docs/mail.md): Sachstände due within some days or overdue go to the
measures' responsible people, Wiedervorlagen of decisions to the Koordination, Kennzahlen
whose next value is due to whoever keeps them – one mail per person, listing everything.
Measures overdue by more than one cadence go to the Koordination in a weekly digest.

`manage.py send_reminders` runs this daily; every mail has a key, so a second run on the same
day (or two at once) sends nothing twice."""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import roles
from concept.mail import absolute_url, send
from concept.models import Concept, Membership, ReminderNotice, ReminderSetting
from goals.models import Indicator
from measures.models import Decision, Measure, add_months

Frequency = ReminderSetting.Frequency

DEFAULT_DAYS = 7
REMINDER = "reminder"
ESCALATION = "escalation"


@dataclass
class Item:
    """One thing a person is reminded of."""

    section: str  # "entries", "follow_ups" or "indicators"
    concept: Concept
    label: str
    title: str
    url: str
    due: dt.date | None
    overdue: bool
    topic: str
    new: bool = False


@dataclass
class Reminder:
    """The mail one person gets in this run (or would get, in a dry run)."""

    user: object
    items: list
    weekly: bool
    key: str
    sections: dict = field(default_factory=dict)

    @property
    def concept(self):
        concepts = {item.concept.pk: item.concept for item in self.items}
        return next(iter(concepts.values())) if len(concepts) == 1 else None


@dataclass
class Escalation:
    concept: Concept
    recipients: list
    measures: list
    key: str


def week_key(today):
    year, week, _weekday = today.isocalendar()
    return f"{year}-W{week:02d}"


def _stage(due, today):
    return "overdue" if due is not None and due < today else "due"


def _overdue_in_adopted(day):
    """The measures of adopted concepts whose Sachstand is due before `day`, with concept and
    Verantwortliche, in the concept's order."""
    return (
        Measure.objects.overdue(day)
        .filter(concept__status=Concept.Status.ADOPTED)
        .select_related("concept")
        .prefetch_related("responsible_users")
        .order_by("concept__pk", "position", "number")
    )


def measure_items(today, horizon):
    """(item, responsible user ids) for Sachstände due by `horizon` or overdue, in adopted
    concepts."""
    measures = _overdue_in_adopted(horizon + dt.timedelta(days=1))
    for measure in measures:
        due = measure.next_update_due(measure.last_entry_date)
        if due is None or due > horizon:
            continue
        item = Item(
            section="entries",
            concept=measure.concept,
            label=measure.label,
            title=measure.title,
            url=absolute_url(measure.get_absolute_url()),
            due=due,
            overdue=due < today,
            topic=f"m{measure.pk}:{due.isoformat()}:{_stage(due, today)}",
        )
        yield item, [user.pk for user in measure.responsible_users.all()]


def follow_up_items(today, horizon, coordination):
    """(item, user ids of the concept's Koordination) for open Wiedervorlagen."""
    decisions = (
        Decision.objects.filter(
            follow_up_done=False,
            follow_up_date__lte=horizon,
            meeting__network__concept__status=Concept.Status.ADOPTED,
        )
        .select_related("meeting__network__concept")
        .order_by("follow_up_date", "pk")
    )
    for decision in decisions:
        concept = decision.meeting.network.concept
        due = decision.follow_up_date
        item = Item(
            section="follow_ups",
            concept=concept,
            label=decision.meeting.network.name,
            title=" ".join(decision.text.split())[:160],
            url=absolute_url(
                reverse("measures:decision_edit", kwargs={"slug": concept.slug, "pk": decision.pk})
            ),
            due=due,
            overdue=due < today,
            topic=f"d{decision.pk}:{due.isoformat()}:{_stage(due, today)}",
        )
        yield item, coordination.get(concept.pk, [])


def indicator_items(today, horizon):
    """(item, [keeper id]) for Kennzahlen whose next value is due (a cadence and a keeper
    set); one without any value is due at once."""
    indicators = (
        Indicator.objects.filter(
            value_cadence__isnull=False,
            keeper__isnull=False,
            concept__status=Concept.Status.ADOPTED,
        )
        .annotate(last_date=Max("values__reference_date"))
        .select_related("concept")
        .order_by("concept__pk", "position", "name")
    )
    for indicator in indicators:
        last = indicator.last_date
        due = add_months(last, indicator.value_cadence) if last else None
        if due is not None and due > horizon:
            continue
        item = Item(
            section="indicators",
            concept=indicator.concept,
            label=indicator.unit,
            title=indicator.name,
            url=absolute_url(
                reverse(
                    "goals:indicator_detail",
                    kwargs={"slug": indicator.concept.slug, "pk": indicator.pk},
                )
            ),
            due=due,
            overdue=due is None or due < today,
            topic=f"i{indicator.pk}:{last.isoformat() if last else 'ohne'}:{_stage(due, today)}",
        )
        yield item, [indicator.keeper_id]


def _memberships():
    """{concept id: {user id: role}} of all memberships (one query)."""
    found = defaultdict(dict)
    for concept_id, user_id, role in Membership.objects.values_list(
        "concept_id", "user_id", "role"
    ):
        found[concept_id][user_id] = role
    return found


def _frequencies(user_ids):
    return dict(
        ReminderSetting.objects.filter(user_id__in=user_ids).values_list("user_id", "frequency")
    )


def _digest(topics):
    return hashlib.sha256("|".join(sorted(topics)).encode()).hexdigest()[:32]


def plan(today, days=DEFAULT_DAYS):
    """The reminder mails of this run: [Reminder], one per person with something due and
    something new to say (immediate), or anything due in a week without a digest yet
    (weekly). Reads only; `run` sends."""
    horizon = today + dt.timedelta(days=days)
    members = _memberships()
    coordination = {
        concept_id: [uid for uid, role in people.items() if role == roles.COORDINATION]
        for concept_id, people in members.items()
    }
    per_user = defaultdict(list)
    for source in (
        measure_items(today, horizon),
        follow_up_items(today, horizon, coordination),
        indicator_items(today, horizon),
    ):
        for item, user_ids in source:
            for user_id in user_ids:
                per_user[user_id].append(item)
    users = {
        user.pk: user for user in get_user_model().objects.filter(pk__in=per_user, is_active=True)
    }
    frequencies = _frequencies(users)
    notices = defaultdict(set)
    for user_id, topic in ReminderNotice.objects.filter(user_id__in=users).values_list(
        "user_id", "topic"
    ):
        notices[user_id].add(topic)
    reminders = []
    for user_id, user in sorted(users.items(), key=lambda pair: pair[1].get_username()):
        # Only about concepts the person still works in (a link they can open).
        items = [
            item
            for item in per_user[user_id]
            if user.is_superuser or user_id in members.get(item.concept.pk, {})
        ]
        frequency = frequencies.get(user_id, Frequency.IMMEDIATE)
        if frequency == Frequency.OFF:
            items = [item for item in items if item.concept.reminders_mandatory]
            frequency = Frequency.IMMEDIATE
        if not items:
            continue
        for item in items:
            item.new = item.topic not in notices[user_id]
        if frequency == Frequency.WEEKLY:
            key = f"woche:{week_key(today)}"
        else:
            new = [item.topic for item in items if item.new]
            if not new:
                continue
            key = f"neu:{_digest(new)}"
        reminder = Reminder(user=user, items=items, weekly=frequency == Frequency.WEEKLY, key=key)
        for item in items:
            reminder.sections.setdefault(item.section, []).append(item)
        reminders.append(reminder)
    return reminders


def plan_escalations(today):
    """Per adopted concept with measures overdue by more than one cadence: the weekly digest
    to its Koordination (people who switched reminders off get it only where they are
    mandatory)."""
    overdue = defaultdict(list)
    measures = _overdue_in_adopted(today)
    for measure in measures:
        due = measure.next_update_due(measure.last_entry_date)
        if due is not None and add_months(due, measure.update_cadence) < today:
            measure.due = due
            measure.url = absolute_url(measure.get_absolute_url())
            overdue[measure.concept].append(measure)
    if not overdue:
        return []
    people = defaultdict(list)
    for membership in Membership.objects.filter(
        concept__in=overdue.keys(), role=roles.COORDINATION, user__is_active=True
    ).select_related("user"):
        people[membership.concept_id].append(membership.user)
    frequencies = _frequencies({user.pk for users in people.values() for user in users})
    escalations = []
    for concept, concept_measures in overdue.items():
        recipients = [
            user
            for user in people[concept.pk]
            if concept.reminders_mandatory or frequencies.get(user.pk) != Frequency.OFF
        ]
        if recipients:
            escalations.append(
                Escalation(
                    concept=concept,
                    recipients=sorted(recipients, key=lambda user: user.get_username()),
                    measures=concept_measures,
                    key=f"{concept.pk}:{week_key(today)}",
                )
            )
    return escalations


def reminder_subject(reminder):
    count = len(reminder.items)
    if reminder.weekly:
        return ngettext(
            "Integrationsportal: Wochenübersicht – %(count)s Aufgabe fällig",
            "Integrationsportal: Wochenübersicht – %(count)s Aufgaben fällig",
            count,
        ) % {"count": count}
    return ngettext(
        "Integrationsportal: %(count)s Aufgabe fällig",
        "Integrationsportal: %(count)s Aufgaben fällig",
        count,
    ) % {"count": count}


def escalation_subject(escalation):
    count = len(escalation.measures)
    return ngettext(
        "Integrationsportal: %(count)s Maßnahme seit mehr als einem Turnus überfällig – "
        "%(concept)s",
        "Integrationsportal: %(count)s Maßnahmen seit mehr als einem Turnus überfällig – "
        "%(concept)s",
        count,
    ) % {"count": count, "concept": escalation.concept.title}


@dataclass
class Result:
    reminders: list
    escalations: list
    sent: int = 0


def run(today, days=DEFAULT_DAYS, *, dry_run=False):
    """Plan and (unless dry_run) queue this run's reminders and escalation digests. Returns
    what was planned and how many mails were written to the log."""
    if days < 0:
        raise ValueError(_("Die Zahl der Tage darf nicht negativ sein."))
    result = Result(reminders=plan(today, days), escalations=plan_escalations(today))
    if dry_run:
        return result
    for reminder in result.reminders:
        with transaction.atomic():
            rows = send(
                [reminder.user],
                reminder_subject(reminder),
                "measures/mail/reminder",
                {"reminder": reminder, "today": today, "days": days},
                kind=REMINDER,
                key=reminder.key,
                concept=reminder.concept,
            )
            ReminderNotice.objects.bulk_create(
                [ReminderNotice(user=reminder.user, topic=item.topic) for item in reminder.items],
                ignore_conflicts=True,
            )
        result.sent += len(rows)
    for escalation in result.escalations:
        with transaction.atomic():
            rows = send(
                escalation.recipients,
                escalation_subject(escalation),
                "measures/mail/escalation",
                {"escalation": escalation, "today": today},
                kind=ESCALATION,
                key=escalation.key,
                concept=escalation.concept,
            )
        result.sent += len(rows)
    return result


def describe(result):
    """Lines for the command's output: who gets what."""
    lines = []
    for reminder in result.reminders:
        counts = {section: len(items) for section, items in reminder.sections.items()}
        lines.append(
            _(
                "%(person)s <%(address)s>: %(entries)s Sachstände, %(follow_ups)s "
                "Wiedervorlagen, %(indicators)s Kennzahlen (%(new)s neu, %(how)s)"
            )
            % {
                "person": reminder.user.get_username(),
                "address": reminder.user.email or _("keine Adresse"),
                "entries": counts.get("entries", 0),
                "follow_ups": counts.get("follow_ups", 0),
                "indicators": counts.get("indicators", 0),
                "new": sum(item.new for item in reminder.items),
                "how": _("Wochenübersicht") if reminder.weekly else _("sofort"),
            }
        )
    for escalation in result.escalations:
        lines.append(
            _("%(concept)s: %(count)s lange überfällige Maßnahmen an %(people)s")
            % {
                "concept": escalation.concept.title,
                "count": len(escalation.measures),
                "people": ", ".join(user.get_username() for user in escalation.recipients),
            }
        )
    return lines
