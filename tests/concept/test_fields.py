import datetime as dt

import pytest

from concept.fields import DateInput


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
