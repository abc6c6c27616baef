"""The report's page layout, checked on WeasyPrint's layout tree (reporting.report.layout)."""

import pytest
from weasyprint import HTML

from measures.models import Measure
from reporting.models import AnnualReport
from reporting.report.layout import MIN_FILL, layout_faults, page_facts
from reporting.report.pdf import render_document
from reporting.report.snapshot import build_snapshot
from tests.factories import (
    AnnualReportFactory,
    GoalFactory,
    MeasureFactory,
    MeasureOrganisationFactory,
)

pytestmark = pytest.mark.django_db

PAGE = "<style>@page { size: A4; margin: 20mm } body { margin: 0; font-size: 12pt }</style>"
TEXTS = {
    "foreword": "Liebe Leserinnen und Leser, " * 30,
    "summary": "Die wichtigsten Ergebnisse des Jahres. " * 15,
    "introduction": "Der Kreistag hat die Koordination beauftragt. " * 20,
    "need_for_action": "Nachsteuern bei den Maßnahmen auf Rot. " * 20,
    "outlook": "Die Fortschreibung beginnt im nächsten Jahr. " * 10,
    "resolution_proposal": "Der Kreistag nimmt den Bericht zur Kenntnis.",
}


def document(body):
    return HTML(string=f"<html lang='de'><head>{PAGE}</head><body>{body}</body></html>").render()


def kinds(faults):
    return {fault.kind for fault in faults}


@pytest.fixture(scope="module")
def vechta_document(django_db_setup, django_db_blocker):
    """The LK Vechta report with texts in every chapter, laid out once for the module."""
    from django.core.management import call_command
    from django.db import transaction

    from concept.models import Concept

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
        concept = Concept.objects.get(slug="lk-vechta")
        snapshot = build_snapshot(AnnualReport(concept=concept, year=2025, **TEXTS))
        transaction.set_rollback(True)
    return render_document(snapshot)


def test_the_vechta_report_keeps_every_layout_rule(vechta_document):
    faults = layout_faults(vechta_document)
    assert faults == [], "\n".join(map(str, faults))
    facts = page_facts(vechta_document)
    # Chapters follow on where the last one ended; only the contents and chapter 1 begin
    # a page of their own, so no chapter leaves a near-empty page behind.
    assert [f.number for f in facts if f.starts_chapter] == [1, 2, 3]
    assert all(f.fill >= MIN_FILL for f in facts[:-1])


def test_long_words_and_many_partners_stay_inside_the_margins():
    goal = GoalFactory(number=1, title="Sprache", short_title="Sprache")
    word = "Integrationskursträgerkoordinierungsstellenverbund" * 2
    for n in range(1, 4):
        measure = MeasureFactory(
            concept=goal.concept, goal=goal, code=f"S{n}", title=f"{word} {n}", description=word
        )
        for _ in range(4):
            MeasureOrganisationFactory(measure=measure, role="lead")
    report = AnnualReportFactory(concept=goal.concept, year=2025, **TEXTS)
    faults = [
        f for f in layout_faults(render_document(build_snapshot(report))) if f.kind == "margin"
    ]
    assert faults == [], "\n".join(map(str, faults))
    assert Measure.objects.count() == 3


# --- the checks themselves find what they look for ---------------------------------------------


def test_a_box_in_the_margin_is_found():
    faults = layout_faults(
        document("<p>Text</p><table style='width: 120%'><tr><td>x</td></tr></table>")
    )
    assert [f.kind for f in faults] == ["margin"]  # named once, at the table
    assert faults[0].page == 1 and "table" in faults[0].detail
    assert (
        layout_faults(document("<p>Text</p><table style='width: 100%'><tr><td>x</td></tr></table>"))
        == []
    )


def test_a_heading_at_the_foot_of_a_page_is_found():
    filler = "<div style='height: 235mm'></div>"
    alone = f"{filler}<h2 style='break-after: auto'>Überschrift</h2><p style='height: 30mm'>y</p>"
    faults = layout_faults(document(alone))
    assert ("heading-at-foot", "Überschrift") in {(f.kind, f.detail) for f in faults}
    kept = f"{filler}<h2>Überschrift</h2><p style='height: 30mm'>y</p>"  # break-after: avoid
    assert "heading-at-foot" not in kinds(layout_faults(document(kept)))


def test_a_split_block_that_would_fit_a_page_is_found():
    block = "<div class='measure'>" + "<p>Zeile</p>" * 20 + "</div>"
    split = layout_faults(document(f"<div style='height: 220mm'></div>{block}"))
    assert "split" in kinds(split)
    kept = block.replace("class='measure'", "class='measure' style='break-inside: avoid'")
    assert "split" not in kinds(layout_faults(document(f"<div style='height: 220mm'></div>{kept}")))
    # A block taller than a page has to split: not a fault.
    huge = "<div class='measure'>" + "<p>Zeile</p>" * 80 + "</div>"
    assert "split" not in kinds(layout_faults(document(huge)))


def test_a_near_empty_page_is_found_unless_it_is_the_last():
    spill = (
        "<div style='height: 250mm'></div><p>eine Zeile</p><p style='break-before: page'>y</p>"
        + ("<p>z</p>" * 30)
    )
    faults = layout_faults(document(spill))
    assert [(f.kind, f.page) for f in faults] == [("near-empty", 2)]
    # The same spill-over at the end of the document is the last page: allowed.
    assert layout_faults(document("<div style='height: 250mm'></div><p>eine Zeile</p>")) == []
    # A page that is a unit of its own (a forced break before and after it) is allowed.
    own = "<p>Titel</p><p style='break-before: page'>kurz</p><p style='break-before: page'>z</p>"
    assert layout_faults(document(own + "<p>z</p>" * 30)) == []
