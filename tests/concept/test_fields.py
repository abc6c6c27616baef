import datetime as dt
import importlib

import pytest
from django import forms
from django.core.exceptions import ValidationError

from concept.fields import DateField, DateInput


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 3, 12), "2026-03-12"),
        ("2026-03-12", "2026-03-12"),
        ("12.03.2026", "2026-03-12"),  # typed or linked the German way
        ("32.13.2026", "32.13.2026"),  # unreadable: left for the error message
        (None, None),
    ],
)
def test_date_input_shows_dates_as_the_browser_reads_them(value, shown):
    assert DateInput().format_value(value) == shown


def test_date_input_is_the_browsers_date_field():
    html = DateInput().render("datum", dt.date(2026, 3, 12))
    assert html == '<input type="date" name="datum" value="2026-03-12">'


@pytest.mark.parametrize(
    ("typed", "date"),
    [
        ("2026-03-12", dt.date(2026, 3, 12)),  # what the browser's date control sends
        ("12.03.2026", dt.date(2026, 3, 12)),  # typed the German way
        ("1.6.2025", dt.date(2025, 6, 1)),
    ],
)
def test_date_field_reads_iso_and_german_dates(typed, date):
    assert DateField().clean(typed) == date


@pytest.mark.parametrize("typed", ["31.02.2026", "12/03/2026", "März 2026", "2026-13-01"])
def test_date_field_refuses_anything_else_with_one_message(typed):
    with pytest.raises(ValidationError) as error:
        DateField().clean(typed)
    assert error.value.messages == [
        "Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025."
    ]


def form_classes(cls=forms.BaseForm):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from form_classes(subclass)


APPS = {"concept", "goals", "measures", "networks", "reporting"}


def test_every_date_in_every_form_is_the_one_date_field():
    for module in ("goals.forms", "measures.forms", "networks.forms", "reporting.dashboard.forms"):
        importlib.import_module(module)
    dates = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in form_classes()
        if form.__module__.split(".")[0] in APPS
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    assert {
        "goals.forms.IndicatorValueForm.reference_date",
        "measures.forms.ProgressEntryForm.date",
        "measures.forms.MeasureForm.start_date",
        "measures.forms.MeasureForm.end_date",
        "measures.forms.DecisionForm.follow_up_date",
        "networks.forms.MeetingForm.date",
        "reporting.dashboard.forms.ChangesSinceForm.seit",
    } <= set(dates)
    for name, field in dates.items():
        assert type(field) is DateField and type(field.widget) is DateInput, name
