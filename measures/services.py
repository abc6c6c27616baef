"""Writes on measures and their Sachstände. Each runs full_clean() and save() in a transaction.

Every write that changes a measure claims its version first (compare-and-set), so of two
people editing the same measure the second is refused with what changed meanwhile —
nothing is ever overwritten silently.
"""

import datetime as dt
import mimetypes
import re
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concept import roles
from concept.history import Change, HistoryReader
from concept.text import looks_binary
from measures.models import (
    Evidence,
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    Status,
    assignments_snapshot,
)

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
# What a Sachstand (or a change of state) writes on the measure.
STATE_FIELDS = ["status", "traffic_light", "progress", "status_reason"]
# Assignments, recorded with every history record (HistoricalMeasure.assignments).
ASSIGNMENT_FIELDS = ["sub_goals", "organisations", "networks", "responsible_users"]
CHANGE_REASON_MAX_LENGTH = Measure.history.model._meta.get_field("history_change_reason").max_length


class MeasureConflict(Exception):
    """The measure changed since the user loaded it."""

    def __init__(self, measure, changes, changed_by, changed_at, *, seen=None, current=None):
        self.measure = measure
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        # The history records of what the user saw and of now (None if unknown), so a form
        # can be shown again with the current values (measures.forms.rebase_form).
        self.seen = seen
        self.current = current
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


def assignment_label(field, row):
    """One recorded assignment as users read it: "1.3", "Jobcenter (Federführung)"."""
    if field == "organisations":
        _pk, role, name = row
        return f"{name} ({MeasureOrganisation.Role(role).label})"
    return row[1]


def assignment_changes(older, newer):
    """The assignments that differ between two history records; nothing where either record
    did not store them (then they are unknown, not empty)."""
    changes = []
    if older.assignments is None or newer.assignments is None:
        return changes
    for field in ASSIGNMENT_FIELDS:
        old = [assignment_label(field, row) for row in older.assignments.get(field, [])]
        new = [assignment_label(field, row) for row in newer.assignments.get(field, [])]
        if sorted(old) != sorted(new):
            changes.append(
                Change(
                    field,
                    str(Measure._meta.get_field(field).verbose_name),
                    ", ".join(old) or "–",
                    ", ".join(new) or "–",
                )
            )
    return changes


def field_changes(older, newer, reader=None):
    """The tracked fields and assignments that differ between two history records.
    reader: a HistoryReader of TRACKED_FIELDS over records that include both (by default
    one over just these two)."""
    reader = reader or HistoryReader(Measure, [older, newer], TRACKED_FIELDS)
    return reader.changes(older, newer) + assignment_changes(older, newer)


def history_at(measure, version):
    """The measure's history record as it stood at that version (None if not recorded)."""
    return measure.history.filter(version=version).order_by("-history_date", "-history_id").first()


def measure_changes_since(measure, version):
    """What changed on the measure since the given version, from its history: fields and
    assignments (Teilziele, Akteure, Netzwerke, Verantwortliche)."""
    current = measure.history.order_by("-history_date", "-history_id").first()
    seen = history_at(measure, version)
    changes = []
    if current is not None and seen is not None:
        changes = field_changes(seen, current)
    return changes, current


def ensure_history_baseline(measure: Measure) -> None:
    """Measures loaded from fixtures or imports have no history yet; record their state
    before the first change, so every later change can be shown as "from … to …"."""
    if not Measure.history.filter(id=measure.pk).exists():
        stored = Measure.objects.get(pk=measure.pk)
        [record] = Measure.history.bulk_history_create([stored], default_date=stored.updated_at)
        record.assignments = assignments_snapshot(stored)
        record.save(update_fields=["assignments"])


def _claim_version(measure: Measure, expected_version: int | None, fields=None) -> None:
    """Atomically move the measure from expected_version to the next one, or refuse.

    fields: what this write changes (None: everything). If the measure moved on meanwhile
    but none of these fields changed (say, a colleague added a Sachstand that kept the
    state), nothing would be overwritten: the write goes ahead on the current version.
    """
    ensure_history_baseline(measure)
    if expected_version is None:
        expected_version = Measure.objects.values_list("version", flat=True).get(pk=measure.pk)
    claimed = Measure.objects.filter(pk=measure.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        fresh = Measure.objects.get(pk=measure.pk)
        changes, record = measure_changes_since(fresh, expected_version)
        seen = history_at(fresh, expected_version)
        overlapping = [c for c in changes if fields is None or c.field in fields]
        if fields is not None and record is not None and seen is not None and not overlapping:
            claimed = Measure.objects.filter(pk=measure.pk, version=fresh.version).update(
                version=fresh.version + 1
            )
        if claimed:
            # Take over what others changed, so the history record of this write keeps it.
            for model_field in Measure._meta.concrete_fields:
                if model_field.name not in fields:
                    setattr(measure, model_field.attname, getattr(fresh, model_field.attname))
            measure.version = fresh.version + 1
            return
        changed_by = None
        if record is not None and record.history_user_id:
            user = record.history_user
            changed_by = user.get_full_name() or user.get_username()
        raise MeasureConflict(
            fresh,
            changes,
            changed_by,
            record.history_date if record else fresh.updated_at,
            seen=seen,
            current=record,
        )
    measure.version = expected_version + 1


def _save_measure(measure, user, fields, reason=""):
    # Field validators and clean() give the German messages for every check constraint;
    # the database still enforces them, so don't pay a query per constraint on each save.
    measure.full_clean(validate_constraints=False)
    measure._history_user = user
    # Set on every save: simple-history reads it from the instance, so an earlier reason
    # would otherwise stick to later changes of the same object.
    measure._change_reason = reason[:CHANGE_REASON_MAX_LENGTH] or None
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
    if date > timezone.localdate():
        # A Sachstand from the future would stay the newest and freeze the measure's state.
        raise ValidationError({"date": _("Das Datum liegt in der Zukunft.")})
    # Only the newest Sachstand sets the measure's state; an older one is history only.
    if measure.entries.filter(date__gt=date).exists():
        entry._history_user = author
        entry.save()
        return entry

    _claim_version(measure, expected_version, STATE_FIELDS)
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
    # The history record of this change carries the Sachstand and its date (MeasureHistoryBase).
    measure._history_entry = entry
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
    """ "Keine Änderung seit dem letzten Sachstand": a dated entry confirming the state;
    refused if today's entry already says the same."""
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
                % {"date": today.strftime("%d.%m.%Y")}
            )
        return progress_entry_create(
            measure=measure,
            author=user,
            date=today,
            status=measure.status,
            traffic_light=measure.traffic_light,
            progress=measure.progress,
            text=_("Keine Änderung seit dem letzten Sachstand."),
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
    # public are Koordination's (DESIGN.md).
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
    for field in written:
        setattr(measure, field, data[field])
    measure.full_clean()
    _claim_version(
        measure, expected_version, written + [k for k, v in assigned.items() if v is not None]
    )
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
                "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
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
