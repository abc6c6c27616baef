"""What keeps the report's rendering within its targets (docs/report.md, `make bench`)."""

import pytest
from weasyprint import html as weasy_html

from reporting.management.commands.run_benchmarks import format_report_render, report_verdicts
from reporting.report import pdf


def test_the_default_stylesheet_styles_markers_of_list_items_only_and_no_notes():
    stock = weasy_html.UA.splitlines()
    trimmed = pdf._report_ua_css(weasy_html.UA).splitlines()
    assert len(stock) == len(trimmed)
    changed = [(old, new) for old, new in zip(stock, trimmed, strict=True) if old != new]
    assert [new for _old, new in changed if new] == [
        "li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }"
    ]
    assert sorted(old.split(" {")[0] for old, new in changed if not new) == [
        "::footnote-call",
        "::footnote-marker",
        "::note-call",
        "::note-callback",
        "::note-marker",
    ]
    assert pdf.ReportHTML(string="<p>x</p>")._ua_stylesheets() == [pdf.REPORT_UA_STYLESHEET]


def test_a_changed_weasyprint_stylesheet_is_noticed():
    without_marker = "\n".join(
        line for line in weasy_html.UA.splitlines() if not line.startswith("::marker")
    )
    with pytest.raises(ValueError):
        pdf._report_ua_css(without_marker)


def result(**values):
    return {
        "measures": 37,
        "pages": 22,
        "total": 2.5,
        "total_cpu": 2.2,
        "weasy": 1.9,
        "weasy_cpu": 1.5,
        "bare": 2.0,
        "bare_cpu": 1.6,
        "ratio": 0.94,
        "peak_mb": 160,
        **values,
    }


def test_the_benchmark_prints_each_target_as_met_or_missed():
    assert report_verdicts("lk-vechta", result(weasy_cpu=1.5, ratio=1.2)) == [
        "✓ WeasyPrint-Arbeit 1.50 s ≤ 2.0 s",
        "✗ × WeasyPrint pur 1.20 ≤ 1.1",
    ]
    assert report_verdicts("demo-skala-10", result(total_cpu=21.0, peak_mb=480)) == [
        "✗ ganzer Bericht 21.0 s ≤ 20 s",
        "✓ Spitzenspeicher 480 MB ≤ 500 MB",
    ]
    table = format_report_render([("lk-vechta", result()), ("demo-skala-1", result())])
    assert "| lk-vechta | 37 | 22 | 2.5 (2.2) | 1.90 (1.50) | 2.00 (1.60) | 0.94 | 160 | ✓" in table
    assert table.splitlines()[-1].endswith("| 160 |  |")  # no targets for scale 1
