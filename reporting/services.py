"""Writes of the evaluation cycle: committee meetings and their decisions (Beschlüsse).

Each runs full_clean() and save() in a transaction; a decision's changes are kept by its
history (django-simple-history), with the user who made them.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from measures.models import Decision, Measure
from networks.models import Meeting, Network


def _check_committee(network: Network) -> None:
    if network.kind != Network.Kind.COMMITTEE:
        raise ValidationError({"network": _("Sitzungen mit Beschlüssen gibt es nur für Gremien.")})


def _check_measures(measures, concept_id) -> list[Measure]:
    measures = list(measures)
    if any(m.concept_id != concept_id for m in measures):
        raise ValidationError(
            {"measures": _("Es können nur Maßnahmen dieses Konzepts betroffen sein.")}
        )
    return measures


@transaction.atomic
def meeting_create(
    *,
    network: Network,
    date: dt.date,
    topic: str,
    presented: str = "",
    minutes: str = "",
) -> Meeting:
    _check_committee(network)
    meeting = Meeting(network=network, date=date, topic=topic, presented=presented, minutes=minutes)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    network: Network,
    date: dt.date,
    topic: str,
    presented: str = "",
    minutes: str = "",
) -> Meeting:
    _check_committee(network)
    if network.concept_id != meeting.network.concept_id:
        raise ValidationError({"network": _("Das Gremium gehört zu einem anderen Konzept.")})
    meeting.network = network
    meeting.date = date
    meeting.topic = topic
    meeting.presented = presented
    meeting.minutes = minutes
    meeting.full_clean()
    meeting.save(update_fields=["network", "date", "topic", "presented", "minutes"])
    return meeting


@transaction.atomic
def decision_create(
    *,
    meeting: Meeting,
    user,
    text: str,
    kind: str = Decision.Kind.ADJUST,
    measures=(),
    follow_up_date: dt.date | None = None,
) -> Decision:
    _check_committee(meeting.network)
    measures = _check_measures(measures, meeting.network.concept_id)
    decision = Decision(
        meeting=meeting,
        text=text,
        kind=kind,
        follow_up_date=follow_up_date,
        created_by=user,
    )
    decision.full_clean()
    decision._history_user = user
    decision.save()
    decision.measures.set(measures)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    user,
    text: str,
    kind: str,
    measures,
    follow_up_date: dt.date | None,
    follow_up_done: bool = False,
) -> Decision:
    measures = _check_measures(measures, decision.meeting.network.concept_id)
    decision.text = text
    decision.kind = kind
    decision.follow_up_date = follow_up_date
    decision.follow_up_done = follow_up_done
    decision.full_clean()
    decision._history_user = user
    decision.save(update_fields=["text", "kind", "follow_up_date", "follow_up_done"])
    decision.measures.set(measures)
    return decision
