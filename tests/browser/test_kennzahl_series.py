"""A Kennzahl's time series in Chromium: drawn, accessible (axe), within the CSP, and
readable on a phone."""

import datetime as dt

import pytest
from django.urls import reverse

from concept import roles
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    SubGoalFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def indicator(transactional_db):
    concept = ConceptFactory()
    indicator = IndicatorFactory(
        concept=concept,
        sub_goal=SubGoalFactory(goal=GoalFactory(concept=concept, number=1), number=1),
        name="Ausländer*innen",
        unit="Anzahl",
        source="Ausländerzentralregister",
    )
    for year, value, brk in [(2017, 17000, False), (2018, 19481, False), (2019, 20715, True)]:
        IndicatorValueFactory(
            indicator=indicator, reference_date=dt.date(year, 12, 31), value=value, series_break=brk
        )
    return indicator


def test_series_on_the_kennzahl_page_and_the_tile(page, login, indicator):
    login(indicator.concept, role=roles.STEERING_GROUP)
    line = page.locator("svg.portal-series__line")
    assert line.count() == 1 and line.is_visible()  # the dashboard tile
    assert page.get_by_text("Quelle: Ausländerzentralregister").is_visible()
    assert_accessible(page)
    page.goto(
        reverse(
            "goals:indicator_detail", kwargs={"slug": indicator.concept.slug, "pk": indicator.pk}
        )
    )
    assert page.get_by_role("img", name="Verlauf: Ausländer*innen").is_visible()
    box = page.locator("svg.portal-series__line").bounding_box()
    assert 0 < box["width"] <= 15 * 16 + 1
    assert page.get_by_text("+1.234 gegenüber 2018").is_visible()
    assert page.locator(".portal-series__break").count() == 1
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_console_errors(page)
