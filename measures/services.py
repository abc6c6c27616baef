"""Writes on measures and their Sachstände. Each runs full_clean() and save() in a transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from measures.models import Measure, ProgressEntry, Status


@transaction.atomic
def progress_entry_create(
    *,
    measure: Measure,
    author,
    date: dt.date,
    status: str,
    traffic_light: str,
    progress: int,
    text: str = "",
    next_steps: str = "",
    deviation: str = "",
    period: str = "",
    participants: int | None = None,
    staff=None,
    cost=None,
    funding=None,
    decision=None,
    is_demo: bool = False,
) -> ProgressEntry:
    """Record a Sachstand. If it is the newest one, the measure takes over its state."""
    entry = ProgressEntry(
        measure=measure,
        author=author,
        date=date,
        period=period,
        status=status,
        traffic_light=traffic_light,
        progress=progress,
        text=text,
        next_steps=next_steps,
        deviation=deviation,
        participants=participants,
        staff=staff,
        cost=cost,
        funding=funding,
        decision=decision,
        is_demo=is_demo,
    )
    entry.full_clean()
    entry.save()

    newest = measure.entries.order_by("-date", "-created_at", "-pk").values_list("pk", flat=True)
    if newest.first() == entry.pk:
        measure.status = status
        measure.traffic_light = traffic_light
        measure.progress = progress
        if status == Status.DROPPED and not measure.status_reason.strip():
            measure.status_reason = deviation or text
        if status == Status.DROPPED and not measure.status_reason.strip():
            raise ValidationError({"deviation": _("Bitte begründen, warum die Maßnahme entfällt.")})
        measure.full_clean()
        Measure.objects.filter(pk=measure.pk).update(version=F("version") + 1)
        measure.version += 1
        measure.save(
            update_fields=["status", "traffic_light", "progress", "status_reason", "updated_at"]
        )
    return entry
