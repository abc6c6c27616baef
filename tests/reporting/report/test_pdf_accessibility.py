"""The report PDF's structure tree, read back with pypdf: what veraPDF's PDF/UA-1 profile
does not test, but a screen reader meets (reporting/report/tagging.py). veraPDF itself checks
every report PDF of the run (tests/report_pdfs.py)."""

import io
import itertools
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

from measures.models import TrafficLight
from measures.vocabulary import LIGHT_COLOURS
from reporting.models import AnnualReport
from reporting.report.pdf import render_html, render_pdf
from reporting.report.snapshot import build_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def vechta(django_db_setup, django_db_blocker):
    """The LK Vechta report with a red and a yellow measure, its HTML and its PDF."""
    from django.core.management import call_command
    from django.db import transaction

    from concept.models import Concept

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
        concept = Concept.objects.get(slug="lk-vechta")
        snapshot = build_snapshot(AnnualReport(concept=concept, year=2025))
        transaction.set_rollback(True)
    measures = [m for goal in snapshot["goals"] for m in goal["measures"]]
    for measure, light in zip(measures, (TrafficLight.RED, TrafficLight.YELLOW), strict=False):
        measure["light"], measure["light_label"] = light.value, str(light.label)
        measure["light_short"] = light.short_label
    data = render_pdf(snapshot)
    return PdfReader(io.BytesIO(data)), render_html(snapshot)


def resolve(item):
    return item.get_object() if isinstance(item, IndirectObject) else item


def kids(element):
    k = resolve(element.get("/K"))
    items = k if isinstance(k, list) else [] if k is None else [k]
    return [resolve(item) for item in items]


def walk(element, ancestors=()):
    """Every structure element below `element`, in reading order, with its ancestors."""
    for kid in kids(element):
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            yield kid, ancestors
            yield from walk(kid, (*ancestors, kid))


def elements(reader):
    return list(walk(reader.trailer["/Root"]["/StructTreeRoot"]))


def test_heading_levels_never_skip_one(vechta):
    reader, _html = vechta
    levels = [int(e["/S"][2:]) for e, _a in elements(reader) if re.fullmatch(r"/H\d", e["/S"])]
    assert levels[0] == 1 and len(levels) > 50
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (before, after)


def marked_texts(page):
    """(inside an artifact?, text) for each text run of the page."""
    stack, texts = [], []

    def operator(op, args, _cm, _tm):
        if op in (b"BDC", b"BMC"):
            stack.append(str(args[0]))
        elif op == b"EMC" and stack:
            stack.pop()

    def text(value, *_rest):
        if value.strip():
            texts.append(("/Artifact" in stack, value.strip()))

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return texts


def test_running_header_footer_and_leader_dots_are_artifacts(vechta):
    reader, _html = vechta
    toc = marked_texts(reader.pages[1])
    assert (True, ".") in toc
    assert not [t for artifact, t in toc if not artifact and set(t) <= {".", " "}]
    # Entry and page number are content.
    assert (False, "1 Vorwort") in toc
    assert any(not artifact and t.isdigit() for artifact, t in toc)
    for number, page in enumerate(reader.pages[1:], start=2):
        texts = marked_texts(page)
        footer = f"Seite {number} von {len(reader.pages)}"
        assert (True, footer) in texts
        assert not [t for artifact, t in texts if not artifact and "Seite" in t and "von" in t]
        assert not [t for artifact, t in texts if not artifact and t.startswith("Stand:")]


def test_links_are_not_nested_and_have_one_annotation_each(vechta):
    reader, _html = vechta
    links = [(e, a) for e, a in elements(reader) if e["/S"] == "/Link"]
    assert len(links) >= 20
    for _link, ancestors in links:
        assert "/Link" not in [a["/S"] for a in ancestors]
    toc_annotations = [a.get_object() for a in reader.pages[1]["/Annots"]]
    toc_links = [e for e, _a in links if resolve(e["/Pg"]) == reader.pages[1].get_object()]
    assert len(toc_annotations) == len(toc_links)


def test_no_empty_element_and_none_outside_the_tree(vechta):
    reader, _html = vechta
    tree = elements(reader)
    for element, _a in tree:
        if element["/S"] in ("/P", "/Span", "/Div", "/NonStruct", "/Sect"):
            assert kids(element), element["/S"]
    everywhere = 0
    for number in range(1, reader.trailer["/Size"]):
        try:
            candidate = reader.get_object(number)
        except Exception:  # free or missing numbers
            continue
        if isinstance(candidate, DictionaryObject) and candidate.get("/Type") == "/StructElem":
            everywhere += 1
    assert everywhere == len(tree)


def test_table_header_cells_have_a_scope(vechta):
    reader, _html = vechta
    headers = [e for e, _a in elements(reader) if e["/S"] == "/TH"]
    assert len(headers) > 100
    scopes = {resolve(e["/A"])["/Scope"] for e in headers}
    assert scopes == {"/Column", "/Row"}


def test_a_table_over_two_pages_stays_one_table(vechta):
    reader, html = vechta
    tables = [e for e, _a in elements(reader) if e["/S"] == "/Table"]
    assert len(tables) == html.count("<table")
    split = []
    for table in tables:
        rows = [e for e, _a in walk(table) if e["/S"] == "/TR"]
        if len({row.raw_get("/Pg").idnum for row in rows}) > 1:
            split.append(table)
    assert split, "no table of the report breaks over a page"
    for table in split:
        parts = [kid["/S"] for kid in kids(table)]
        assert parts.count("/THead") == 1
        ids = {e["/ID"] for e, _a in walk(table) if e["/S"] == "/TH"}
        cells = [e for e, _a in walk(table) if e["/S"] == "/TD"]
        assert cells
        for cell in cells:
            headers = resolve(cell["/A"])["/Headers"]
            assert headers and set(headers) <= ids


def luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(colour, background="#ffffff"):
    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_ampel_dot_is_a_shape_with_enough_contrast(vechta):
    reader, _html = vechta
    ampel = {
        tuple(round(int(c.fill[i : i + 2], 16) / 255, 3) for i in (1, 3, 5)): light
        for light, c in LIGHT_COLOURS.items()
    }
    for light, colour in LIGHT_COLOURS.items():
        assert contrast(colour.fill) >= 3, light  # a graphic beside its text label
    filled, written = set(), set()
    for page in reader.pages:
        fill, saved = None, []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                saved.append(fill)
            elif operator == b"Q":
                fill = saved.pop() if saved else None
            elif operator == b"rg":
                fill = ampel.get(tuple(round(float(x), 3) for x in operands))
            elif fill and operator in (b"f", b"f*"):
                filled.add(fill)
            elif fill and operator in (b"Tj", b"TJ"):
                written.add(fill)
    assert {TrafficLight.RED, TrafficLight.YELLOW} <= filled
    assert not written  # no text in an Ampel colour (yellow text would be 3.2:1)
