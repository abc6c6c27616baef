"""One guard against lost updates for every editable entity.

- The token: an integer version on the model (`version`; a model whose `version` means
  something else names its token in `version_field`). Every edit form carries the version
  the user saw (VersionedForm); every write claims it.
- The claim: `claim(obj, expected_version)` runs, inside the write's transaction, one
  conditional UPDATE … SET version = expected + 1 WHERE pk = … AND version = expected. The
  database decides: of two writers the second matches no row (on PostgreSQL it waits for the
  first's row lock and then re-reads the row; SQLite writes one at a time) and is refused.
- The exception: StaleVersion, with the current object, who changed it when, and what
  changed (old → new) between the version the user saw and now, from the history.
- The form: VersionedForm.rebase() shows a refused form again on the current data, keeping
  and marking the user's own input; templates/components/_conflict.html is the one screen.
- Tokens used once (an import confirmation): `claim_token()`, a unique row per token.

Imports no app: models describe themselves (`version_field`, `conflict_fields`,
`history_changes`, `label`).
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django import forms
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.signals import pre_create_historical_record

from concept import formatting
from concept.history import HistoryReader, display_value
from concept.models import UsedToken

VERSION_FIELD = "version"


def version_field(model) -> str:
    """The name of the model's version token."""
    return getattr(model, "version_field", VERSION_FIELD)


def version_of(obj) -> int:
    return getattr(obj, version_field(type(obj)))


# --- What changed ----------------------------------------------------------------------------


def conflict_fields(model) -> list[str]:
    """The fields whose changes a conflict names: the model's `conflict_fields`, else every
    editable field its history records (many-to-many ones included)."""
    names = getattr(model, "conflict_fields", None)
    if names is not None:
        return list(names)
    history = model.history.model
    recorded = {f.attname for f in history.tracked_fields}
    token = version_field(model)
    names = [
        f.name
        for f in model._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and f.name != token
        and f.attname in recorded
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]
    names += [f.name for f in history._history_m2m_fields]
    return names


def history_records(obj):
    """obj's history, newest first."""
    return obj.history.select_related("history_user").order_by("-history_date", "-history_id")


def history_at(obj, version):
    """obj's history record as it stood at that version (None if not recorded)."""
    return history_records(obj).filter(**{version_field(type(obj)): version}).first()


def describe_changes(model, older, newer, reader=None) -> list:
    """What differs between two history records of one object, as concept.history.Change
    rows: the conflict fields, then what the model adds (`history_changes`, e.g. a
    measure's assignments). reader: a HistoryReader over records that include both."""
    reader = reader or HistoryReader(model, [older, newer], conflict_fields(model))
    changes = reader.changes(older, newer)
    extra = getattr(model, "history_changes", None)
    if extra is not None:
        changes += extra(older, newer)
    return changes


def moment(value) -> str:
    """A moment as the conflict messages name it: "04.12.2026, 14:35" (local time)."""
    return formatting.datetime(value)


def person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class StaleVersion(Exception):
    """A write was refused: the object moved on since the user loaded it (or a token was
    used already). Carries what the conflict screen shows."""

    def __init__(
        self,
        obj,
        *,
        changes=(),
        changed_by=None,
        changed_at=None,
        seen=None,
        current=None,
        text=None,
    ):
        self.obj = obj
        self.changes = list(changes)
        self.changed_by = changed_by
        self.changed_at = changed_at
        # History records of what the user saw and of now (None where not recorded), from
        # which VersionedForm.rebase() takes the values.
        self.seen = seen
        self.current = current
        self._text = text
        super().__init__(self.message)

    @property
    def version(self) -> int:
        return version_of(self.obj)

    @property
    def when(self) -> str:
        if self.changed_at is None:
            return ""
        return moment(self.changed_at)

    @property
    def message(self) -> str:
        if self._text is not None:
            return self._text
        noun = type(self.obj)._meta.verbose_name
        label = getattr(self.obj, "label", None) or str(self.obj)
        names = {
            "noun": noun,
            "label": label,
            "who": self.changed_by or _("einer anderen Person"),
            "when": self.when,
        }
        if self.when:
            text = _(
                "%(noun)s „%(label)s“ wurde inzwischen von %(who)s geändert (%(when)s). "
                "Ihre Änderung wurde nicht gespeichert; bitte prüfen Sie den aktuellen Stand "
                "und speichern Sie erneut."
            )
        else:
            text = _(
                "%(noun)s „%(label)s“ wurde inzwischen von %(who)s geändert. Ihre Änderung "
                "wurde nicht gespeichert; bitte prüfen Sie den aktuellen Stand und speichern "
                "Sie erneut."
            )
        return text % names


def stale_version(obj, expected_version) -> StaleVersion:
    """The refusal of a write at expected_version on obj (as stored now)."""
    model = type(obj)
    current = history_records(obj).first()
    seen = history_at(obj, expected_version)
    if current is None:
        return StaleVersion(obj, changed_at=getattr(obj, "updated_at", None))
    return StaleVersion(
        obj,
        changes=describe_changes(model, seen, current) if seen is not None else [],
        changed_by=person(current.history_user),
        changed_at=current.history_date,
        seen=seen,
        current=current,
    )


# --- The claim -------------------------------------------------------------------------------


def _stored_without_history(obj):
    """The stored row of obj if it has no history record yet (objects loaded from fixtures or
    imports), else None: one query either way."""
    model = type(obj)
    pk_name = model._meta.pk.attname
    records = model.history.model._base_manager.filter(**{pk_name: OuterRef(pk_name)})
    return model._base_manager.filter(~Exists(records), pk=obj.pk).first()


def _record_baseline(stored, version):
    """Record the stored state at `version` as the first history record, before the first
    change through the portal, so that change shows "from … to …". Writes only the history,
    never the row: a save of the whole row here would put back what a concurrent writer just
    changed."""
    model = type(stored)
    history = model.history.model
    setattr(stored, version_field(model), version)
    when = getattr(stored, "updated_at", None) or timezone.now()
    record = history(
        history_date=when,
        history_type="~",
        history_user=None,
        history_change_reason=None,
        **{f.attname: getattr(stored, f.attname) for f in history.tracked_fields},
    )
    # Models that add columns to their records (a measure's assignments) fill them here too.
    pre_create_historical_record.send(
        sender=history,
        instance=stored,
        history_date=when,
        history_user=None,
        history_change_reason=None,
        history_instance=record,
        using=None,
    )
    record.save()
    for field in history._history_m2m_fields:
        # As simple-history records them: every column of the through rows.
        m2m_history = getattr(record, field.name).model
        through = field.remote_field.through
        names = [f.attname for f in through._meta.concrete_fields]
        rows = through._base_manager.filter(**{field.m2m_field_name(): stored.pk})
        m2m_history._base_manager.bulk_create(
            m2m_history(history=record, **dict(zip(names, row, strict=True)))
            for row in rows.values_list(*names)
        )


def claim(obj, expected_version: int | None, *, fields=None) -> None:
    """Move obj from expected_version to the next one in the database, or raise
    StaleVersion. Call it inside the write's transaction.atomic(), before saving: the
    claimed row stays locked until the write commits, so nobody claims in between.

    expected_version None: the version stored now (writes without a form, e.g. a Sachstand
    from an import, which only need to wait for each other).
    fields: what this write changes (None: everything). If the object moved on but none of
    these fields changed meanwhile (a colleague's Sachstand kept the state the user is
    editing the texts of), nothing would be overwritten: the write goes ahead on the
    current version and takes over the other fields as stored."""
    model = type(obj)
    name = version_field(model)
    rows = model._base_manager.filter(pk=obj.pk)
    if expected_version is None:
        expected_version = rows.values_list(name, flat=True).get()
    if rows.filter(**{name: expected_version}).update(**{name: F(name) + 1}):
        stored = _stored_without_history(obj)
        if stored is not None:
            _record_baseline(stored, expected_version)
        setattr(obj, name, expected_version + 1)
        return
    fresh = model._base_manager.get(pk=obj.pk)
    conflict = stale_version(fresh, expected_version)
    if fields is not None and conflict.seen is not None and conflict.current is not None:
        fields = set(fields)
        if not any(change.field in fields for change in conflict.changes):
            now = getattr(fresh, name)
            if rows.filter(**{name: now}).update(**{name: F(name) + 1}):
                # Take over what others changed, so this write's history record keeps it.
                for model_field in model._meta.concrete_fields:
                    if model_field.name not in fields:
                        setattr(obj, model_field.attname, getattr(fresh, model_field.attname))
                setattr(obj, name, now + 1)
                return
            conflict = stale_version(model._base_manager.get(pk=obj.pk), expected_version)
    raise conflict


# --- Tokens used once --------------------------------------------------------------------------


def claim_token(token: str, *, user, purpose: str) -> None:
    """Use a one-time token (an import's confirmation) exactly once: a unique row in the
    database, committed at once, so of two requests carrying it the second is refused with
    StaleVersion even if both arrive at the same moment. Only a hash of the token is kept."""
    key = hashlib.sha256(f"{purpose}:{token}".encode()).hexdigest()
    try:
        with transaction.atomic():
            UsedToken.objects.create(key=key, purpose=purpose, used_by=user)
    except IntegrityError:
        used = UsedToken.objects.select_related("used_by").filter(key=key).first()
        who = person(used.used_by) if used is not None else None
        raise StaleVersion(
            used,
            changed_by=who,
            changed_at=used.used_at if used is not None else None,
            text=_(
                "Dieser Vorgang wurde bereits von %(who)s bestätigt (%(when)s) und wird nicht "
                "ein zweites Mal ausgeführt."
            )
            % {
                "who": who or _("einer anderen Person"),
                "when": moment(used.used_at) if used is not None else "",
            },
        ) from None


def forget_tokens(*, older_than: dt.timedelta) -> None:
    UsedToken.objects.filter(used_at__lt=timezone.now() - older_than).delete()


# --- The form --------------------------------------------------------------------------------

UNKNOWN = object()  # a value a history record did not store


def comparable(value):
    """A form or history value in one shape: texts without Windows line ends and outer
    blanks, objects as their keys, several objects as a set of keys."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return frozenset(comparable(item) for item in value)
    return value


def stored_value(model, source, name):
    """A model field's value in an object or in one of its history records, comparable;
    UNKNOWN if the record does not store it."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return UNKNOWN
    if field.many_to_many:
        if isinstance(source, model):
            return frozenset(getattr(source, name).values_list("pk", flat=True))
        history = type(source)
        if field.name not in {f.name for f in getattr(history, "_history_m2m_fields", [])}:
            return UNKNOWN
        target = field.m2m_reverse_field_name()
        return frozenset(getattr(source, name).values_list(f"{target}_id", flat=True))
    if not field.concrete:
        return UNKNOWN
    if not hasattr(source, field.attname):
        return UNKNOWN
    return comparable(getattr(source, field.attname))


def mark_fields(form, values, write, show=None):
    """Show a form refused after a conflict again so that saving it once more overwrites
    nothing silently. `values`: field name → (before, now, yours): what the user saw
    (UNKNOWN if not recorded), what is stored now, what the user sent. A field the user left
    as it was takes the stored value (`write(name, now)` puts it into the form's data); the
    user's own changes stay and are marked – more urgently, with the stored value
    (`show(name, now)`), where someone else changed that field too (or may have). Returns
    the labels of the fields marked."""
    mine = []
    for name, (before, now, yours) in values.items():
        if yours == before:
            write(name, now)
            continue
        if yours == now:  # changed the same way by both: nothing to check
            continue
        field = form.fields[name]
        if now == before:
            field.help_text = _("Ihre Eingabe (noch nicht gespeichert).")
        elif show is None:
            field.help_text = _(
                "Ihre Eingabe (noch nicht gespeichert) – jemand anderes hat dieses Feld "
                "inzwischen geändert; bitte prüfen."
            )
        else:
            field.help_text = _(
                "Ihre Eingabe (noch nicht gespeichert) – jemand anderes hat dieses Feld "
                "inzwischen geändert, gespeichert ist jetzt: „%(now)s“; bitte prüfen."
            ) % {"now": show(name, now)}
        mine.append(str(field.label))
    return mine


SHOWN_LENGTH = 120


class VersionedForm(forms.Form):
    """Mixin for every edit form of a guarded entity: carries the version the user saw
    (hidden) and, after a refused save, shows the form again on the current data.

    `versioned` (keyword): the object edited; a ModelForm's instance by default. Subclasses
    whose fields are not model fields override `locked_values`."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    #: the fields compared after a conflict (None: all but the version)
    locked_fields = None

    def __init__(self, *args, versioned=None, **kwargs):
        super().__init__(*args, **kwargs)
        if versioned is None:
            versioned = getattr(self, "instance", None)
        self.versioned = versioned
        if versioned is not None and versioned.pk:
            self.fields["version"].required = True
            if not self.is_bound:
                self.initial["version"] = version_of(versioned)

    def locked_values(self, source) -> dict:
        """{form field: comparable value} as the form shows `source` (the edited object or
        one of its history records); fields left out are not compared."""
        model = type(self.versioned)
        values = {}
        for name in self.locked_fields or self.fields:
            if name == "version" or name not in self.fields:
                continue
            value = stored_value(model, source, name)
            if value is not UNKNOWN:
                values[name] = value
        return values

    def as_data(self, name, value):
        """A stored value as the browser would send it for that field."""
        field = self.fields[name]
        if value is None:
            return ""
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return field.widget.format_value(value) or ""
        if isinstance(value, Decimal) and field.localize:
            return str(value).replace(".", ",")
        return str(value)

    def show(self, name, value) -> str:
        """A stored value as the user reads it in this form (choices by their label)."""
        field = self.fields[name]
        if value in (None, "", frozenset()):
            return "–"
        choices = getattr(field, "choices", None)
        if choices is not None and not isinstance(value, bool):
            labels = {str(key): str(label) for key, label in choices}
            keys = sorted(value) if isinstance(value, frozenset) else [value]
            text = ", ".join(labels.get(str(key), str(key)) for key in keys)
        else:
            text = display_value(value)
        return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"

    def rebase(self, conflict: StaleVersion) -> list[str]:
        """After `conflict`: every field the user left as it was shows the current value,
        the user's own changes stay and are marked, the version is the current one – so a
        second save is a decision on the current data. Returns the labels of the user's
        changes (for the conflict screen)."""
        now = self.locked_values(conflict.obj)
        before = self.locked_values(conflict.seen) if conflict.seen is not None else {}
        cleaned = getattr(self, "cleaned_data", {})
        yours = {name: comparable(cleaned.get(name)) for name in now}
        data = self.data.copy()

        def write(name, value):
            key = self.add_prefix(name)
            if isinstance(value, frozenset):
                data.setlist(key, [str(pk) for pk in sorted(value)])
            elif value is True or value is False:
                data.pop(key, None)
                if value:
                    data[key] = "on"
            else:
                data[key] = self.as_data(name, value)

        values = {
            name: (before.get(name, UNKNOWN), value, yours[name])
            for name, value in now.items()
            if value is not UNKNOWN and name in self.fields
        }
        mine = mark_fields(self, values, write, self.show)
        data[self.add_prefix("version")] = str(conflict.version)
        self.data = data
        # Bound fields copy their help text when first built: build them again.
        self._bound_fields_cache.clear()
        return mine
