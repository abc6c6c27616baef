"""What reading a source would change: per Kennzahl new, changed or unchanged, and per value
old → new. Built without writing; goals.services.statistics_import_apply writes it.

Every value passes the Kennzahl's own rules (IndicatorValue.clean) here, so a number the
portal would refuse when typed in is refused with the file and line it came from."""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import formatting
from goals.models import PERCENT_UNITS, Indicator, IndicatorValue
from goals.statistics.base import Reading, Record, Series, StatisticsFileError

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
STATUS_LABELS = {
    NEW: gettext_lazy("neu"),
    CHANGED: gettext_lazy("geändert"),
    UNCHANGED: gettext_lazy("unverändert"),
}
# Values are stored with three decimals (IndicatorValue.value); the raw row keeps all.
STORED = Decimal("0.001")
UNIT_MAX = Indicator._meta.get_field("unit").max_length
NAME_MAX = Indicator._meta.get_field("name").max_length
SOURCE_MAX = Indicator._meta.get_field("source").max_length
BREAKDOWN_MAX = IndicatorValue._meta.get_field("breakdown").max_length
PERIOD_MAX = IndicatorValue._meta.get_field("period").max_length


def stored(value: Decimal) -> Decimal:
    return value.quantize(STORED, rounding=ROUND_HALF_UP)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def kennzahl_unit(unit: str, values: list[Decimal]) -> str:
    """The Kennzahl's unit for what the source writes: a per cent outside 0–100 is a change
    in per cent, not a share; no unit is a count where every value is one, else a plain
    number ("Wert")."""
    if unit.lower() in PERCENT_UNITS and any(not 0 <= v <= 100 for v in values):
        return _("% (Veränderung)")
    if not unit:
        if all(v >= 0 and v == v.to_integral_value() for v in values):
            return _("Anzahl")
        return _("Wert")
    return shorten(unit, UNIT_MAX)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ValueLine:
    record: Record
    value: Decimal | None  # as stored; None for a value that is gone
    item: IndicatorValue | None = None  # the value stored now
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.record.period} {self.record.breakdown}".strip() if self.record else ""


@dataclass
class IndicatorPlan:
    series: Series
    indicator: Indicator | None
    fields: dict
    field_changes: list[FieldChange] = field(default_factory=list)
    new: list[ValueLine] = field(default_factory=list)
    changed: list[ValueLine] = field(default_factory=list)
    unchanged: list[ValueLine] = field(default_factory=list)
    removed: list[IndicatorValue] = field(default_factory=list)
    empty: list[Record] = field(default_factory=list)  # the source has no number there

    @property
    def status(self) -> str:
        if self.indicator is None:
            return NEW
        if self.field_changes or self.new or self.changed or self.removed:
            return CHANGED
        return UNCHANGED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def name(self) -> str:
        return self.fields["name"]


@dataclass
class Plan:
    concept: object
    source: object
    region_key: str
    reading: Reading
    indicators: list[IndicatorPlan]
    skipped: list[Series] = field(default_factory=list)  # no number for the region at all

    def count(self, status) -> int:
        return sum(1 for plan in self.indicators if plan.status == status)

    @property
    def values_new(self):
        return sum(len(p.new) for p in self.indicators)

    @property
    def values_changed(self):
        return sum(len(p.changed) for p in self.indicators)

    @property
    def values_removed(self):
        return sum(len(p.removed) for p in self.indicators)

    @property
    def values_unchanged(self):
        return sum(len(p.unchanged) for p in self.indicators)

    @property
    def values_empty(self):
        return sum(len(p.empty) for p in self.indicators)

    @property
    def has_changes(self) -> bool:
        return any(p.status != UNCHANGED for p in self.indicators)

    @property
    def summary(self) -> str:
        return _(
            "Kennzahlen: %(new)s neu, %(changed)s geändert, %(unchanged)s unverändert; "
            "Werte: %(vnew)s neu, %(vchanged)s geändert, %(vremoved)s entfallen, "
            "%(vunchanged)s unverändert, %(empty)s ohne Zahl in der Quelle"
        ) % {
            "new": self.count(NEW),
            "changed": self.count(CHANGED),
            "unchanged": self.count(UNCHANGED),
            "vnew": self.values_new,
            "vchanged": self.values_changed,
            "vremoved": self.values_removed,
            "vunchanged": self.values_unchanged,
            "empty": self.values_empty,
        }

    def fingerprint(self) -> str:
        """Changes as planned: a confirmation applies only the plan that was previewed."""
        parts = []
        for plan in self.indicators:
            parts.append([plan.series.indicator_id, plan.series.unit, plan.status])
            parts.append([[c.label, c.old, c.new] for c in plan.field_changes])
            for line in plan.new + plan.changed:
                parts.append([line.record.file, line.record.line, str(line.value)])
                parts.append([line.item.pk, line.item.version] if line.item else None)
            parts.append(sorted([i.pk, i.version] for i in plan.removed))
        data = json.dumps(parts, ensure_ascii=False, default=str).encode()
        return hashlib.sha256(data).hexdigest()


def _source_text(source, series: Series) -> str:
    text = source.short_label
    if series.data_source:
        text = f"{text} – {series.data_source}"
    return shorten(text, SOURCE_MAX)


def _check_value(indicator: Indicator, record: Record, value: Decimal):
    item = IndicatorValue(
        indicator=indicator,
        reference_date=record.reference_date,
        period=record.period,
        value=value,
        breakdown=record.breakdown,
        note=record.note,
    )
    try:
        item.clean_fields(exclude=["indicator", "statistics_import"])
        item.clean()
    except ValidationError as error:
        raise StatisticsFileError(record.file, " ".join(error.messages), line=record.line) from None


def _records_by_series(reading: Reading) -> dict:
    """The records per Kennzahl, each value once: a row repeated with the same number is
    read once; the same year and breakdown with two numbers is refused."""
    grouped = defaultdict(dict)
    for record in reading.records:
        if len(record.breakdown) > BREAKDOWN_MAX:
            raise StatisticsFileError(
                record.file,
                _("Die Aufschlüsselung „%(text)s…“ ist länger als %(max)s Zeichen.")
                % {"text": record.breakdown[:40], "max": BREAKDOWN_MAX},
                line=record.line,
            )
        if len(record.period) > PERIOD_MAX:
            raise StatisticsFileError(
                record.file,
                _("Der Zeitraum „%(text)s…“ ist länger als %(max)s Zeichen.")
                % {"text": record.period[:40], "max": PERIOD_MAX},
                line=record.line,
            )
        seen = grouped[record.series_key].get(record.value_key)
        if seen is None:
            grouped[record.series_key][record.value_key] = record
        elif seen.value != record.value:
            raise StatisticsFileError(
                record.file,
                _(
                    "Für %(period)s%(breakdown)s steht schon in Zeile %(other)s ein anderer "
                    "Wert (%(old)s statt %(new)s)."
                )
                % {
                    "period": record.period,
                    "breakdown": f" ({record.breakdown})" if record.breakdown else "",
                    "other": seen.line,
                    "old": seen.value if seen.value is not None else "–",
                    "new": record.value if record.value is not None else "–",
                },
                line=record.line,
            )
    return grouped


def build_plan(*, concept, source, region_key: str, reading: Reading) -> Plan:
    existing = {
        (i.statistics_id, i.statistics_unit): i
        for i in Indicator.objects.filter(concept=concept, statistics_source=source)
    }
    stored_values = defaultdict(dict)
    for item in IndicatorValue.objects.filter(indicator__in=list(existing.values())):
        stored_values[item.indicator_id][(item.reference_date, item.breakdown)] = item
    names_taken = dict(Indicator.objects.filter(concept=concept).values_list("name", "pk"))
    grouped = _records_by_series(reading)
    order = sorted(reading.series.values(), key=lambda s: (s.sort_key, s.indicator_id, s.unit))
    plan = Plan(
        concept=concept, source=source, region_key=region_key, reading=reading, indicators=[]
    )
    for series in order:
        records = list(grouped.get(series.key, {}).values())
        indicator = existing.get(series.key)
        numbers = [stored(r.value) for r in records if r.value is not None]
        if indicator is None and not numbers:
            plan.skipped.append(series)
            continue
        name = shorten(series.title, NAME_MAX)
        owner = names_taken.get(name)
        if owner is not None and (indicator is None or owner != indicator.pk):
            name = shorten(series.title, NAME_MAX - len(series.indicator_id) - 3)
            name = f"{name} ({series.indicator_id})"
            if series.unit and names_taken.get(name) not in (None, getattr(indicator, "pk", 0)):
                name = f"{name[: NAME_MAX - len(series.unit) - 3]} ({series.unit})"
        names_taken[name] = indicator.pk if indicator else -len(plan.indicators) - 1
        fields = {
            "name": name,
            "unit": kennzahl_unit(series.unit, numbers),
            "description": series.description,
            "source": _source_text(source, series),
            "statistics_note": series.note,
        }
        item_plan = IndicatorPlan(series=series, indicator=indicator, fields=fields)
        check_as = Indicator(concept=concept, **fields)
        if indicator is not None:
            labels = {
                "name": _("Bezeichnung"),
                "unit": _("Einheit"),
                "description": _("Definition"),
                "source": _("Quelle"),
                "statistics_note": _("Hinweise der Quelle"),
            }
            for name_, label in labels.items():
                old = getattr(indicator, name_)
                if old != fields[name_]:
                    item_plan.field_changes.append(
                        FieldChange(label, shorten(old, 120) or "–", shorten(fields[name_], 120))
                    )
        current = dict(stored_values.get(getattr(indicator, "pk", None), {}))
        for record in sorted(records, key=lambda r: (r.reference_date, r.breakdown)):
            item = current.pop(record.value_key, None)
            if record.value is None:
                item_plan.empty.append(record)
                if item is not None and item.statistics_import_id:
                    item_plan.removed.append(item)
                elif item is not None:
                    current[record.value_key] = item  # typed in: not the source's to remove
                continue
            value = stored(record.value)
            _check_value(check_as, record, value)
            line = ValueLine(record=record, value=value, item=item)
            if item is None:
                item_plan.new.append(line)
                continue
            compare = [
                (_("Wert"), item.value, value),
                (_("Zeitraum"), item.period, record.period),
                (_("Zeitreihenbruch"), item.series_break, record.series_break),
                (_("Anmerkung"), item.note, record.note),
            ]
            for label, old, new in compare:
                if old != new:
                    line.changes.append(FieldChange(label, _show(old), _show(new)))
            if line.changes or item.statistics_import_id is None:
                if not line.changes:
                    line.changes.append(
                        FieldChange(_("Herkunft"), _("von Hand erfasst"), source.short_label)
                    )
                item_plan.changed.append(line)
            else:
                item_plan.unchanged.append(line)
        # Values the source no longer has for the region; typed-in values stay.
        item_plan.removed.extend(i for i in current.values() if i.statistics_import_id)
        plan.indicators.append(item_plan)
    return plan


def _show(value) -> str:
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, Decimal):
        return formatting.number(value, max(0, -value.normalize().as_tuple().exponent))
    return str(value) if value not in (None, "") else "–"


def plan_folder(*, concept, source, region_key: str, folder) -> Plan:
    """Read a folder in the source's format and compare it with what is stored."""
    from goals.statistics.base import get_format

    reading = get_format(source.format).read(folder, region_key)
    return build_plan(concept=concept, source=source, region_key=region_key, reading=reading)
