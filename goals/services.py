import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

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
                "date": reference_date.strftime("%d.%m.%Y"),
            }
        }
    )


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
    try:
        item.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise _duplicate_error(indicator, reference_date, breakdown) from None
        raise
    item._history_user = user
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # A colleague saved the same value a moment earlier.
        raise _duplicate_error(indicator, reference_date, breakdown) from None
    return item


def indicator_value_newest_record(item: IndicatorValue) -> int:
    """The id of a Kennzahlwert's newest history record (0 without one): what an edit form
    remembers, since values carry no version of their own."""
    return (
        IndicatorValue.history.filter(id=item.pk)
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
        or 0
    )


class IndicatorValueConflict(Exception):
    """The value was changed after the editor loaded it; `item` is the current one."""

    def __init__(self, item: IndicatorValue, newest_record: int):
        self.item = item
        self.newest_record = newest_record
        super().__init__(item)


UNCHECKED = object()


@transaction.atomic
def indicator_value_update(
    *, item: IndicatorValue, user, expected_record=UNCHECKED, **fields
) -> IndicatorValue:
    """Change a Kennzahlwert. Given `expected_record` (the newest history record the editor
    saw, None if unknown) a change made meanwhile is refused with IndicatorValueConflict,
    under a row lock so that of two editors saving at once the second sees the first's."""
    if expected_record is not UNCHECKED:
        item = (
            IndicatorValue.objects.select_for_update(of=("self",))
            .select_related("indicator")
            .get(pk=item.pk)
        )
        newest = indicator_value_newest_record(item)
        if expected_record != newest:
            raise IndicatorValueConflict(item, newest)
    for name, value in fields.items():
        setattr(item, name, value)
    try:
        item.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise _duplicate_error(item.indicator, item.reference_date, item.breakdown) from None
        raise
    item._history_user = user
    item.save()
    return item
