"""Recording, correcting and withdrawing a Sachstand in the browser."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from concept.models import Concept
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.services import progress_entry_create
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/konzepte/lk-vechta/massnahmen/"


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def recorded(measure, day, **fields):
    values = {"status": Status.IN_PROGRESS, "traffic_light": TrafficLight.GREEN, "progress": 40}
    return progress_entry_create(measure=measure, author=None, date=day, **values | fields)


def test_keine_aenderung_is_one_choice_of_the_one_form(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S2/")
    form = page.locator("#sachstand-formular")
    # The page says what a Sachstand records and where it shows.
    assert "Jahresbericht" in page.locator("#stand").inner_text()
    assert form.get_by_label("Datum").input_value() == timezone.localdate().isoformat()
    form.get_by_role("button", name="Keine Änderung seit dem letzten Sachstand").click()
    page.locator("#stand [role=status]", has_text="„Keine Änderung“").wait_for()
    page.locator(
        ".portal-timeline", has_text="Keine Änderung seit dem letzten Sachstand."
    ).wait_for()
    entry = Measure.objects.get(concept=vechta, code="S2").entries.get()
    assert entry.date == timezone.localdate()
    # A changed state is not "keine Änderung": said at the field, nothing recorded.
    page.get_by_label("Fortschritt (%)").fill("30")
    page.get_by_role("button", name="Keine Änderung seit dem letzten Sachstand").click()
    page.locator("#stand .kern-error", has_text="Sachstand speichern").wait_for()
    assert ProgressEntry.objects.filter(measure__code="S2").count() == 1
    assert_accessible(page)
    assert_no_console_errors(page)


def test_correct_a_sachstand(page, login, vechta):
    s3 = Measure.objects.get(concept=vechta, code="S3")
    entry = recorded(s3, dt.date(2025, 3, 1), text="Zwei Kruse gestartet.", progress=40)
    login(vechta, first_name="Kim", last_name="Koordination")
    page.goto(f"{LIST}S3/")
    page.get_by_role("link", name="korrigieren (Sachstand vom 01.03.2025)").click()
    page.get_by_label("Sachstand – optional", exact=True).fill("Zwei Kurse gestartet.")
    page.get_by_label("Fortschritt (%)").fill("45")
    page.get_by_role("button", name="Korrektur speichern").click()
    # Without a reason: a German message at the field, nothing saved.
    page.locator(".kern-error", has_text="Bitte geben Sie den Grund der Korrektur an.").wait_for()
    assert_accessible(page)
    page.get_by_label("Grund der Korrektur").fill("Tippfehler")
    page.get_by_role("button", name="Korrektur speichern").click()
    page.wait_for_url(f"**{LIST}S3/#sachstaende")
    item = page.locator(f"#sachstand-{entry.pk}")
    assert "Zwei Kurse gestartet." in item.inner_text()
    assert "von Kim Koordination: Tippfehler" in item.inner_text()
    assert "45 %" in page.locator("#stand").inner_text()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_withdraw_a_sachstand(page, login, vechta):
    s5 = Measure.objects.get(concept=vechta, code="S5")
    recorded(s5, dt.date(2025, 1, 10), status=Status.PREPARING, progress=10)
    wrong = recorded(
        s5, dt.date(2025, 3, 1), traffic_light=TrafficLight.RED, text="Falsch", deviation="x"
    )
    login(vechta, first_name="Kim", last_name="Koordination")
    page.goto(f"{LIST}S5/")
    page.get_by_role("link", name="zurückziehen (Sachstand vom 01.03.2025)").click()
    assert "zählt nirgends mehr" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Grund des Zurückziehens").fill("bei der falschen Maßnahme erfasst")
    page.get_by_role("button", name="Sachstand zurückziehen").click()
    page.wait_for_url(f"**{LIST}S5/#sachstaende")
    item = page.locator(f"#sachstand-{wrong.pk}")
    text = item.inner_text()
    assert "zurückgezogen" in text
    assert "von Kim Koordination: bei der falschen Maßnahme erfasst" in text
    # Struck through for the eye, said in words for screen readers.
    decoration = item.locator(".portal-entry-body").evaluate(
        "element => getComputedStyle(element).textDecorationLine"
    )
    assert decoration == "line-through"
    state = page.locator("#stand").inner_text()
    assert "in Vorbereitung" in state and "10 %" in state
    assert Measure.objects.get(pk=s5.pk).traffic_light == TrafficLight.GREEN
    assert_accessible(page)
    assert_no_console_errors(page)
