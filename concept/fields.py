"""Form helpers: dates and numbers as German offices enter them, service errors on forms.
(Forms shown again after a conflict: concept.locking.VersionedForm.)"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from concept import formatting

GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def parse_german_number(text: str) -> str:
    """ "21.350" → "21350", "1.250,50" → "1250.50", "12,5" → "12.5"; "12.5" stays.

    Dots are thousands separators only where they group digits in threes, so an
    English-style "12.5" is still read as twelve and a half.
    """
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if GROUPED.match(text):
        text = text.replace(".", "")
    return text.replace(",", ".")


class GermanDecimalField(forms.DecimalField):
    """A decimal typed the German way; shown with a decimal comma."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Decimal(parse_german_number(str(value)))
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


# The ways a date reaches the portal as text: typed the German way, or ISO 8601.
READABLE_DATES = [formatting.DATE_FORMAT, "%Y-%m-%d"]


class DateInput(forms.DateInput):
    """The portal's one date control: the browser's date field. It shows and takes the date
    in the reader's format (TT.MM.JJJJ in a German browser), offers a calendar, on phones
    the system's picker, and sends ISO 8601, so nobody has to learn a typed format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        # Text submitted or linked comes back as typed (?seit=01.06.2025); the date field
        # shows ISO dates only, so a readable date is converted and anything else kept.
        if isinstance(value, str):
            value = read_date(value) or value
        return super().format_value(value)


class DateField(forms.DateField):
    """The portal's one date field, for every form: the browser's date control (DateInput),
    which sends ISO 8601; a date typed or linked the German way (31.12.2025) is read too,
    whatever language is active. One message for anything else."""

    widget = DateInput
    input_formats = READABLE_DATES
    default_error_messages = {
        "invalid": _("Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025."),
    }


def read_date(text: str) -> dt.date | None:
    """A date written in one of READABLE_DATES, or None."""
    for pattern in READABLE_DATES:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def add_service_errors(form, error):
    """Show a service's or a rule's errors (a ValidationError, or a dict {field: message(s)})
    at the fields they name; errors on fields the form doesn't have (or without a field)
    appear above the form instead of failing. A message already shown at its place is not
    repeated."""
    if isinstance(error, dict):
        error = ValidationError(error)
    if not hasattr(error, "error_dict"):
        _add_new(form, None, error.messages)
        return
    for name, messages in error.message_dict.items():
        _add_new(form, name if name in form.fields else None, messages)


def _add_new(form, name, messages):
    shown = form.errors.get(name or NON_FIELD_ERRORS, [])
    new = [message for message in messages if message not in shown]
    if new:
        form.add_error(name, new)


def query_datetime(value: str | None):
    """A moment from a URL parameter (ISO 8601, as the portal's own links write it): None
    when absent, aware otherwise. ValueError for anything that is not a moment the database
    can compare with: malformed, impossible (30 February) or beyond the calendar once in UTC
    (9999-12-31T23:59:59-23:59), which would otherwise fail deep in the query."""
    if not value:
        return None
    moment = parse_datetime(value)  # raises ValueError for impossible dates
    if moment is None:
        raise ValueError(value)
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(value) from None
    return moment
