"""Forms in a real browser: the error summary after a failed submit, with and without
htmx, and the layout of checkboxes, their hints and long choices."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from concept.models import Concept
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/konzepte/lk-vechta/massnahmen/"

# For each word of the matched labels, how many lines it is set on (1 unless it is broken).
WORDS_ON_LINES = """selector => {
  const broken = [];
  for (const label of document.querySelectorAll(selector)) {
    const text = label.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    const re = /[^\\s-]+-?/g;
    let match;
    while ((match = re.exec(text.data))) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def focused(page):
    return page.evaluate(
        "document.activeElement.id || document.activeElement.getAttribute('data-error-summary')"
    )


def test_failed_sachstand_shows_every_error_in_a_focused_summary(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S6/sachstand/")
    page.get_by_label("Datum").fill("")
    page.get_by_label("Umsetzungsstand").select_option("dropped")
    page.get_by_label("Fortschritt (%)").fill("150")
    page.get_by_label("Sachstand", exact=True).fill("Kurs eingestellt.")
    page.get_by_role("button", name="Sachstand speichern").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "Bitte korrigieren Sie 3 Angaben" in summary.inner_text()
    assert focused(page) == "formular-fehler"
    links = summary.get_by_role("link")
    assert links.count() == 3
    # Each link moves the focus to its field, which says it is invalid and why.
    links.nth(1).click()
    assert focused(page) == "id_progress"
    progress = page.locator("#id_progress")
    assert progress.get_attribute("aria-invalid") == "true"
    assert "id_progress-error" in progress.get_attribute("aria-describedby")
    links.nth(2).click()
    assert focused(page) == "id_deviation"
    assert_accessible(page)
    assert_no_console_errors(page)


def test_failed_sachstand_with_htmx_focuses_its_summary(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S1/")
    form = page.locator("#sachstand-formular")
    form.get_by_label("Umsetzungsstand", exact=True).select_option("dropped")
    form.get_by_label("Fortschritt (%)").fill("150")
    form.get_by_role("button", name="Sachstand speichern").click()
    summary = page.locator("#stand [data-error-summary]")
    expect(summary).to_be_focused()
    assert "Bitte korrigieren Sie 2 Angaben" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert focused(page) == "id_progress"
    assert_accessible(page)
    assert_no_console_errors(page)


def test_checkbox_hint_and_labels_are_set_as_text(page, login, vechta):
    login(vechta)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/konzepte/lk-vechta/netzwerke/neu/")
        # The hint under "Öffentlich" runs in lines as wide as the form, not a word per line.
        hint = page.locator("#id_is_public-hint")
        line = float(hint.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        box = hint.bounding_box()
        if width == 1280:
            assert box["height"] <= 3 * line, box
        assert box["width"] > 0.6 * page.locator("#id_name").bounding_box()["width"]
        page.goto(f"{LIST}S1/bearbeiten/")
        labels = ".portal-checkboxes .kern-label"
        assert page.locator(labels, has_text="Hauptverwaltungsbeamten-Konferenz").count() == 1
        assert page.evaluate(WORDS_ON_LINES, labels) == [], width
    assert_accessible(page)
    assert_no_console_errors(page)


def test_selects_offer_named_empty_choices_and_room_for_long_labels(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S6/sachstand/")
    first = page.locator("#id_status option").first
    assert first.inner_text() == "– bitte wählen –"
    assert "---------" not in page.content()
    page.goto(f"{LIST}?ziel=1")
    sub_goal = page.get_by_label("Teilziel")
    goal = page.get_by_label("Strategisches Ziel")
    # The Teilziel choice spans two filter columns.
    assert sub_goal.bounding_box()["width"] > 1.8 * goal.bounding_box()["width"]
    assert_accessible(page)
    assert_no_console_errors(page)
