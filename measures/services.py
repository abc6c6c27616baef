"""Writes on measures and their Sachstände. Each runs full_clean() and save() in a transaction.

Every write that changes a measure claims its version first (compare-and-set), so of two
people editing the same measure the second is refused with what changed meanwhile —
nothing is ever overwritten silently.
"""

import datetime as dt
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import Evidence, Measure, MeasureOrganisation, ProgressEntry, Status

# Fields whose changes the conflict message reports, in display order.
TRACKED_FIELDS = [
    "status",
    "traffic_light",
    "progress",
    "status_reason",
    "title",
    "description",
    "target_group",
    "goal",
    "start_date",
    "end_date",
    "update_cadence",
    "is_public",
]


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


class MeasureConflict(Exception):
    """The measure changed since the user loaded it."""

    def __init__(self, measure, changes, changed_by, changed_at):
        self.measure = measure
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.message)

    @property
    def message(self):
        who = self.changed_by or _("jemand anderes")
        when = (
            timezone.localtime(self.changed_at).strftime("%d.%m.%Y, %H:%M")
            if self.changed_at
            else ""
        )
        return _(
            "Die Maßnahme %(label)s wurde inzwischen von %(who)s geändert (%(when)s). "
            "Ihre Änderung wurde nicht gespeichert; bitte prüfen Sie den aktuellen Stand und "
            "speichern Sie erneut."
        ) % {"label": self.measure.label, "who": who, "when": when}


def display_value(field, value, goal_names=None):
    """A measure field's value as users read it ("in Umsetzung", "31.12.2025", "ja")."""
    model_field = Measure._meta.get_field(field)
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if field == "goal":
        return (goal_names or {}).get(value, "–")
    return str(value)


def goal_names_of(concept_id):
    from goals.models import StrategicGoal

    return {g.pk: str(g) for g in StrategicGoal.objects.filter(concept_id=concept_id)}


def field_changes(older, newer, goal_names):
    """The tracked fields that differ between two history records of a measure."""
    changes = []
    for field in TRACKED_FIELDS:
        model_field = Measure._meta.get_field(field)
        old, new = getattr(older, model_field.attname), getattr(newer, model_field.attname)
        if old != new:
            changes.append(
                Change(
                    field,
                    str(model_field.verbose_name),
                    display_value(field, old, goal_names),
                    display_value(field, new, goal_names),
                )
            )
    return changes


def measure_changes_since(measure, version):
    """What changed on the measure since the given version, from its history."""
    current = measure.history.order_by("-history_date", "-history_id").first()
    seen = measure.history.filter(version=version).order_by("-history_date", "-history_id").first()
    changes = []
    if current is not None and seen is not None:
        changes = field_changes(seen, current, goal_names_of(measure.concept_id))
    return changes, current


def _ensure_history_baseline(measure: Measure) -> None:
    """Measures loaded from fixtures or imports have no history yet; record their state
    before the first change, so every later change can be shown as "from … to …"."""
    if not Measure.history.filter(id=measure.pk).exists():
        stored = Measure.objects.get(pk=measure.pk)
        Measure.history.bulk_history_create([stored], default_date=stored.updated_at)


def _claim_version(measure: Measure, expected_version: int | None) -> None:
    """Atomically move the measure from expected_version to the next one, or refuse."""
    _ensure_history_baseline(measure)
    if expected_version is None:
        expected_version = Measure.objects.values_list("version", flat=True).get(pk=measure.pk)
    claimed = Measure.objects.filter(pk=measure.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        fresh = Measure.objects.get(pk=measure.pk)
        changes, record = measure_changes_since(fresh, expected_version)
        changed_by = None
        if record is not None and record.history_user_id:
            user = record.history_user
            changed_by = user.get_full_name() or user.get_username()
        raise MeasureConflict(
            fresh, changes, changed_by, record.history_date if record else fresh.updated_at
        )
    measure.version = expected_version + 1


def _save_measure(measure, user, fields, reason=""):
    # Field validators and clean() give the German messages for every check constraint;
    # the database still enforces them, so don't pay a query per constraint on each save.
    measure.full_clean(validate_constraints=False)
    measure._history_user = user
    # Set on every save: simple-history reads it from the instance, so an earlier reason
    # would otherwise stick to later changes of the same object.
    measure._change_reason = reason[:100] or None
    measure.save(update_fields=[*fields, "version", "updated_at"])


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
    entry.full_clean(validate_constraints=False)  # see _save_measure
    # Only the newest Sachstand sets the measure's state; an older one is history only.
    if measure.entries.filter(date__gt=date).exists():
        entry._history_user = author
        entry.save()
        return entry

    _claim_version(measure, expected_version)
    entry._history_user = author
    entry.save()
    measure.status = status
    measure.traffic_light = traffic_light
    measure.progress = progress
    if status == Status.DROPPED and not measure.status_reason.strip():
        measure.status_reason = deviation or text
    if status == Status.DROPPED and not measure.status_reason.strip():
        raise ValidationError({"deviation": _("Bitte begründen, warum die Maßnahme entfällt.")})
    reason = _("Beschluss: %(text)s") % {"text": decision.text} if decision else ""
    _save_measure(measure, author, ["status", "traffic_light", "progress", "status_reason"], reason)
    return entry


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


@transaction.atomic
def progress_entry_correct(*, entry: ProgressEntry, user, **fields) -> ProgressEntry:
    """Correct the texts and figures of a recorded Sachstand (typos, late figures); the
    history keeps the previous wording. Its state and date never change."""
    for name, value in fields.items():
        if name not in ENTRY_TEXT_FIELDS:
            raise ValueError(f"{name} lässt sich an einem Sachstand nicht korrigieren.")
        setattr(entry, name, value)
    entry.full_clean()
    entry._history_user = user
    entry.save(update_fields=list(fields))
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


def progress_entry_no_change(
    *, measure: Measure, user, expected_version: int, today: dt.date | None = None
) -> ProgressEntry:
    """ "Keine Änderung seit dem letzten Sachstand": a dated entry confirming the state."""
    return progress_entry_create(
        measure=measure,
        author=user,
        date=today or timezone.localdate(),
        status=measure.status,
        traffic_light=measure.traffic_light,
        progress=measure.progress,
        text=_("Keine Änderung seit dem letzten Sachstand."),
        expected_version=expected_version,
    )


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
    for field in MASTER_FIELDS:
        if field in data:
            setattr(measure, field, data[field])
    measure.full_clean()
    _claim_version(measure, expected_version)
    _save_measure(measure, user, [f for f in MASTER_FIELDS if f in data], reason)
    if sub_goals is not None:
        measure.sub_goals.set(sub_goals)
    if networks is not None:
        measure.networks.set(networks)
    if responsible_users is not None:
        measure.responsible_users.set(responsible_users)
    if lead_organisations is not None or partner_organisations is not None:
        lead = set(lead_organisations or [])
        partners = set(partner_organisations or []) - lead
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
                "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                "max": settings.EVIDENCE_MAX_BYTES // 1024 // 1024,
            }
        ]
    head = upload.read(8)
    upload.seek(0)
    signatures = EVIDENCE_TYPES[suffix]
    if signatures and not any(head.startswith(sig) for sig in signatures):
        return [
            _("„%(name)s“: Der Inhalt passt nicht zur Dateiendung %(suffix)s.")
            % {"name": upload.name, "suffix": suffix}
        ]
    if not signatures and b"\x00" in upload.read(4096):
        upload.seek(0)
        return [_("„%(name)s“ ist keine Textdatei.") % {"name": upload.name}]
    upload.seek(0)
    return []


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
