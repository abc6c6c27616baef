"""The report PDF: contents, table of contents, metadata, and the safe URL fetcher."""

import io
import re
import urllib.request

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from measures.models import Measure
from reporting.models import AnnualReport
from reporting.report import pdf as report_pdf
from reporting.report.pdf import BASE_URL, StaticOnlyFetcher, render_pdf
from reporting.report.snapshot import build_snapshot
from tests.factories import AnnualReportFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def page_texts(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def vechta_pdf(django_db_setup, django_db_blocker):
    """The LK Vechta report, rendered once for the module (a few seconds)."""
    from django.core.management import call_command
    from django.db import transaction

    from concept.models import Concept

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
        concept = Concept.objects.get(slug="lk-vechta")
        report = AnnualReport(concept=concept, year=2025, summary="Kernbotschaft des Jahres")
        snapshot = build_snapshot(report)
        codes = list(
            Measure.objects.filter(concept=concept).exclude(code="").values_list("code", flat=True)
        )
        goals = list(concept.goals.order_by("number").values_list("number", "title"))
        transaction.set_rollback(True)  # leave the test database as it was
    fetcher = StaticOnlyFetcher()
    return render_pdf(snapshot, fetcher=fetcher), fetcher, codes, goals


def test_every_goal_and_measure_code_is_in_the_pdf(vechta_pdf):
    data, fetcher, codes, goals = vechta_pdf
    _reader, texts = page_texts(data)
    text = "\n".join(texts)
    assert len(codes) > 30
    for code in codes:
        assert re.search(rf"(?<![\w]){re.escape(code)}(?![\w])", text), code
    for number, _title in goals:
        assert f"6.{number} Ziel {number}" in text
    assert "Kernbotschaft des Jahres" in text
    assert "Seite 2 von" in text and "Stand:" in text
    # Only our own static files (CSS, fonts) were fetched.
    assert fetcher.refused == []
    assert all(url.startswith(BASE_URL + "static/") for url in fetcher.served if url != "data:")


def test_table_of_contents_page_numbers_are_right(vechta_pdf):
    data, _fetcher, _codes, goals = vechta_pdf
    _reader, texts = page_texts(data)
    toc = texts[1]
    assert "Inhalt" in toc
    for number, _title in goals:
        heading = f"6.{number} Ziel {number}:"
        # The contents (page 2) name each goal as its heading does.
        assert heading in toc
        pages = [i + 1 for i, t in enumerate(texts) if heading in t and i != 1]
        assert len(pages) == 1, heading
        # TOC line: "6.1 <title> ........ 12"
        match = re.search(rf"^6\.{number} .*?(\d+)\s*$", toc, re.MULTILINE)
        assert match, toc
        assert int(match.group(1)) == pages[0], heading


def test_annex_has_measures_indicator_profiles_sources_glossary_and_committees(vechta_pdf):
    data, *_rest = vechta_pdf
    _reader, texts = page_texts(data)
    toc = texts[1]
    for heading in ("11.1 Alle Maßnahmen", "11.2 Kennzahlenprofile", "11.3 Quellen"):
        match = re.search(rf"^{re.escape(heading)}.*?(\d+)\s*$", toc, re.MULTILINE)
        assert match, heading
        page = texts[int(match.group(1)) - 1]
        assert heading in page, heading
    annex = "\n".join(texts[-4:])
    # The situation figures of the fixture are profiled with their source.
    assert "Kontextzahl der Ausgangslage" in annex
    assert "Quelle: Integrationskonzept" in annex
    assert "Glossar" in annex and "Federführung" in annex
    assert "Beratungsfolge" in annex and "Steuerungsgruppe Integration" in annex
    # Cover: the Stichtag per source.
    assert "Stichtag 31.12.2019" in texts[0]
    # No measure of the bare fixture has a red or yellow Ampel.
    assert "keine Maßnahme auf Rot oder Gelb" in texts[3]


def test_schedule_imprint_abbreviations_and_path_reach_the_pdf(vechta_pdf):
    data, _fetcher, codes, _goals = vechta_pdf
    _reader, texts = page_texts(data)
    text = "\n".join(texts)
    assert text.count("Zeitplan:") >= len(codes)  # one per Steckbrief
    # Every figure carries its own Stichtag; nothing is called "aktuell".
    assert not re.search(r"\baktuell\b", text)
    assert "letzter Wert" in text
    imprint = texts[-1]
    assert "Impressum" in imprint and "Herausgeber: Landkreis Vechta" in imprint
    assert "Kontakt: fehlt" in imprint  # the fixture has no contact: shown as missing
    assert re.search(r"BES\s*Berufseinstiegsschule", text)
    assert "Steuerungsgruppe Integration: Termin nicht erfasst" in text


def test_metadata_language_and_archival_variant(vechta_pdf):
    data, *_rest = vechta_pdf
    reader, _texts = page_texts(data)
    # The report was never finalised: a draft, and its title says so.
    assert reader.metadata.title == (
        "ENTWURF – Controlling- und Evaluationsbericht 2025 – Landkreis Vechta"
    )
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "de"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp or "<pdfaid:part>3" in xmp
    assert "pdfuaid:part" in xmp
    # PDF/A admits pdfuaid only when the file describes that schema itself.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in xmp
    fonts = set()
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Fira" in name for name in fonts)


# --- safety ----------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any attempt to open a URL through urllib (WeasyPrint's network path)."""
    attempts = []

    def refuse(self, url, *args, **kwargs):
        attempts.append(getattr(url, "full_url", url))
        raise AssertionError(f"network access attempted: {url}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return attempts


HOSTILE = (
    '<img src="http://evil.example/track.png"> <img src="file:///etc/passwd"> '
    '<link rel="stylesheet" href="http://evil.example/x.css"> '
    "<style>body { background: url(http://evil.example/bg.png) }</style> "
    '<iframe src="file:///etc/passwd"></iframe>'
)


def test_user_text_is_escaped_and_nothing_external_is_fetched(no_network):
    goal = GoalFactory(number=1)
    MeasureFactory(concept=goal.concept, goal=goal, code="S1", title=HOSTILE)
    report = AnnualReportFactory(
        concept=goal.concept, year=2025, foreword=HOSTILE, need_for_action=HOSTILE
    )
    fetcher = StaticOnlyFetcher()
    data = render_pdf(build_snapshot(report), fetcher=fetcher)
    text = "\n".join(page_texts(data)[1])
    assert '<img src="http://evil.example/track.png">' in text  # shown as text
    assert "root:x:0:0" not in text
    assert fetcher.refused == []  # escaped: no URL ever reached the fetcher
    assert all("evil" not in url and "passwd" not in url for url in fetcher.served)
    assert no_network == []


def test_fetcher_refuses_everything_but_static_files_and_data(no_network):
    fetcher = StaticOnlyFetcher()
    for url in [
        "http://evil.example/x.png",
        "https://evil.example/static/css/report.css",
        "file:///etc/passwd",
        BASE_URL + "etc/passwd",
        BASE_URL + "static/../../../../etc/passwd",
        BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        BASE_URL + "static/css/../../manage.py",
        BASE_URL + "static//etc/passwd",
        BASE_URL + "static/css/report.css?x=1",
        "ftp://evil.example/x",
    ]:
        with pytest.raises(report_pdf.BlockedURL):
            fetcher.fetch(url)
    css = fetcher.fetch(BASE_URL + "static/css/report.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,SGFsbG8=").read() == b"Hallo"
    assert no_network == []


def test_markup_that_slips_through_still_cannot_load_anything(no_network):
    """Defence in depth: even raw HTML with external references loads nothing."""
    fetcher = StaticOnlyFetcher()
    HTML(
        string=f"<html lang='de'><body><p>x</p>{HOSTILE}</body></html>",
        base_url=BASE_URL,
        url_fetcher=fetcher,
    ).write_pdf()
    assert set(fetcher.refused) == {
        "http://evil.example/track.png",
        "file:///etc/passwd",
        "http://evil.example/x.css",
        "http://evil.example/bg.png",
    } or {"http://evil.example/track.png", "file:///etc/passwd"} <= set(fetcher.refused)
    assert fetcher.served == []
    assert no_network == []


def test_memoised_page_references_match_pydyfs_own():
    import pydyf

    from reporting.report import pdf

    document = pydyf.PDF()
    for _ in range(5):
        page = pydyf.Dictionary()
        document.add_object(page)
        document.pages["Kids"].extend([page.number, 0, "R"])
        expected = tuple(f"{n} 0 R".encode("ascii") for n in document.pages["Kids"][::3])
        assert pdf._memoised_page_references(document) == expected
