import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from concept import roles
from measures.models import Measure, TrafficLight
from measures.services import measure_set_state, measure_update, progress_entry_correct
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.factories import ConceptFactory, MeasureFactory, NetworkFactory, ProgressEntryFactory

pytestmark = pytest.mark.django_db(transaction=True)

MEDIA_BOX = re.compile(rb"/MediaBox \[([^\]]*)\]")


@pytest.fixture
def concept(transactional_db):
    """A concept whose measure S1 turned red and got a new title and network today, and
    whose Sachstand of 01.03.2026 was corrected today."""
    concept = ConceptFactory(title="Integrationskonzept Musterkreis")
    measure = MeasureFactory(concept=concept, code="S1", title="Sprachkurse")
    measure_set_state(
        measure=measure,
        user=None,
        expected_version=measure.version,
        status=measure.status,
        traffic_light=TrafficLight.RED,
        progress=0,
        reason="Träger ausgefallen",
    )
    measure = Measure.objects.get(pk=measure.pk)
    measure_update(
        measure=measure,
        user=None,
        expected_version=measure.version,
        data={"title": "Sprachkurse für Eltern"},
        networks=[NetworkFactory(concept=concept, name="Netzwerk Sprache")],
        reason="Beschluss der Steuerungsgruppe",
    )
    sachstand = ProgressEntryFactory(
        measure=Measure.objects.get(pk=measure.pk),
        date=dt.date(2026, 3, 1),
        traffic_light=TrafficLight.RED,
        text="Zwei Kurse laufen.",
    )
    progress_entry_correct(
        entry=sachstand,
        user=None,
        expected_version=sachstand.version,
        reason="Tippfehler",
        text="Drei Kurse laufen.",
    )
    return concept


def test_changes_page_print_view_and_file_for_the_committee(page, login, concept):
    login(concept, role=roles.STEERING_GROUP)
    page.goto(reverse("reporting:changes", kwargs={"slug": concept.slug}) + "?seit=01.01.2026")
    lights = page.locator("section#ampel")
    assert "Träger ausgefallen" in lights.inner_text()
    master = page.locator("section#stammdaten").inner_text()
    assert "Sprachkurse → Sprachkurse für Eltern" in master
    assert "– → Netzwerk Sprache" in master
    corrections = page.locator("section#korrekturen").inner_text()
    assert "Zwei Kurse laufen. → Drei Kurse laufen." in corrections
    assert "Tippfehler" in corrections
    assert_accessible(page)
    assert_no_console_errors(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Als CSV-Datei herunterladen").click()
    assert download.value.suggested_filename == f"aenderungen-{concept.slug}-seit-2026-01-01.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Stammdaten;" in content and "Ampelwechsel;" in content
    assert "Korrektur;" in content

    page.get_by_role("link", name="Druckansicht").click()
    page.wait_for_url("**/aenderungen/druck/?seit=01.01.2026")
    assert page.get_by_role("heading", level=1).inner_text() == "Änderungen seit 01.01.2026"
    meta = page.locator(".portal-print-meta").inner_text()
    assert "Integrationskonzept Musterkreis" in meta and "seit 01.01.2026" in meta
    assert "Gedruckt am" in meta
    assert_accessible(page)
    assert_no_console_errors(page)

    # On paper: no navigation and no hint for the screen, A4, the Ampel colours kept.
    page.emulate_media(media="print")
    for hidden in (".portal-header", ".portal-breadcrumb", ".portal-screen-only"):
        assert page.locator(hidden).evaluate("el => getComputedStyle(el).display") == "none"
    assert page.locator("section", has_text="Stammdaten").last.is_visible()
    # The page size comes from print.css (@page A4), not from Chromium's default (Letter).
    pdf = page.pdf(prefer_css_page_size=True)
    sizes = {tuple(round(float(n)) for n in box.split()[2:]) for box in MEDIA_BOX.findall(pdf)}
    assert sizes == {(595, 842)}
