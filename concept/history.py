"""Change histories as users read them: the simple-history records of any model turned into
German "Feld: alt → neu" rows and into events (who, when, what, why), newest first.

Used by the measures and by Akteure/Netzwerke, so every page shows a change the same way."""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

import simple_history.manager
import simple_history.models
from django.utils.translation import gettext as _

from concept import formatting

HISTORY_LIMIT = 50


class HistoryManager(simple_history.manager.HistoryManager):
    """The manager behind `obj.history`. simple-history derives its class from the queryset
    class (Manager.from_queryset) on every access, and so once for every record it writes;
    a row of an import paid more for that than for its database work. Derived once here."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(simple_history.models.HistoricalRecords):
    """simple-history's HistoricalRecords with the manager above; every model's history."""

    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


def display_value(value) -> str:
    """A recorded value as users read it ("in Umsetzung", "31.12.2025", "ja", "20.714,5",
    "–")."""
    if isinstance(value, list):
        return ", ".join(value) or "–"
    if value in (None, ""):
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.date):
        return formatting.date(value)
    if isinstance(value, Decimal):
        return formatting.number(value, max(0, -value.as_tuple().exponent))
    return str(value)


class HistoryReader:
    """Reads the given fields of a model's history records as users read them.

    References show the current name of what they refer to (or "(gelöscht)"); a recorded
    many-to-many field (simple-history's m2m_fields) shows the sorted names of its members
    at that time. Everything is read once for all records: one query per many-to-many field
    and one per referenced model, however many records there are."""

    def __init__(self, model, records, field_names):
        self.fields = [model._meta.get_field(name) for name in field_names]
        self._lists = {}  # (history_id, field name) → pks of a many-to-many field at that time
        for field in self.fields:
            if field.many_to_many and records:
                snapshots = getattr(model.history.model, field.name).model.objects.filter(
                    history_id__in=[record.history_id for record in records]
                )
                target = field.m2m_reverse_field_name()
                for history_id, pk in snapshots.values_list("history_id", f"{target}_id"):
                    self._lists.setdefault((history_id, field.name), set()).add(pk)
        wanted = {}  # referenced model → pks, to read their current names once per model
        for field in self.fields:
            if field.many_to_many:
                pks = {
                    pk
                    for (_id, name), found in self._lists.items()
                    if name == field.name
                    for pk in found
                }
            elif field.is_relation:
                pks = {getattr(record, field.attname) for record in records} - {None}
            else:
                continue
            wanted.setdefault(field.related_model, set()).update(pks)
        self._names = {  # (model, pk) → how the referenced row is called now
            (related, item.pk): str(item)
            for related, pks in wanted.items()
            if pks
            for item in related.objects.filter(pk__in=pks)
        }

    def _name(self, field, pk):
        return self._names.get((field.related_model, pk), _("(gelöscht)"))

    def _recorded(self, record, field):
        if field.many_to_many:
            return self._lists.get((record.history_id, field.name), set())
        return getattr(record, field.attname)

    def value(self, record, field) -> str:
        """The field's value in the record, as users read it (see display_value)."""
        value = self._recorded(record, field)
        if field.many_to_many:
            return display_value(sorted(self._name(field, pk) for pk in value))
        if value in (None, ""):
            return display_value(value)
        if field.is_relation:
            return self._name(field, value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return display_value(value)

    def changes(self, older, newer) -> list[Change]:
        """The fields that differ between two records of the same object, in field order."""
        return [
            Change(
                field.name,
                str(field.verbose_name),
                self.value(older, field),
                self.value(newer, field),
            )
            for field in self.fields
            if self._recorded(older, field) != self._recorded(newer, field)
        ]


def history_events(records, changes, shown):
    """The events of records[:shown], newest first; records are newest first, and each is
    compared with the one after it (so a record beyond `shown` only serves as a predecessor).
    changes(older, newer) lists what a change record changed; one without a visible change
    (a version bump, a save of the same values) is left out."""
    events = []
    for index, newer in enumerate(records[:shown]):
        older = records[index + 1] if index + 1 < len(records) else None
        found = []
        if older is not None and newer.history_type == "~":
            found = changes(older, newer)
            if not found:
                continue
        events.append(
            {
                "date": newer.history_date,
                "user": newer.history_user,
                # The oldest known record may be a change whose predecessor was never recorded.
                "kind": "first"
                if older is None and newer.history_type == "~"
                else {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                "changes": found,
                "reason": newer.history_change_reason or "",
            }
        )
    return events


def object_history(obj, field_names, limit=HISTORY_LIMIT):
    """The newest `limit` events of obj's history, with the changes of the given fields.
    A fixed number of queries: the records, and those of HistoryReader."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    reader = HistoryReader(type(obj), records, field_names)
    return history_events(records, reader.changes, shown=limit)
