"""The Kennzahlwert form reports the Kennzahl's rules together with the fields' errors."""

import pytest

from goals.forms import IndicatorValueForm
from tests.factories import ConceptFactory, IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(db):
    return IndicatorFactory(concept=ConceptFactory(), unit="Personen")


def test_unit_rule_and_missing_year_come_together(indicator):
    form = IndicatorValueForm({"value": "-3", "source": "x" * 301}, indicator=indicator)
    assert not form.is_valid()
    assert set(form.errors) == {"year", "value", "source"}
    assert form.errors["value"] == ["Personen werden als ganze, nicht negative Zahl erfasst."]


def test_a_value_for_a_taken_stichtag_comes_with_the_other_errors(indicator):
    IndicatorValueFactory(indicator=indicator, reference_date="2020-12-31", value=5)
    form = IndicatorValueForm(
        {"year": "2020", "value": "1,5", "note": "x" * 301}, indicator=indicator
    )
    assert not form.is_valid()
    assert set(form.errors) == {"year", "value", "note"}
    assert "gibt es zum 31.12.2020 schon einen Wert" in form.errors["year"][0]


def test_a_valid_value_passes(indicator):
    assert IndicatorValueForm({"year": "2020", "value": "12"}, indicator=indicator).is_valid()
