import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concept import formatting, locking
from goals.models import Indicator, IndicatorValue


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
) -> IndicatorValue:
    item = IndicatorValue(
        indicator=indicator,
        reference_date=reference_date,
        value=value,
        breakdown=breakdown,
        period=period,
        source=source,
        note=note,
    )
    indicator_value_check(item)
    item._history_user = user
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # A colleague saved the same value a moment earlier.
        raise _duplicate_error(indicator, reference_date, breakdown) from None
    return item


@transaction.atomic
def indicator_value_update(
    *, item: IndicatorValue, user, expected_version: int | None, **fields
) -> IndicatorValue:
    """Change a Kennzahlwert. expected_version: the version the editor saw (None: as stored
    now); a change made meanwhile is refused with concept.locking.StaleVersion."""
    for name, value in fields.items():
        setattr(item, name, value)
    indicator_value_check(item)
    locking.claim(item, expected_version)
    item._history_user = user
    item.save(update_fields=[*fields, "version"])
    return item
