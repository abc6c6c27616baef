import pytest
from django.core.management import CommandError, call_command

from reporting.models import AnnualReport
from tests.factories import AnnualReportFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(db):
    goal = GoalFactory(number=1)
    MeasureFactory(concept=goal.concept, goal=goal, code="S1")
    return goal.concept


def test_writes_the_final_pdf_unchanged(concept, tmp_path):
    AnnualReportFactory(concept=concept, year=2025, final=True, pdf=b"%PDF-1.7 frozen")
    target = tmp_path / "bericht.pdf"
    call_command("render_report", concept=concept.slug, year=2025, output=str(target), verbosity=0)
    assert target.read_bytes() == b"%PDF-1.7 frozen"


def test_renders_a_draft_from_live_data(concept, tmp_path):
    AnnualReportFactory(concept=concept, year=2025)
    target = tmp_path / "entwurf.pdf"
    call_command("render_report", concept=concept.slug, year=2025, output=str(target), verbosity=0)
    assert target.read_bytes().startswith(b"%PDF-")


def test_renders_a_year_not_yet_created_in_the_portal(concept, tmp_path, capsys):
    from pypdf import PdfReader

    target = tmp_path / "2024.pdf"
    call_command("render_report", concept=concept.slug, year=2024, output=str(target))
    assert "Entwurf ohne Berichtstexte" in capsys.readouterr().out
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Berichtsjahr 2024" in text and "S1" in text
    assert not AnnualReport.objects.filter(year=2024).exists()  # nothing written


@pytest.mark.parametrize(
    ("slug", "year", "output", "message"),
    [
        ("gibt-es-nicht", 2025, "x.pdf", "Kein Konzept"),
        (None, 1999, "x.pdf", "Ungültiges Berichtsjahr 1999"),
        (None, 2025, "fehlt/x.pdf", "kein beschreibbarer Dateipfad"),
        (None, 2025, ".", "kein beschreibbarer Dateipfad"),
    ],
)
def test_german_errors(concept, tmp_path, slug, year, output, message):
    AnnualReportFactory(concept=concept, year=2025)
    with pytest.raises(CommandError, match=message):
        call_command(
            "render_report", concept=slug or concept.slug, year=year, output=str(tmp_path / output)
        )
