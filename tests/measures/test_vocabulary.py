"""The one vocabulary of Umsetzungsstand and Ampel: colours with enough contrast, the same in
the stylesheets, the charts and the report."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from measures.vocabulary import (
    ATTENTION_LIGHTS,
    DARK,
    LIGHT_COLOURS,
    STATUS_COLOURS,
    WHITE,
    Status,
    TrafficLight,
    css_properties,
)
from reporting.dashboard import charts

CSS = Path(settings.BASE_DIR) / "static" / "css"
# The light grey behind a status label (.portal-status in portal.css).
LABEL_BACKGROUND = "#f3f3f3"


def luminance(colour):
    """Relative luminance after WCAG 2.2."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    # The PDF's yellow before: enough for a graphical object, not for text.
    assert contrast("#b08c00", "#ffffff") == pytest.approx(3.18, abs=0.01)


ALL = [*STATUS_COLOURS.items(), *LIGHT_COLOURS.items()]


@pytest.mark.parametrize(("member", "colour"), ALL, ids=[m.value for m, _c in ALL])
def test_text_on_every_fill_has_at_least_4_5_to_1(member, colour):
    assert contrast(colour.text, colour.fill) >= 4.5


@pytest.mark.parametrize(("member", "colour"), ALL, ids=[m.value for m, _c in ALL])
def test_every_fill_stands_out_from_page_and_label_by_at_least_3_to_1(member, colour):
    assert contrast(colour.fill, WHITE) >= 3
    assert contrast(colour.fill, LABEL_BACKGROUND) >= 3


def test_every_value_has_a_colour_and_the_order_is_the_choices_order():
    assert list(STATUS_COLOURS) == list(Status)
    assert list(LIGHT_COLOURS) == list(TrafficLight)
    assert {colour.text for _member, colour in ALL} <= {WHITE, DARK}
    assert ATTENTION_LIGHTS == (TrafficLight.RED, TrafficLight.YELLOW)


def test_short_label_is_the_colour_word():
    assert [light.short_label for light in TrafficLight] == ["grün", "gelb", "rot", "grau"]


def declarations(path):
    text = (CSS / path).read_text(encoding="utf-8")
    return dict(re.findall(r"(--portal-[\w-]+):\s*(#[0-9a-f]{6})\s*;", text))


@pytest.mark.parametrize("sheet", ["portal.css", "report.css"])
def test_the_stylesheets_colours_are_the_vocabulary(sheet):
    assert declarations(sheet) == css_properties()


def test_stylesheets_colour_each_status_and_light_from_the_vocabulary():
    portal = (CSS / "portal.css").read_text(encoding="utf-8")
    report = (CSS / "report.css").read_text(encoding="utf-8")
    assert "border-left: 0.3rem solid var(--portal-status-not_started);" in portal  # default
    for status in Status:
        colour = f"var(--portal-status-{status.value})"
        if status != Status.NOT_STARTED:
            assert f".portal-status--{status.value} {{ border-left-color: {colour}; }}" in portal
    for light in TrafficLight:
        value, colour = light.value, f"var(--portal-light-{light.value})"
        assert f".portal-ampel--{value} .portal-ampel__dot {{ background: {colour}; }}" in portal
        assert f".portal-mindmap__node--{value} {{ border-left-color: {colour}; }}" in portal
        assert f".light--{value}::before {{ background: {colour}; }}" in report


def test_charts_draw_in_the_vocabulary_colours():
    series = charts.light_series([(light.value, light.label) for light in TrafficLight])
    assert [(s.colour, s.text_colour) for s in series] == [
        (c.fill, c.text) for c in LIGHT_COLOURS.values()
    ]
    series = charts.status_series(Status.choices)
    assert [s.colour for s in series] == [c.fill for c in STATUS_COLOURS.values()]
