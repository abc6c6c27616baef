"""Writes of the evaluation cycle: committee meetings and their decisions (Beschlüsse).

Each runs full_clean() and save() in a transaction; changes claim the version the editor saw
(concept.locking) and are kept by the history (django-simple-history), with the user who made
them. Meetings are written by networks.services; here only the committee rule is added.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concept import locking
from measures.models import Decision, Measure
from networks import services as network_services
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
    user=None,
) -> Meeting:
    """A committee meeting (networks.services.meeting_create, for committees only)."""
    _check_committee(network)
    return network_services.meeting_create(
        network=network, date=date, topic=topic, presented=presented, minutes=minutes, user=user
    )


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    expected_version: int | None,
    network: Network,
    date: dt.date,
    topic: str,
    presented: str = "",
    minutes: str = "",
    user=None,
) -> Meeting:
    """Change a committee meeting (networks.services.meeting_update, for committees only)."""
    _check_committee(network)
    return network_services.meeting_update(
        meeting=meeting,
        expected_version=expected_version,
        network=network,
        date=date,
        topic=topic,
        presented=presented,
        minutes=minutes,
        user=user,
    )


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
    expected_version: int | None,
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
    locking.claim(decision, expected_version)
    decision._history_user = user
    # The measures first, without a history record of their own: the save then records the
    # whole change, measures included, as one entry.
    decision.skip_history_when_saving = True
    try:
        decision.measures.set(measures)
    finally:
        del decision.skip_history_when_saving
    decision.save(update_fields=["text", "kind", "follow_up_date", "follow_up_done", "version"])
    return decision
