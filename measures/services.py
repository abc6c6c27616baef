"""Writes on measures and their Sachstände. Each runs full_clean() and save() in a transaction.

Every write that changes a measure claims its version first (concept.locking.claim), so of
two people editing the same measure the second is refused with what changed meanwhile
(StaleVersion) — nothing is ever overwritten silently.
"""

import datetime as dt
import mimetypes
import re
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concept import dataversion, formatting, locking, roles
from concept.mail import absolute_url, send
from concept.text import looks_binary
from measures.models import (
    NEVER_OVERDUE,
    Campaign,
    Decision,
    Evidence,
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    Status,
    assignment_changes,
    assignments_snapshot,
    campaign_answered,
    deviation_errors,
    dropped_errors,
    state_errors,
)
from networks.models import Meeting, Network

__all__ = ["assignment_changes"]

# Fields whose changes the history reports, in display order.
TRACKED_FIELDS = Measure.conflict_fields
# What a Sachstand (or a change of state) writes on the measure.
STATE_FIELDS = ["status", "traffic_light", "progress", "status_reason"]
CHANGE_REASON_MAX_LENGTH = Measure.history.model._meta.get_field("history_change_reason").max_length


def field_changes(older, newer, reader=None):
    """The tracked fields and assignments that differ between two history records.
    reader: a HistoryReader of TRACKED_FIELDS over records that include both (by default
    one over just these two)."""
    return locking.describe_changes(Measure, older, newer, reader)


@contextmanager
def errors_renamed(**names):
    """Re-raise a ValidationError with its fields renamed (model field → the argument of the
    service that fills it), so a form shows the message at the field the user typed in."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from None


def _save_measure(measure, user, fields, reason="", entry=None):
    """Save the written fields and record the change in the measure's history."""
    # Field validators and clean() give the German messages for every check constraint;
    # the database still enforces them, so don't pay a query per constraint on each save.
    # Only the written fields are validated: the others are as stored.
    unwritten = [f.name for f in Measure._meta.fields if f.name not in fields]
    measure.full_clean(exclude=unwritten, validate_constraints=False)
    measure.save_without_historical_record(update_fields=[*fields, "version", "updated_at"])
    record_measure_change(measure, user=user, reason=reason, entry=entry)


def record_measure_change(measure, *, user, reason="", entry=None):
    """Write the history record of a change just saved on the measure: its fields, who and
    why (reason, the Anlass), the assignments as they stand now and, for a change made with
    a Sachstand, that Sachstand, whose date is the change's date in "Änderungen seit"
    (MeasureHistoryBase)."""
    history = Measure.history.model
    record = history(
        history_date=timezone.now(),
        history_type="~",
        history_user=user,
        history_change_reason=reason[:CHANGE_REASON_MAX_LENGTH] or None,
        assignments=assignments_snapshot(measure),
        entry_date=entry.date if entry is not None else None,
        entry_id=entry.pk if entry is not None else None,
        **{field.attname: getattr(measure, field.attname) for field in history.tracked_fields},
    )
    record.save()
    return record


def entry_date_errors(measure: Measure, date: dt.date, today: dt.date) -> dict:
    """{"date": message} when a Sachstand's date is implausible: in the future, before the
    measure's start or before the concept was adopted. Every way a Sachstand is recorded or
    corrected (portal, grid, import) meets this one rule."""
    if date > today:
        # A Sachstand from the future would stay the newest and freeze the measure's state.
        return {"date": _("Das Datum liegt in der Zukunft.")}
    if measure.start_date is not None and date < measure.start_date:
        return {
            "date": _(
                "Das Datum (%(date)s) liegt vor dem Beginn der Maßnahme (%(start)s). Ein "
                "Sachstand beschreibt die Maßnahme ab ihrem Beginn."
            )
            % {"date": formatting.date(date), "start": formatting.date(measure.start_date)}
        }
    adopted = measure.concept.adopted_on
    if adopted is not None and date < adopted:
        return {
            "date": _(
                "Das Datum (%(date)s) liegt vor dem Beschluss des Konzepts (%(adopted)s). Ein "
                "Sachstand beschreibt die Umsetzung des beschlossenen Konzepts."
            )
            % {"date": formatting.date(date), "adopted": formatting.date(adopted)}
        }
    return {}


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
    expected_version: int | None = None,
    newest_known: dt.date | None = None,
) -> ProgressEntry:
    """Record a Sachstand. If it is the newest one, the measure takes over its state.

    newest_known: the date of a Sachstand of this measure that the caller has read already
    (an import reads them once for all its rows); one dated before it is history only
    without asking the database again."""
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
    # As in _save_measure; the measure and the author are the objects given, nothing to
    # look up.
    entry.full_clean(exclude=["measure", "author"], validate_constraints=False)
    today = timezone.localdate()
    errors = progress_entry_errors(
        measure=measure,
        date=date,
        status=status,
        traffic_light=traffic_light,
        progress=progress,
        deviation=deviation,
        today=today,
        newest_known=newest_known,
    )
    if errors:
        raise ValidationError(errors)
    if _is_history(measure, date, today, newest_known):
        entry._history_user = author
        entry.save()
        return entry

    locking.claim(measure, expected_version, fields=STATE_FIELDS)
    entry._history_user = author
    entry.save()
    measure.status = status
    measure.traffic_light = traffic_light
    measure.progress = progress
    if status == Status.DROPPED and not measure.status_reason.strip():
        # Why a measure is dropped is the Sachstand's "Abweichung / Begründung"; without one
        # the measure refuses it (Measure.clean), named here at that field.
        measure.status_reason = deviation.strip()
    reason = _("Beschluss: %(text)s") % {"text": decision.text} if decision else ""
    with errors_renamed(status_reason="deviation"):
        _save_measure(measure, author, STATE_FIELDS, reason, entry=entry)
    return entry


def _is_history(measure, date, today, newest_known=None):
    """Only the newest Sachstand sets the measure's state; an older one is history only.
    None lies in the future (progress_entry_errors), so one of today is the newest."""
    return date < today and (
        (newest_known is not None and date < newest_known)
        or measure.entries.filter(date__gt=date).exists()
    )


def progress_entry_errors(
    *,
    measure: Measure,
    date: dt.date | None,
    status: str | None,
    progress: int | None,
    traffic_light: str | None = None,
    deviation: str | None = "",
    today: dt.date | None = None,
    newest_known: dt.date | None = None,
) -> dict:
    """{field: [messages]}: what progress_entry_create refuses about these values beyond
    each field's own checks: an implausible date (entry_date_errors), Umsetzungsstand and
    Fortschritt that contradict each other (state_errors), a measure dropped without a reason (its
    "Abweichung / Begründung", dropped_errors), an Ampel turned to gelb or rot without one
    (deviation_errors). A value given as None is unknown (a form field that failed its own
    check); the rules that need it wait."""
    errors = {}
    today = today or timezone.localdate()
    if date is not None:
        for name, message in entry_date_errors(measure, date, today).items():
            errors[name] = [message]
    for name, message in state_errors(status, progress).items():
        errors.setdefault(name, []).append(message)
    if "date" in errors:
        return errors
    reason = measure.status_reason if measure.status_reason.strip() else deviation
    needed = list(dropped_errors(status, reason).values())
    # Compared with the Ampel the measure has now: the one this Sachstand would change.
    needed += deviation_errors(traffic_light, measure.traffic_light, deviation).values()
    # Only the newest Sachstand sets the measure's state, and so needs the reason; without
    # a date yet it is taken for the newest, as most are.
    if needed and (date is None or not _is_history(measure, date, today, newest_known)):
        errors["deviation"] = needed[:1]
    return errors


ENTRY_TEXT_FIELDS = (
    "period",
    "text",
    "next_steps",
    "deviation",
    "participants",
    "staff",
    "cost",
    "funding",
)
# What a correction may change besides the texts and figures: the date and the state.
ENTRY_STATE_FIELDS = ("date", "status", "traffic_light", "progress")
ENTRY_CORRECTABLE_FIELDS = ENTRY_TEXT_FIELDS + ENTRY_STATE_FIELDS


# A correction's or withdrawal's reason is kept in the Sachstand's history, whose column
# takes this many characters.
ENTRY_REASON_MAX_LENGTH = ProgressEntry.history.model._meta.get_field(
    "history_change_reason"
).max_length


def _required_reason(reason: str, message) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": message})
    if len(reason) > ENTRY_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Der Grund ist zu lang: höchstens %(max)s Zeichen (jetzt %(n)s).")
                % {"max": ENTRY_REASON_MAX_LENGTH, "n": len(reason)}
            }
        )
    return reason


def _state_before_entries(measure):
    """(status, traffic_light, progress) of the measure before its first Sachstand changed
    it, from its history; None if not recorded."""
    records = measure.history.order_by("history_date", "history_id")
    first = records.filter(entry_id__isnull=False).values_list("history_date", "history_id")
    first = first.first()
    if first is None:
        return None
    earlier = Q(history_date__lt=first[0]) | Q(history_date=first[0], history_id__lt=first[1])
    return (
        records.filter(earlier).reverse().values_list("status", "traffic_light", "progress").first()
    )


def measure_follow_entries(*, measure: Measure, user, reason: str) -> bool:
    """After a Sachstand was corrected or withdrawn: the measure's state (Umsetzungsstand,
    Ampel, Fortschritt) follows its newest remaining Sachstand; without one, the state it had
    before its first Sachstand (if recorded). The change is recorded with the reason.
    Returns whether the state changed."""
    newest = measure.entries.order_by("-date", "-created_at", "-pk").first()
    if newest is not None:
        state = (newest.status, newest.traffic_light, newest.progress)
    else:
        state = _state_before_entries(measure)
    if state is None or state == (measure.status, measure.traffic_light, measure.progress):
        return False
    locking.claim(measure, None, fields=STATE_FIELDS)
    measure.status, measure.traffic_light, measure.progress = state
    if measure.status == Status.DROPPED and not measure.status_reason.strip():
        measure.status_reason = (newest.deviation if newest is not None else "").strip() or reason
    _save_measure(measure, user, STATE_FIELDS, reason)
    return True


def progress_entry_correction_errors(
    *,
    entry: ProgressEntry,
    date=None,
    status=None,
    progress=None,
    traffic_light=None,
    deviation=None,
    today=None,
    **other,
) -> dict:
    """{field: message}: what progress_entry_correct refuses about a corrected date or
    state beyond each field's own checks (entry_date_errors, state_errors, and
    deviation_errors: an Ampel corrected to gelb or rot needs its Abweichung). None: unknown
    or not corrected; only what changes is checked."""
    errors = {}
    if date is not None and date != entry.date:
        errors |= entry_date_errors(entry.measure, date, today or timezone.localdate())
    new_status = entry.status if status is None else status
    new_progress = entry.progress if progress is None else progress
    if (new_status, new_progress) != (entry.status, entry.progress):
        errors |= state_errors(new_status, new_progress)
    if traffic_light is not None:
        errors |= deviation_errors(
            traffic_light, entry.traffic_light, entry.deviation if deviation is None else deviation
        )
    return errors


@transaction.atomic
def progress_entry_correct(
    *, entry: ProgressEntry, user, expected_version: int | None, reason: str, **fields
) -> ProgressEntry:
    """Correct a recorded Sachstand: its texts and figures (ENTRY_TEXT_FIELDS) and its date
    and state (ENTRY_STATE_FIELDS). reason: why (required; kept in the history with who and
    when). expected_version: the Sachstand's version the correction was made on (None: as
    stored now). If the date or state changed, the measure follows its newest Sachstand."""
    unknown = set(fields) - set(ENTRY_CORRECTABLE_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} lässt sich an einem Sachstand nicht korrigieren.")
    # The measure follows its newest remaining Sachstand (measure_follow_entries): lock it
    # first, so a Sachstand recorded or withdrawn at the same time is read once committed.
    entry.measure = Measure.objects.select_for_update().get(pk=entry.measure_id)
    if entry.is_withdrawn:
        raise ValidationError(_("Ein zurückgezogener Sachstand lässt sich nicht korrigieren."))
    reason = _required_reason(reason, _("Bitte geben Sie den Grund der Korrektur an."))
    changed = [name for name, value in fields.items() if getattr(entry, name) != value]
    if not changed:
        return entry
    errors = progress_entry_correction_errors(entry=entry, **fields)
    for name in changed:
        setattr(entry, name, fields[name])
    entry.full_clean()
    if errors:
        raise ValidationError(errors)
    locking.claim(entry, expected_version)
    entry._history_user = user
    entry._change_reason = reason
    entry.save(update_fields=[*changed, "version"])
    if set(ENTRY_STATE_FIELDS) & set(changed):
        measure_follow_entries(
            measure=entry.measure,
            user=user,
            reason=_("Sachstand vom %(date)s korrigiert: %(reason)s")
            % {"date": formatting.date(entry.date), "reason": reason},
        )
    return entry


@transaction.atomic
def progress_entry_withdraw(
    *, entry: ProgressEntry, user, expected_version: int | None, reason: str
) -> ProgressEntry:
    """Withdraw a Sachstand (zurückziehen): no reader counts it any more (measure state,
    dashboard, lists, "Änderungen seit", exports, report, public pages); the timeline and the
    history keep it with who, when and why. The measure follows its newest remaining
    Sachstand."""
    # The measure follows its newest remaining Sachstand (measure_follow_entries): lock it
    # first, so a Sachstand recorded or withdrawn at the same time is read once committed.
    entry.measure = Measure.objects.select_for_update().get(pk=entry.measure_id)
    if entry.is_withdrawn:
        raise ValidationError(_("Dieser Sachstand ist bereits zurückgezogen."))
    reason = _required_reason(reason, _("Bitte geben Sie den Grund für das Zurückziehen an."))
    locking.claim(entry, expected_version)
    entry.withdrawn_at = timezone.now()
    entry.withdrawn_by = user
    entry.withdrawal_reason = reason
    entry._history_user = user
    entry._change_reason = reason
    entry.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "version"])
    # The changes it made on the measure stay in the history, marked (MeasureHistoryBase).
    Measure.history.filter(entry_id=entry.pk).update(entry_withdrawn=True)
    measure_follow_entries(
        measure=entry.measure,
        user=user,
        reason=_("Sachstand vom %(date)s zurückgezogen: %(reason)s")
        % {"date": formatting.date(entry.date), "reason": reason},
    )
    return entry


def state_change_text(measure, *, status, traffic_light, progress):
    """The automatic Sachstand text for a change of state: "Status von … auf … geändert"."""
    parts = []
    if status != measure.status:
        parts.append(
            _("Umsetzungsstand von „%(old)s“ auf „%(new)s“ geändert.")
            % {"old": measure.get_status_display(), "new": Status(status).label}
        )
    if traffic_light != measure.traffic_light:
        from measures.models import TrafficLight

        parts.append(
            _("Ampel von „%(old)s“ auf „%(new)s“ geändert.")
            % {
                "old": measure.get_traffic_light_display(),
                "new": TrafficLight(traffic_light).label,
            }
        )
    if progress != measure.progress:
        parts.append(
            _("Fortschritt von %(old)s %% auf %(new)s %% geändert.")
            % {"old": measure.progress, "new": progress}
        )
    return " ".join(parts)


def measure_set_state(
    *,
    measure: Measure,
    user,
    expected_version: int,
    status: str,
    traffic_light: str,
    progress: int,
    note: str = "",
    reason: str = "",
    decision=None,
    today: dt.date | None = None,
) -> ProgressEntry | None:
    """Change status, Ampel and progress; leaves a dated Sachstand saying what changed.

    Returns None when nothing changed (and records nothing).
    """
    text = state_change_text(measure, status=status, traffic_light=traffic_light, progress=progress)
    if not text:
        return None
    if note.strip():
        text = f"{text}\n{note.strip()}"
    with errors_renamed(deviation="reason"):
        return progress_entry_create(
            measure=measure,
            author=user,
            date=today or timezone.localdate(),
            status=status,
            traffic_light=traffic_light,
            progress=progress,
            text=text,
            deviation=reason,
            decision=decision,
            expected_version=expected_version,
        )


def measure_set_state_errors(
    *, measure: Measure, status=None, traffic_light=None, progress=None, reason="", today=None
) -> dict:
    """{field: [messages]}: what measure_set_state refuses about this state, named by its
    arguments (the reason is the Sachstand's deviation). None: unknown, as in
    progress_entry_errors. A state that changes nothing is never refused."""
    if None not in (status, traffic_light, progress) and not state_change_text(
        measure, status=status, traffic_light=traffic_light, progress=progress
    ):
        return {}
    today = today or timezone.localdate()
    errors = progress_entry_errors(
        measure=measure,
        date=today,
        status=status,
        traffic_light=traffic_light,
        progress=progress,
        deviation=reason,
        today=today,
    )
    if "deviation" in errors:
        errors["reason"] = errors.pop("deviation")
    return errors


def progress_entry_no_change(
    *,
    measure: Measure,
    user,
    expected_version: int,
    today: dt.date | None = None,
    note: str = "",
) -> ProgressEntry:
    """ "Keine Änderung seit dem letzten Sachstand": a dated entry confirming the state
    (note: a remark added to its text); refused if today's entry already says the same."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Two clicks at once wait for each other here (PostgreSQL), so only one is recorded.
        Measure.objects.select_for_update().filter(pk=measure.pk).values_list("pk").get()
        if measure.entries.filter(
            date=today,
            status=measure.status,
            traffic_light=measure.traffic_light,
            progress=measure.progress,
        ).exists():
            raise ValidationError(
                _(
                    "Für heute (%(date)s) ist dieser Stand schon festgehalten; "
                    "es wurde kein weiterer Sachstand erfasst."
                )
                % {"date": formatting.date(today)}
            )
        return progress_entry_create(
            measure=measure,
            author=user,
            date=today,
            status=measure.status,
            traffic_light=measure.traffic_light,
            progress=measure.progress,
            text="\n".join(
                part
                for part in (_("Keine Änderung seit dem letzten Sachstand."), note.strip())
                if part
            ),
            expected_version=expected_version,
        )


# The master data Maßnahmenverantwortliche may change on their measures. Not the title (it
# is the one the Kreistag adopted) nor the cadence (changing it would hide an overdue
# Sachstand).
OWNER_FIELDS = ["description", "target_group", "start_date", "end_date"]
MASTER_FIELDS = [
    "title",
    "description",
    "target_group",
    "goal",
    "start_date",
    "end_date",
    "update_cadence",
    "is_public",
]


def assignment_errors(*, goal, sub_goals, lead, partners) -> dict:
    """{field: [messages]}: a measure's Teilziele belong to its strategic goal (a measure
    without one may serve any); an Akteur leads a measure or is its partner, not both.
    None: not changed (or unknown), not checked."""
    errors = {}
    if goal is not None:
        for sub_goal in sub_goals or ():
            if sub_goal.goal_id != goal.pk:
                errors.setdefault("sub_goals", []).append(
                    _("Teilziel %(label)s gehört nicht zum gewählten strategischen Ziel.")
                    % {"label": sub_goal.label}
                )
    both = set(lead or ()) & set(partners or ())
    if both:
        errors["partner_organisations"] = [
            _("Nicht zugleich Federführung und Partner: %(names)s")
            % {"names": ", ".join(sorted(o.name for o in both))}
        ]
    return errors


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    user,
    expected_version: int,
    data: dict,
    sub_goals=None,
    networks=None,
    responsible_users=None,
    lead_organisations=None,
    partner_organisations=None,
    reason: str = "",
) -> Measure:
    """Edit a measure's master data and its assignments; reason (e.g. "Datenimport
    „massnahmen.csv“") is kept as the history's Anlass."""
    assigned = {
        "sub_goals": sub_goals,
        "networks": networks,
        "responsible_users": responsible_users,
        "organisations": lead_organisations
        if lead_organisations is not None
        else partner_organisations,
    }
    written = [f for f in MASTER_FIELDS if f in data]
    # Maßnahmenverantwortliche update description, target group and dates; the title, the
    # cadence, where the measure sits in the concept, who works on it and whether it is
    # public are Koordination's (docs/design.md).
    if user is not None and not roles.can_edit_concept(user, measure.concept_id):
        refused = [f for f in written if f not in OWNER_FIELDS] + [
            name for name, value in assigned.items() if value is not None
        ]
        if refused:
            raise PermissionDenied(
                _("Diese Angaben ändert nur die Koordination: %(fields)s.")
                % {
                    "fields": ", ".join(
                        str(Measure._meta.get_field(f).verbose_name) for f in refused
                    )
                }
            )
    errors = assignment_errors(
        goal=data["goal"] if "goal" in written else measure.goal,
        sub_goals=sub_goals,
        lead=lead_organisations,
        partners=partner_organisations,
    )
    if errors:
        raise ValidationError(errors)
    for field in written:
        setattr(measure, field, data[field])
    measure.full_clean()
    locking.claim(
        measure,
        expected_version,
        fields=written + [k for k, v in assigned.items() if v is not None],
    )
    if sub_goals is not None:
        measure.sub_goals.set(sub_goals)
    if networks is not None:
        measure.networks.set(networks)
    if responsible_users is not None:
        measure.responsible_users.set(responsible_users)
    if lead_organisations is not None or partner_organisations is not None:
        lead = set(lead_organisations or [])
        partners = set(partner_organisations or [])
        measure.involvements.all().delete()
        MeasureOrganisation.objects.bulk_create(
            [
                MeasureOrganisation(measure=measure, organisation=o, role=role)
                for role, organisations in (
                    (MeasureOrganisation.Role.LEAD, lead),
                    (MeasureOrganisation.Role.PARTNER, partners),
                )
                for o in organisations
            ]
        )
    # Saved after the assignments, so its history record carries them (MeasureHistoryBase).
    _save_measure(measure, user, written, reason)
    return measure


# Evidence files: what offices exchange, checked by extension and by their first bytes.
EVIDENCE_TYPES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".txt": (),
    ".csv": (),
}


def evidence_file_errors(upload) -> list[str]:
    """German reasons why an uploaded evidence file is refused (empty when fine)."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        allowed = ", ".join(sorted(s.lstrip(".").upper() for s in EVIDENCE_TYPES))
        return [
            _("„%(name)s“: Dateityp nicht erlaubt. Erlaubt sind: %(allowed)s.")
            % {"name": upload.name, "allowed": allowed}
        ]
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        return [
            _("„%(name)s“ ist zu groß (%(size)s MB; höchstens %(max)s MB).")
            % {
                "name": upload.name,
                "size": formatting.megabytes(upload.size),
                "max": settings.EVIDENCE_MAX_BYTES // 1024 // 1024,
            }
        ]
    head = upload.read(8)
    upload.seek(0)
    signatures = EVIDENCE_TYPES[suffix]
    mismatch = [
        _("„%(name)s“: Der Inhalt passt nicht zur Dateiendung %(suffix)s.")
        % {"name": upload.name, "suffix": suffix}
    ]
    if signatures and not any(head.startswith(sig) for sig in signatures):
        return mismatch
    if suffix in PACKAGE_TYPES:
        ok = _package_matches(upload, suffix)
        upload.seek(0)
        return [] if ok else mismatch
    if not signatures:
        sample = upload.read(65536)
        upload.seek(0)
        if looks_binary(sample) or not _decodes(sample):
            return [_("„%(name)s“ ist keine Textdatei.") % {"name": upload.name}]
        if MARKUP.match(sample.lstrip(b"\xef\xbb\xbf \t\r\n")):
            # A browser opening it would run its scripts; as a .txt it is not what it says.
            return [
                _("„%(name)s“ ist eine HTML-/XML-Datei, keine Textdatei.") % {"name": upload.name}
            ]
    upload.seek(0)
    return []


# Office documents are zip packages; what they are is written inside: OOXML in
# [Content_Types].xml (the main part's content type), OpenDocument in its "mimetype" member.
PACKAGE_TYPES = {
    ".docx": ("[Content_Types].xml", b"wordprocessingml.document.main+xml"),
    ".xlsx": ("[Content_Types].xml", b"spreadsheetml.sheet.main+xml"),
    ".pptx": ("[Content_Types].xml", b"presentationml.presentation.main+xml"),
    ".odt": ("mimetype", b"application/vnd.oasis.opendocument.text"),
    ".ods": ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
}
MARKUP = re.compile(rb"(?i)<(?:!doctype|html|head|body|script|svg|\?xml|iframe)")


def _package_matches(upload, suffix) -> bool:
    member, marker = PACKAGE_TYPES[suffix]
    try:
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo(member)
            if info.file_size > 1024 * 1024:
                return False
            content = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, NotImplementedError,
            ValueError, zlib.error):  # fmt: skip
        return False
    if member == "mimetype":
        return content.strip() == marker
    return marker in content


def _decodes(sample: bytes) -> bool:
    for encoding in ("utf-8", "cp1252"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError as error:
            # The sample may end inside a UTF-8 character.
            if encoding == "utf-8" and error.start >= len(sample) - 3:
                return True
            continue
        return True
    return False


@transaction.atomic
def evidence_add(*, entry: ProgressEntry, upload=None, url: str = "", label: str = "") -> Evidence:
    if upload is not None:
        errors = evidence_file_errors(upload)
        if errors:
            raise ValidationError({"file": errors})
    evidence = Evidence(entry=entry, file=upload or "", url=url, label=label)
    evidence.full_clean()
    evidence.save()
    return evidence


def evidence_content_type(evidence: Evidence) -> str:
    return mimetypes.guess_type(evidence.file.name)[0] or "application/octet-stream"


# --- Decisions (Beschlüsse) ----------------------------------------------------------------


def _decision_measures(measures, concept_id) -> list[Measure]:
    measures = list(measures)
    if any(m.concept_id != concept_id for m in measures):
        raise ValidationError(
            {"measures": _("Es können nur Maßnahmen dieses Konzepts betroffen sein.")}
        )
    return measures


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
    """A decision taken in a committee's meeting (networks.services.meeting_create): other
    networks meet, but only committees decide."""
    if meeting.network.kind != Network.Kind.COMMITTEE:
        raise ValidationError(_("Beschlüsse werden nur in Sitzungen eines Gremiums erfasst."))
    measures = _decision_measures(measures, meeting.network.concept_id)
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
    measures = _decision_measures(measures, decision.meeting.network.concept_id)
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


# --- Sachstandsabfragen (campaigns) ------------------------------------------------------------


def campaign_default_measures(concept):
    """The measures a new campaign asks about unless others are chosen: all active ones,
    i.e. those that owe Sachstände (not umgesetzt, zurückgestellt or entfallen)."""
    return Measure.objects.filter(concept=concept).exclude(status__in=NEVER_OVERDUE)


def campaign_errors(*, concept, reference_date, deadline, measures, today) -> dict:
    """{field: message}: what campaign_open refuses beyond each field's own checks."""
    errors = {}
    try:
        Campaign(reference_date=reference_date, deadline=deadline).clean()
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if deadline is not None and deadline < today:
        errors["deadline"] = _("Die Frist liegt in der Vergangenheit.")
    if measures is not None:
        if not measures:
            errors["measures"] = _("Bitte wählen Sie mindestens eine Maßnahme.")
        elif any(m.concept_id != concept.pk for m in measures):
            errors["measures"] = _("Es können nur Maßnahmen dieses Konzepts abgefragt werden.")
    return errors


def _measures_per_person(measures, users_by_measure):
    """{user: [measure, …]}: each responsible person with their measures among these."""
    per_person = {}
    for measure in measures:
        for user in users_by_measure.get(measure.pk, ()):
            per_person.setdefault(user, []).append(measure)
    return per_person


def _responsible_by_measure(measure_ids):
    """{measure id: [users]} of the measures' Verantwortliche, in one query."""
    through = Measure.responsible_users.through
    rows = through.objects.filter(measure_id__in=measure_ids).select_related("user")
    found = {}
    for row in rows.order_by("user__last_name", "user__first_name", "user__username"):
        found.setdefault(row.measure_id, []).append(row.user)
    return found


def _send_campaign_mails(campaign, per_person, *, kind, key, subject, template):
    sent = []
    concept = campaign.concept
    mine = absolute_url(reverse("measures:mine", kwargs={"slug": concept.slug}))
    for user, measures in per_person.items():
        rows = [
            {
                "label": m.label,
                "title": m.title,
                "url": absolute_url(
                    reverse("measures:entry_create", kwargs={"slug": concept.slug, "key": m.label})
                ),
            }
            for m in measures
        ]
        sent += send(
            [user],
            subject,
            template,
            {"campaign": campaign, "concept": concept, "rows": rows, "mine_url": mine},
            kind=kind,
            key=key,
            concept=concept,
        )
    return sent


CAMPAIGN_MAIL = "campaign"
CAMPAIGN_REMINDER_MAIL = "campaign_reminder"


@transaction.atomic
def campaign_open(
    *,
    concept,
    user,
    reference_date: dt.date,
    deadline: dt.date,
    measures=None,
    title: str = "",
    message: str = "",
    today: dt.date | None = None,
):
    """Open a Sachstandsabfrage and mail each responsible person once (kind "campaign",
    keyed by the campaign) with their measures in it. measures: None for all active ones
    (campaign_default_measures). Returns (campaign, number of mails queued)."""
    if user is not None and not roles.can_edit_concept(user, concept):
        raise PermissionDenied(_("Sachstandsabfragen eröffnet die Koordination."))
    today = today or timezone.localdate()
    measures = list(campaign_default_measures(concept) if measures is None else measures)
    errors = campaign_errors(
        concept=concept,
        reference_date=reference_date,
        deadline=deadline,
        measures=measures,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(
        concept=concept,
        title=title.strip(),
        reference_date=reference_date,
        deadline=deadline,
        message=message.strip(),
        created_by=user,
    )
    campaign.full_clean()
    campaign._history_user = user
    campaign.save()
    campaign.measures.set(measures)
    measures.sort(key=lambda m: (m.position, m.number))
    per_person = _measures_per_person(measures, _responsible_by_measure([m.pk for m in measures]))
    sent = _send_campaign_mails(
        campaign,
        per_person,
        kind=CAMPAIGN_MAIL,
        key=str(campaign.pk),
        subject=_("Sachstandsabfrage: %(label)s") % {"label": campaign.label},
        template="measures/mail/campaign",
    )
    return campaign, len(sent)


@transaction.atomic
def campaign_remind(*, campaign, user, today: dt.date | None = None) -> int:
    """Remind everyone with a measure still pending in the campaign: one mail per person
    listing their pending measures (kind "campaign_reminder", keyed by campaign and day, so
    a second click on the same day sends nothing twice). Returns the number of mails
    queued."""
    if user is not None and not roles.can_edit_concept(user, campaign.concept_id):
        raise PermissionDenied(_("An Sachstandsabfragen erinnert die Koordination."))
    if campaign.is_closed:
        raise ValidationError(
            _("Die Sachstandsabfrage ist beendet; es wird niemand mehr erinnert.")
        )
    today = today or timezone.localdate()
    pending = list(
        campaign.measures.annotate(answered=campaign_answered(campaign))
        .filter(answered=False)
        .order_by("position", "number")
    )
    per_person = _measures_per_person(pending, _responsible_by_measure([m.pk for m in pending]))
    sent = _send_campaign_mails(
        campaign,
        per_person,
        kind=CAMPAIGN_REMINDER_MAIL,
        key=f"{campaign.pk}:{today.isoformat()}",
        subject=_("Erinnerung: %(label)s") % {"label": campaign.label},
        template="measures/mail/campaign_reminder",
    )
    if campaign.reminded_on != today:
        # Not a change of what the campaign asks: no version claim, no history record.
        type(campaign).objects.filter(pk=campaign.pk).update(reminded_on=today)
        campaign.reminded_on = today
        # Pages that show "zuletzt erinnert am" (the dashboard) are read anew.
        dataversion.changed([campaign.concept_id])
    return len(sent)


@transaction.atomic
def campaign_close(*, campaign, user, expected_version: int | None) -> Campaign:
    """End a Sachstandsabfrage, before or after its deadline: it no longer asks anybody (not
    on the dashboard or "Meine Maßnahmen", no reminders); its Rücklauf stays readable and its
    answers stay ordinary Sachstände. expected_version: the version the person saw
    (concept.locking), so a campaign changed meanwhile is not ended unseen."""
    if user is not None and not roles.can_edit_concept(user, campaign.concept_id):
        raise PermissionDenied(_("Sachstandsabfragen beendet die Koordination."))
    if Campaign.objects.filter(pk=campaign.pk, closed_at__isnull=False).exists():
        raise ValidationError(_("Diese Sachstandsabfrage ist bereits beendet."))
    locking.claim(campaign, expected_version)
    campaign.closed_at = timezone.now()
    campaign.closed_by = user if getattr(user, "pk", None) else None
    campaign._history_user = campaign.closed_by
    campaign.save(update_fields=["closed_at", "closed_by", "version"])
    return campaign
