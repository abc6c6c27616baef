import datetime as dt
from decimal import Decimal

import pytest

from goals.models import Indicator
from reporting.dashboard.structure import situation_figures
from tests.factories import ConceptFactory, IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db


def indicator_with(values):
    concept = ConceptFactory()
    indicator = IndicatorFactory(concept=concept, name="Einwohner", unit="Personen")
    for day, breakdown, value in values:
        IndicatorValueFactory(
            indicator=indicator,
            reference_date=dt.date.fromisoformat(day),
            breakdown=breakdown,
            value=Decimal(value),
        )
    return Indicator.objects.filter(pk=indicator.pk).prefetch_related("values")


def test_remainder_is_shown_as_ohne_angabe():
    (figure,) = situation_figures(
        indicator_with([("2019-12-31", "", 100), ("2019-12-31", "m", 60), ("2019-12-31", "w", 38)])
    )
    assert figure.total == 100
    assert [(r.label, r.value, r.derived) for r in figure.rows] == [
        ("m", 60, False),
        ("w", 38, False),
        ("ohne Angabe", 2, True),
    ]


def test_no_remainder_is_invented_when_parts_add_up_or_total_missing():
    (complete,) = situation_figures(
        indicator_with([("2019-12-31", "", 10), ("2019-12-31", "m", 6), ("2019-12-31", "w", 4)])
    )
    assert [r.label for r in complete.rows] == ["m", "w"]
    (partial,) = situation_figures(indicator_with([("2019-12-31", "Polen", 5)]))
    assert partial.total is None and [r.label for r in partial.rows] == ["Polen"]


def test_latest_reference_date_is_shown():
    (figure,) = situation_figures(
        indicator_with([("2019-12-31", "", 100), ("2020-12-31", "", 120)])
    )
    assert figure.reference_date == dt.date(2020, 12, 31) and figure.total == 120


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("21.350", "21350"),
        ("1.250,50", "1250.50"),
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("1.234.567", "1234567"),
        (" 3 500 ", "3500"),
        ("-0,75", "-0.75"),
    ],
)
def test_german_numbers_are_read_as_typed(typed, expected):
    from concept.fields import GermanDecimalField

    assert GermanDecimalField(required=False).clean(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (20714, 2, "20.714"),
        (Decimal("12.5"), 2, "12,5"),
        (Decimal("0.275"), 2, "0,28"),
        (Decimal("0.275"), 1, "0,3"),
        (Decimal("1250.50"), 2, "1.250,5"),
        (Decimal("99.999"), 2, "100"),
        (None, 2, ""),
    ],
)
def test_num_filter_rounds_and_groups_the_german_way(value, decimals, shown):
    from concept.templatetags.portal import num

    assert num(value, decimals) == shown


def test_service_errors_on_fields_the_form_lacks_show_above_the_form():
    from django import forms
    from django.core.exceptions import ValidationError

    from concept.fields import add_service_errors

    class Form(forms.Form):
        title = forms.CharField()

    form = Form({"title": "x"})
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"title": "Titel fehlt.", "deviation": "Bitte begründen."})
    )
    assert form.errors["title"] == ["Titel fehlt."]
    assert form.non_field_errors() == ["Bitte begründen."]
    add_service_errors(form, ValidationError("Allgemeiner Fehler."))
    assert "Allgemeiner Fehler." in form.non_field_errors()
