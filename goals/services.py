import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concept import formatting, locking
from goals.models import (
    Indicator,
    IndicatorValue,
    SourceFile,
    StatisticsImport,
    StatisticsRegion,
    StatisticsSource,
)


def _duplicate_error(indicator, reference_date, breakdown):
    label = f" ({breakdown})" if breakdown else ""
    return ValidationError(
        {
            "reference_date": _(
                "Für %(indicator)s%(label)s gibt es zum %(date)s schon einen Wert. "
                "Bitte den vorhandenen Wert bearbeiten."
            )
            % {
                "indicator": indicator.name,
                "label": label,
                "date": formatting.date(reference_date),
            }
        }
    )


def indicator_value_check(item: IndicatorValue, exclude=()) -> None:
    """Raise the ValidationError with every reason a Kennzahlwert is refused: its fields,
    the Kennzahl's rules (IndicatorValue.clean) and a value that exists already for that
    Stichtag. exclude: fields not to check (a form's fields that failed their own check)."""
    try:
        item.full_clean(exclude=exclude)
    except ValidationError as error:
        if NON_FIELD_ERRORS not in error.error_dict:
            raise
        # The only rule over the whole value is the unique Stichtag (and Aufschlüsselung).
        errors = {k: v for k, v in error.error_dict.items() if k != NON_FIELD_ERRORS}
        duplicate = _duplicate_error(item.indicator, item.reference_date, item.breakdown)
        for name, messages in duplicate.error_dict.items():
            errors[name] = errors.get(name, []) + messages
        raise ValidationError(errors) from None


@transaction.atomic
def indicator_value_create(
    *,
    indicator: Indicator,
    user,
    reference_date: dt.date,
    value,
    breakdown: str = "",
    period: str = "",
    source: str = "",
    note: str = "",
    series_break: bool = False,
    statistics_import: StatisticsImport | None = None,
    statistics_id: str = "",
    raw_file: str = "",
    raw_line: int | None = None,
    raw_row: str = "",
    reason: str = "",
) -> IndicatorValue:
    item = IndicatorValue(
        indicator=indicator,
        reference_date=reference_date,
        value=value,
        breakdown=breakdown,
        period=period,
        source=source,
        note=note,
        series_break=series_break,
        statistics_import=statistics_import,
        statistics_id=statistics_id,
        raw_file=raw_file,
        raw_line=raw_line,
        raw_row=raw_row,
    )
    indicator_value_check(item)
    item._history_user = user
    if reason:
        item._change_reason = reason
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # A colleague saved the same value a moment earlier.
        raise _duplicate_error(indicator, reference_date, breakdown) from None
    return item


@transaction.atomic
def indicator_value_update(
    *, item: IndicatorValue, user, expected_version: int | None, reason: str = "", **fields
) -> IndicatorValue:
    """Change a Kennzahlwert. expected_version: the version the editor saw (None: as stored
    now); a change made meanwhile is refused with concept.locking.StaleVersion."""
    for name, value in fields.items():
        setattr(item, name, value)
    indicator_value_check(item)
    locking.claim(item, expected_version)
    item._history_user = user
    if reason:
        item._change_reason = reason
    item.save(update_fields=[*fields, "version"])
    return item


# Where Kennzahlen read from statistics start in the concept's order of Kennzahlen.
STATISTICS_POSITION = 1000


def statistics_reason(source: StatisticsSource) -> str:
    """The reason every value written by a reading carries in its history."""
    return _("Amtliche Statistik: %(source)s") % {"source": source.short_label}


@transaction.atomic
def statistics_region_set(
    *, concept, source: StatisticsSource, region_key: str, refresh_days: int | None = None
) -> StatisticsRegion:
    """The concept's region in the source; a region once read is not switched silently:
    its values would be another district's."""
    region = StatisticsRegion.objects.filter(concept=concept, source=source).first()
    if region is None:
        region = StatisticsRegion(
            concept=concept, source=source, region_key=region_key, refresh_days=refresh_days
        )
        region.full_clean()
        region.save()
        return region
    if region.region_key != region_key:
        if source.imports.filter(concept=concept).exists():
            raise ValidationError(
                {
                    "region_key": _(
                        "Für dieses Konzept ist bei „%(source)s“ der Regionalschlüssel "
                        "%(key)s hinterlegt; Werte einer anderen Region würden ihn mischen."
                    )
                    % {"source": source, "key": region.region_key}
                }
            )
        region.region_key = region_key
        region.full_clean()
        region.save(update_fields=["region_key"])
    return region


@transaction.atomic
def statistics_import_apply(*, plan, user, origin: str) -> StatisticsImport:
    """Write a reading as planned (goals.statistics.plan): all of it or, on any refusal,
    nothing. A value a person changed since the plan was made stops it (StaleVersion)."""
    source, concept = plan.source, plan.concept
    region = statistics_region_set(concept=concept, source=source, region_key=plan.region_key)
    reading = StatisticsImport(
        concept=concept,
        source=source,
        region_key=plan.region_key,
        user=user if getattr(user, "pk", None) else None,
        origin=origin,
        read_at=timezone.now(),
    )
    reading.full_clean()
    reading.save()
    SourceFile.objects.bulk_create(
        SourceFile(statistics_import=reading, name=f.name, sha256=f.sha256, size=f.size)
        for f in plan.reading.files
    )
    reason = statistics_reason(source)
    history_user = user if getattr(user, "pk", None) else None
    for index, item_plan in enumerate(plan.indicators):
        indicator = item_plan.indicator
        if indicator is None:
            indicator = Indicator(
                concept=concept,
                # After the concept's own figures, in the source's order.
                position=STATISTICS_POSITION + index,
                statistics_source=source,
                statistics_id=item_plan.series.indicator_id,
                statistics_unit=item_plan.series.unit,
                direction=Indicator.Direction.NEUTRAL,
                **item_plan.fields,
            )
            indicator.full_clean()
            indicator.save()
            reading.indicators_created += 1
        elif item_plan.field_changes:
            for name, value in item_plan.fields.items():
                setattr(indicator, name, value)
            indicator.full_clean()
            indicator.save(update_fields=list(item_plan.fields))
        for line in item_plan.new:
            record = line.record
            indicator_value_create(
                indicator=indicator,
                user=history_user,
                reference_date=record.reference_date,
                value=line.value,
                breakdown=record.breakdown,
                period=record.period,
                source=indicator.source,
                note=record.note,
                series_break=record.series_break,
                statistics_import=reading,
                statistics_id=record.indicator_id,
                raw_file=record.file,
                raw_line=record.line,
                raw_row=record.raw_row,
                reason=reason,
            )
        for line in item_plan.changed:
            record = line.record
            indicator_value_update(
                item=line.item,
                user=history_user,
                expected_version=line.item.version,
                reason=reason,
                value=line.value,
                period=record.period,
                source=indicator.source,
                note=record.note,
                series_break=record.series_break,
                statistics_import=reading,
                statistics_id=record.indicator_id,
                raw_file=record.file,
                raw_line=record.line,
                raw_row=record.raw_row,
            )
        for item in item_plan.removed:
            # Claimed like a change: a value a person edited meanwhile is not removed.
            locking.claim(item, item.version)
            item._history_user = history_user
            item._change_reason = reason
            item.delete()
        for line in item_plan.unchanged:
            # Where in the newest files the same number stands; not a change of the value.
            record, item = line.record, line.item
            where = {"raw_file": record.file, "raw_line": record.line, "raw_row": record.raw_row}
            if any(getattr(item, k) != v for k, v in where.items()):
                IndicatorValue.objects.filter(pk=item.pk).update(**where)
        reading.values_created += len(item_plan.new)
        reading.values_changed += len(item_plan.changed)
        reading.values_removed += len(item_plan.removed)
        reading.values_unchanged += len(item_plan.unchanged)
    reading.save()
    region.read_at = reading.read_at
    region.save(update_fields=["read_at"])
    return reading
