import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from goals.models import COUNT_UNITS, NUMBER_WORDS, Indicator, IndicatorValue


def indicator(**fields):
    return Indicator(name="Quote", **({"unit": "Prozent"} | fields))


@pytest.mark.parametrize(
    ("baseline", "target", "value", "expected"),
    [
        (0, 40, 33, Decimal(83)),  # 82.5 %, half up
        (0, 40, 31, Decimal(78)),  # 77.5 %
        (0, 20, Decimal("16.5"), Decimal(83)),
        (Decimal("14.5"), 10, Decimal("12.25"), Decimal(50)),  # lower is better
        (0, 40, 50, Decimal(100)),  # beyond the target
        (10, 40, 5, Decimal(0)),  # behind the baseline
        (0, 40, None, None),
        (None, 40, 33, None),
        (40, 40, 33, None),
    ],
)
def test_attainment_is_the_way_from_baseline_to_target_rounded_half_up(
    baseline, target, value, expected
):
    assert indicator(baseline_value=baseline, target_value=target).attainment(value) == expected


@pytest.mark.parametrize(
    ("unit", "percent", "count", "shown"),
    [
        ("%", True, False, "%"),
        (" Prozent ", True, False, "%"),
        ("v. H.", True, False, "%"),
        ("Anzahl", False, True, ""),
        ("Personen", False, True, "Personen"),
        ("Plätze", False, True, "Plätze"),
        ("Euro", False, False, "Euro"),
    ],
)
def test_units(unit, percent, count, shown):
    item = indicator(unit=unit)
    assert (item.is_percent, item.is_count, item.display_unit) == (percent, count, shown)


def test_number_words_are_counts():
    assert NUMBER_WORDS < COUNT_UNITS


@pytest.mark.parametrize(
    ("unit", "change", "expected"),
    [
        ("Prozent", Decimal("3"), "+3 Prozentpunkte"),
        ("%", Decimal("-1"), "-1 Prozentpunkt"),
        ("Personen", Decimal("12"), "+12 Personen"),
        ("Anzahl", Decimal("-3"), "-3"),
    ],
)
def test_a_change_of_a_share_is_in_percentage_points(unit, change, expected):
    assert indicator(unit=unit).format_change(change) == expected


def value_errors(unit, value, reference_date=None):
    item = IndicatorValue(
        indicator=indicator(unit=unit),
        value=Decimal(value),
        reference_date=reference_date or dt.date(2024, 12, 31),
    )
    try:
        item.clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(
    ("unit", "value", "errors"),
    [
        ("Personen", "12", {}),
        (
            "Personen",
            "12.5",
            {"value": ["Personen werden als ganze, nicht negative Zahl erfasst."]},
        ),
        ("Anzahl", "-3", {"value": ["Anzahl werden als ganze, nicht negative Zahl erfasst."]}),
        ("Prozent", "99.5", {}),
        ("%", "150", {"value": ["Ein Anteil in Prozent liegt zwischen 0 und 100."]}),
        ("Prozent", "-1", {"value": ["Ein Anteil in Prozent liegt zwischen 0 und 100."]}),
        ("Euro", "-12.5", {}),
    ],
)
def test_a_value_fits_its_unit(unit, value, errors):
    assert value_errors(unit, value) == errors


def test_a_value_is_counted_by_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 11, 27))
    assert value_errors("Personen", "1", dt.date(2026, 11, 27)) == {}
    assert value_errors("Personen", "1", dt.date(2026, 12, 31)) == {
        "reference_date": [
            "Der Stichtag 31.12.2026 liegt in der Zukunft; erfasst werden Werte bis heute "
            "(27.11.2026)."
        ]
    }


@pytest.mark.django_db
def test_keeper_of_a_kennzahl_is_a_member_of_its_concept():
    from concept import roles
    from tests.factories import ConceptFactory, IndicatorFactory, UserFactory, add_member

    concept = ConceptFactory()
    kennzahl = IndicatorFactory(concept=concept)
    kennzahl.keeper = UserFactory(username="fremd")
    with pytest.raises(ValidationError) as error:
        kennzahl.full_clean()
    assert error.value.message_dict["keeper"] == ["Die Person ist kein Mitglied dieses Konzepts."]
    add_member(concept, kennzahl.keeper, roles.MEASURE_OWNERS)
    kennzahl.full_clean()
