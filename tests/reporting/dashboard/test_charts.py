import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest

from reporting.dashboard import charts
from reporting.dashboard.charts import Part, Point, Series, StackRow

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    """The SVG must be well-formed XML (the PDF renderer parses it strictly)."""
    return ET.fromstring(str(svg))


def bar_widths(svg, fill):
    """Widths of the bars (not the legend swatches) drawn in this colour."""
    return [
        float(rect.get("width"))
        for rect in parse(svg).iter(f"{SVG}rect")
        if rect.get("fill") == fill and rect.get("width") != "12"
    ]


def test_nice_ceiling_gives_round_axis_ends():
    assert charts.nice_ceiling(0) == 1
    assert charts.nice_ceiling(7) == 10
    assert charts.nice_ceiling(10) == 10
    assert charts.nice_ceiling(11) == 20
    assert charts.nice_ceiling(23) == 25
    assert charts.nice_ceiling(3902) == 5000
    assert charts.nice_ceiling(Decimal("0.42")) == 0.5


def test_bar_chart_is_labelled_for_assistive_technology():
    chart = charts.bar_chart(
        chart_id="top10",
        title="Staatsangehörigkeiten",
        description="Polen 3.902, Rumänien 3.021",
        rows=[("Polen", 3902), ("Rumänien", 3021)],
        value_label="Personen",
    )
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "top10-titel top10-beschreibung"
    assert root.find(f"{SVG}title").get("id") == "top10-titel"
    assert root.find(f"{SVG}title").text == "Staatsangehörigkeiten"
    assert root.find(f"{SVG}desc").text == "Polen 3.902, Rumänien 3.021"
    # German numbers in the picture and in the table alternative.
    assert "3.902" in chart.svg and "3.902" in chart.table
    assert "<caption" in chart.table and "Staatsangehörigkeiten" in chart.table
    assert '<th scope="row" class="kern-table__cell">Polen</th>' in chart.table
    assert "Personen" in chart.table


def test_bar_chart_scales_to_a_round_maximum():
    chart = charts.bar_chart(
        chart_id="skala", title="T", description="D", rows=[("A", 50), ("B", 100)]
    )
    a, b = bar_widths(chart.svg, charts.ACCENT)
    assert b == pytest.approx(2 * a, rel=0.01)
    # 100 is a round number, so B fills the plot; A takes half of it.
    chart = charts.bar_chart(
        chart_id="skala", title="T", description="D", rows=[("A", 50), ("B", 80)]
    )
    _a80, b80 = bar_widths(chart.svg, charts.ACCENT)
    assert b80 == pytest.approx(0.8 * b, rel=0.02)


def test_charts_escape_every_label():
    evil = '<script>alert("x")</script>'
    produced = [
        charts.bar_chart(chart_id="a", title=evil, description=evil, rows=[(evil, 1)]),
        charts.stacked_bar_chart(
            chart_id="b",
            title=evil,
            description=evil,
            series=[Series("x", evil, "#000000")],
            rows=[StackRow(evil, {"x": 3})],
        ),
        charts.donut_chart(chart_id="c", title=evil, description=evil, parts=[Part(evil, 2)]),
        charts.line_chart(
            chart_id="d",
            title=evil,
            description=evil,
            points=[Point(dt.date(2024, 12, 31), 1, evil), Point(dt.date(2025, 12, 31), 2)],
            unit=evil,
        ),
    ]
    for chart in produced:
        html = str(chart)
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        parse(chart.svg)


def test_charts_use_no_style_attributes_because_of_the_csp():
    chart = charts.stacked_bar_chart(
        chart_id="status",
        title="Status",
        description="D",
        series=charts.status_series([("in_progress", "in Umsetzung"), ("dropped", "entfallen")]),
        rows=[StackRow("Ziel 1", {"in_progress": 3, "dropped": 1})],
    )
    assert "style=" not in str(chart)
    assert 'fill="#0b5cad"' in chart.svg


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.bar_chart(chart_id="e", title="Leer", description="", rows=[]),
        lambda: charts.stacked_bar_chart(
            chart_id="e",
            title="Leer",
            description="",
            series=[Series("a", "A", "#000000")],
            rows=[StackRow("Ziel", {"a": 0})],
        ),
        lambda: charts.donut_chart(chart_id="e", title="Leer", description="", parts=[]),
    ],
)
def test_empty_data_says_so_in_picture_and_table(make):
    chart = make()
    assert chart.empty
    assert "Keine Daten vorhanden." in chart.svg
    assert "Keine Daten vorhanden." in chart.table
    parse(chart.svg)


def test_line_chart_without_values():
    chart = charts.line_chart(
        chart_id="leer", title="Kennzahl", description="", points=[], target=(2027, 10)
    )
    assert chart.empty
    assert "Noch keine Werte erfasst." in chart.svg


def test_stacked_bar_normalised_fills_the_plot_and_totals_in_table():
    series = [Series("a", "A", "#111111"), Series("b", "B", "#222222"), Series("c", "C", "#333")]
    chart = charts.stacked_bar_chart(
        chart_id="s",
        title="Anteile",
        description="",
        series=series,
        rows=[StackRow("", {"a": 1, "b": 3})],
        normalise=True,
        total_label="Maßnahmen",
    )
    a = bar_widths(chart.svg, "#111111")[0]
    b = bar_widths(chart.svg, "#222222")
    assert b[0] == pytest.approx(3 * a, rel=0.01)
    # Series without any value get no legend entry and no table column.
    assert ">C<" not in chart.svg and ">C<" not in chart.table
    assert "25 %" in chart.svg and "75 %" in chart.svg
    assert "Maßnahmen" in chart.table and ">4<" in chart.table


def test_stacked_bars_share_one_scale_unless_normalised():
    series = [Series("a", "A", "#111111")]
    chart = charts.stacked_bar_chart(
        chart_id="s",
        title="T",
        description="",
        series=series,
        rows=[StackRow("eins", {"a": 2}), StackRow("zwei", {"a": 4})],
    )
    small, large = bar_widths(chart.svg, "#111111")
    assert large == pytest.approx(2 * small, rel=0.01)


def test_donut_keeps_the_remainder_and_shares():
    chart = charts.donut_chart(
        chart_id="geschlecht",
        title="Ausländer*innen",
        description="",
        parts=[Part("männlich", 11207), Part("weiblich", 9450), Part("ohne Angabe", 57)],
        unit="Personen",
        total=20714,
    )
    assert len(list(parse(chart.svg).iter(f"{SVG}path"))) == 3
    assert "20.714" in chart.svg and "20.714" in chart.table
    assert "ohne Angabe" in chart.table and "0,3 %" in chart.table
    assert "54,1 %" in chart.table


def test_donut_single_part_is_a_full_ring():
    chart = charts.donut_chart(chart_id="voll", title="T", description="", parts=[Part("A", 5)])
    assert len(list(parse(chart.svg).iter(f"{SVG}circle"))) == 1


def test_line_chart_draws_baseline_target_and_points():
    points = [Point(dt.date(year, 12, 31), Decimal(18 + year - 2021)) for year in range(2021, 2026)]
    chart = charts.line_chart(
        chart_id="kita",
        title="Kinder mit nichtdeutscher Familiensprache",
        description="",
        points=points,
        unit="%",
        baseline=(2021, Decimal("18")),
        target=(2027, Decimal("24")),
    )
    root = parse(chart.svg)
    assert len(list(root.iter(f"{SVG}circle"))) == 5
    references = [
        line for line in root.iter(f"{SVG}line") if line.get("class") == "portal-chart__reference"
    ]
    assert len(references) == 2
    # Both reference lines are horizontal; the target (higher) sits above the baseline.
    baseline, target = references
    assert baseline.get("y1") == baseline.get("y2")
    assert float(target.get("y1")) < float(baseline.get("y1"))
    assert "Ausgangswert 2021: 18" in chart.svg and "Zielwert 2027: 24" in chart.svg
    assert "31.12.2025" in chart.table and "Zielwert 2027" in chart.table
    # Year ticks stand at the end of the year, where yearly values have their date.
    ticks = {t.text: float(t.get("x")) for t in root.iter(f"{SVG}text") if t.text == "2021"}
    first_point = next(iter(root.iter(f"{SVG}circle")))
    assert ticks["2021"] == pytest.approx(float(first_point.get("cx")), abs=1)


def test_line_chart_value_axis_includes_the_target():
    chart = charts.line_chart(
        chart_id="ziel",
        title="T",
        description="",
        points=[Point(dt.date(2024, 12, 31), 40), Point(dt.date(2025, 12, 31), 45)],
        target=(2027, 90),
    )
    labels = [t.text for t in parse(chart.svg).iter(f"{SVG}text")]
    assert "100" in labels or "90" in labels


def test_progress_bar_clamps_and_can_be_decorative():
    bar = charts.progress_bar(value=150, decorative=True, width=100)
    root = parse(bar)
    assert root.get("aria-hidden") == "true"
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths == [100, 100]
    labelled = charts.progress_bar(value=Decimal("42.5"), chart_id="p1", title="Fortschritt Ziel 1")
    assert parse(labelled).get("role") == "img"
    assert "42,5 %" in labelled
    assert "keine Angabe" in charts.progress_bar(value=None, chart_id="p2")


def test_chart_id_must_be_a_valid_html_id():
    with pytest.raises(ValueError):
        charts.bar_chart(chart_id='x" onload="alert(1)', title="T", description="", rows=[])
    with pytest.raises(ValueError):
        charts.progress_bar(value=10, chart_id="")


def test_table_alternative_modes():
    chart = charts.bar_chart(chart_id="m", title="T", description="", rows=[("A", 1)])
    assert "<details" in chart.render("details") and "Daten als Tabelle" in chart.render()
    assert 'class="kern-sr-only"' in chart.render("hidden")
    visible = chart.render("visible")
    assert "<details" not in visible and "<table" in visible
    with pytest.raises(ValueError):
        chart.render("anders")


def _label_lines(svg, first_word):
    """The lines (tspans) of the <text> that holds first_word."""
    for text in re.findall(r"<text [^>]*>(?:<title>.*?</title>)?(.*?)</text>", svg):
        lines = re.findall(r"<tspan [^>]*>(.*?)</tspan>", text)
        if lines and lines[0].startswith(first_word):
            return lines
    return []


@pytest.mark.parametrize("kind", ["stacked", "bar"])
def test_long_labels_wrap_in_the_picture_and_nothing_is_cut_off(kind):
    long = "Teilhabe am gesellschaftlichen Leben und noch viel mehr Text"
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
    if kind == "stacked":
        chart = charts.stacked_bar_chart(
            chart_id="lang",
            title="T",
            description="",
            series=[Series("a", "A", "#111111")],
            rows=[StackRow(long, {"a": 1}), StackRow(word, {"a": 2}), StackRow("kurz", {"a": 3})],
        )
    else:
        chart = charts.bar_chart(
            chart_id="lang", title="T", description="", rows=[(long, 1), (word, 2), ("kurz", 3)]
        )
    assert "…" not in chart.svg
    lines = _label_lines(chart.svg, "Teilhabe")
    assert len(lines) >= 2
    assert " ".join(lines) == long  # every word is drawn
    # Each line fits the label column (the text width estimate the charts use).
    column = 640 * (0.3 if kind == "stacked" else 0.35) - 8
    assert all(charts._text_width(line) <= column for line in lines)
    split = _label_lines(chart.svg, "Donau")
    assert len(split) >= 2 and "".join(line.rstrip("-") for line in split) == word
    assert _label_lines(chart.svg, "kurz") == ["kurz"]
    # Lines of one label do not overlap the next label: rows grow with their lines.
    ys = [float(y) for y in re.findall(r'<tspan x="[^"]+" y="([^"]+)"', chart.svg)]
    assert ys == sorted(ys) and min(b - a for a, b in itertools.pairwise(ys)) >= 15
    assert long in chart.table
    assert re.search(r"<title>" + re.escape(long) + "</title>", chart.svg)


def test_the_ampel_legend_says_what_each_colour_means():
    from reporting.dashboard.queries import Tally

    tally = Tally()
    tally.light_counts.update({"green": 2, "yellow": 1, "red": 1, "grey": 3})
    summary = SimpleNamespace(label="Ziel 1: Sprache", tally=tally)
    svg = charts.lights_by_goal([summary]).svg
    for meaning in (
        "grün – im Plan",
        "gelb – Verzögerung/Risiko",
        "rot – erheblich abweichend, Handlungsbedarf",
        "grau – noch nicht begonnen / nicht bewertbar",
    ):
        assert f">{meaning}</text>" in svg, meaning
