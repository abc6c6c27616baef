import io

import pytest
from django.urls import reverse

from concept import roles
from concept.models import Concept
from reporting.demo.seed import seed_demo
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    """LK Vechta with the demo progress: Sachstände, Kennzahlen, a committee decision."""
    seed_demo(io.StringIO())
    return Concept.objects.get(slug="lk-vechta")


def test_steering_group_reads_the_dashboard_and_follows_a_goal(page, login, vechta):
    login(vechta, role=roles.STEERING_GROUP)
    assert page.get_by_role("heading", level=1).inner_text() == "Integrationskonzept LK Vechta"
    assert page.get_by_role("link", name="Übersicht").get_attribute("aria-current") == "page"
    assert page.locator(".portal-kpi").first.inner_text().startswith("37")
    assert page.locator("svg[role=img][aria-labelledby^=status-gesamt]").count() == 1
    # The data table behind a chart opens without JavaScript tricks.
    details = page.locator("details.portal-chart__data").first
    details.locator("summary").click()
    assert details.locator("table").is_visible()
    page.get_by_role("link", name="Ziel 1: Sprache").click()
    page.wait_for_url("**/ziele/1/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Strategisches Ziel 1")
    assert page.locator("svg[aria-labelledby^=kennzahl-]").count() >= 1
    assert_no_console_errors(page)

    # Printed for a meeting: no navigation, the charts keep their colours.
    page.goto(vechta.get_absolute_url())
    page.emulate_media(media="print")
    assert page.locator(".portal-header").evaluate("el => getComputedStyle(el).display") == "none"
    adjust = page.evaluate("getComputedStyle(document.documentElement).printColorAdjust")
    assert adjust == "exact"
    assert page.locator(".portal-chart__segment").first.get_attribute("fill").startswith("#")


def test_dashboard_goal_page_and_mind_map_are_accessible_and_keyboard_usable(page, login, vechta):
    login(vechta, role=roles.STEERING_GROUP)
    assert_accessible(page)
    page.goto(reverse("reporting:goal_detail", kwargs={"slug": vechta.slug, "number": 2}))
    assert_accessible(page)
    page.goto(reverse("reporting:mind_map", kwargs={"slug": vechta.slug}))
    assert_accessible(page)
    # The mind map is a tree of links: keyboard users tab through it with a visible focus.
    first_goal = page.locator(".portal-mindmap__goal a").first
    first_goal.focus()
    assert first_goal.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith(
        "/ziele/1/#teilziel-1"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/ziele/1/#teilziel-1")
    page.goto(reverse("reporting:changes", kwargs={"slug": vechta.slug}) + "?seit=99.99.2025")
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def shown_count(page):
    """The number of measures the measure list says it shows ("5 Maßnahmen")."""
    return int(page.locator("#results-title").inner_text().split()[0])


def test_dashboard_counts_lead_to_the_list_with_the_same_number(page, login, vechta):
    login(vechta, role=roles.STEERING_GROUP)
    # The demo is dated back from today: a few Sachstände overdue, not most of them.
    overdue = page.locator(".portal-kpi__link", has_text="überfällig")
    number = int(overdue.locator(".portal-kpi__value").inner_text())
    assert 1 <= number <= 6
    # The rule stands under the tiles; the count names it as its description.
    rule = page.locator("#" + overdue.get_attribute("aria-describedby"))
    assert "halbjährlich = 6 Monate" in rule.inner_text()
    # Keyboard users reach the count as a link, with a visible focus.
    overdue.focus()
    assert overdue.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**/massnahmen/?ueberfaellig=on")
    assert shown_count(page) == number
    assert page.get_by_label(
        "nur überfällige (kein Sachstand im Aktualisierungsturnus)"
    ).is_checked()
    assert_accessible(page)

    # Every other count on the page: the tiles, each goal's Ampel and overdue counts.
    page.goto(vechta.get_absolute_url())
    links = page.locator("main a[href*='/massnahmen/?'], main a[href$='/massnahmen/']")
    counts = links.evaluate_all(
        "els => els.map(a => [a.getAttribute('href'), a.innerText.trim().split(/\\s+/)[0]])"
    )
    counts = [(href, int(first)) for href, first in counts if first.isdigit()]
    assert len(counts) >= 6 + 8 * 4  # the tiles, and four Ampel counts per goal card
    for href, number in counts:
        page.goto(href)
        assert shown_count(page) == number, href
    assert_no_console_errors(page)
