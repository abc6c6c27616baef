"""Cells as people write them: German numbers and money, dates, ja/nein."""

import datetime as dt
from decimal import Decimal

import pytest


def test_decimal_and_date_cells():
    from concept.exchange.cells import DateCell, DecimalCell

    cell = DecimalCell(max_digits=12, decimal_places=2)
    assert cell.clean("1.250,50") == Decimal("1250.5")
    assert cell.clean("12,5") == Decimal("12.5")
    assert cell.clean("12.5") == Decimal("12.5")
    assert cell.clean(3.1) == Decimal("3.1")
    with pytest.raises(ValueError, match="zu viele Nachkommastellen"):
        cell.clean("1,234")
    dates = DateCell()
    assert dates.clean("1.2.2026") == dt.date(2026, 2, 1)
    assert dates.clean("2026-02-01") == dt.date(2026, 2, 1)
    assert dates.clean(dt.datetime(2026, 2, 1)) == dt.date(2026, 2, 1)
    with pytest.raises(ValueError, match="diesen Tag gibt es nicht"):
        dates.clean("31.02.2025")
    with pytest.raises(ValueError, match=r"erwartet TT\.MM\.JJJJ"):
        dates.clean("Februar")


def test_money_is_shown_with_two_decimals_and_grouped_thousands():
    from concept.exchange.cells import DecimalCell
    from concept.templatetags.portal import money

    assert money(Decimal("1250.5")) == "1.250,50\xa0€"
    assert money(Decimal("1234567.005")) == "1.234.567,01\xa0€"  # rounded half up
    assert money(0) == "0,00\xa0€" and money(None) == ""
    cell = DecimalCell(max_digits=12, decimal_places=2, money=True)
    assert cell.display(Decimal("1250.50")) == "1.250,50\xa0€"
    assert cell.clean("1.250,50 ") == Decimal("1250.5")
    # Other numbers keep their short form.
    assert DecimalCell(max_digits=7, decimal_places=2).display(Decimal("1.50")) == "1,5"


@pytest.mark.parametrize(
    ("text", "value"),
    [("ja", True), ("Nein", False), ("wahr", True), ("falsch", False), ("x", True),
     ("X", True), ("1", True), ("0", False), ("", False), (True, True)],
)  # fmt: skip
def test_yes_no_cells(text, value):
    from concept.exchange.cells import BooleanCell

    assert BooleanCell().clean(text) is value
