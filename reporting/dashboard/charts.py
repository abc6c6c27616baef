"""Server-rendered SVG charts, shared by the dashboards and the yearly PDF report.

Pure functions: data in, a Chart out. They know nothing about requests or pages, escape every
label, and draw with SVG presentation attributes (fill, stroke) and classes only, because the
Content-Security-Policy forbids style attributes. Every chart carries a <title>/<desc>
(role="img", aria-labelledby) and a data table as its text alternative.
"""

import datetime as dt
import functools
import html
import math
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

from concept import formatting
from concept.templatetags.portal import scroll_box_html
from measures.vocabulary import WHITE, Status, TrafficLight

FONT = "Fira Sans, Arial, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d0d0d0"
TRACK = "#e6e6e6"
ACCENT = "#0b5cad"

# For parts of a whole without meaning of their own (sex, nationality …).
CATEGORICAL = ["#0b5cad", "#c05f00", "#2e8540", "#6a3d9a", "#a0141e", "#00707a"]
NO_DATA_COLOUR = ("#b3b3b3", "#1a1a1a")

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _html(template, *args):
    """Like django.utils.html.format_html (escapes every argument that is not already safe),
    without its lazy-string machinery: a page may draw dozens of charts."""
    return mark_safe(
        template.format(
            *(a if isinstance(a, SafeData) else html.escape(str(a), quote=True) for a in args)
        )
    )


@functools.lru_cache(maxsize=4096)
def num(value, decimals=2):
    """concept.formatting.number, memoised: a page may draw dozens of charts."""
    return formatting.number(value, decimals)


@dataclass(frozen=True)
class Chart:
    """An SVG chart and its data table; `{{ chart }}` renders both inside a <figure>."""

    title: str
    description: str
    svg: SafeString
    table: SafeString
    empty: bool = False

    def render(self, table: str = "details") -> SafeString:
        """The figure: the SVG plus the table, either in a <details> ("details"), visually
        hidden ("hidden", for screen readers only) or shown ("visible", e.g. in the PDF)."""
        if table == "details":
            alternative = _html(
                '<details class="portal-chart__data"><summary>{}</summary>{}</details>',
                _("Daten als Tabelle"),
                scroll_box_html(self.title, self.table),
            )
        elif table == "hidden":
            alternative = _html('<div class="kern-sr-only">{}</div>', self.table)
        elif table == "visible":
            alternative = self.table
        else:
            raise ValueError(f"unknown table mode {table!r}")
        return _html('<figure class="portal-chart">{}{}</figure>', self.svg, alternative)

    def __html__(self):
        return self.render()

    def __str__(self):
        return self.render()


@dataclass(frozen=True)
class Series:
    """One kind of segment in a stacked bar, e.g. the status "in Umsetzung"."""

    key: str
    label: str
    colour: str
    text_colour: str = WHITE
    legend: str = ""  # the legend's wording, where it says more than the label


@dataclass(frozen=True)
class StackRow:
    label: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """A part of a whole (donut)."""

    label: str
    value: Decimal | int | float
    colour: str = ""


@dataclass(frozen=True)
class Point:
    date: dt.date
    value: Decimal | int | float
    label: str = ""


def _series(vocabulary, choices) -> list[Series]:
    colours = {member.value: (member.colour.fill, member.colour.text) for member in vocabulary}
    return [
        Series(value, str(label), *colours.get(value, NO_DATA_COLOUR)) for value, label in choices
    ]


def status_series(choices) -> list[Series]:
    """Series for the Umsetzungsstand, from (value, label) choices, in the colours of
    measures.vocabulary."""
    return _series(Status, choices)


def light_series(choices) -> list[Series]:
    """Series for the Ampel, from (value, label) choices, in the colours of
    measures.vocabulary."""
    return _series(TrafficLight, choices)


# --- helpers ------------------------------------------------------------------------------


def nice_ceiling(value) -> float:
    """The smallest "round" number ≥ value (1, 2, 2.5, 5 × 10^k): axis ends users can read."""
    value = float(value)
    if value <= 0 or math.isnan(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10.0**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base * (1 + 1e-9):
            return step * base
    return 10 * base  # pragma: no cover - the loop always returns


def nice_step(span, ticks=4) -> float:
    """A round tick distance that splits span into about `ticks` parts."""
    return nice_ceiling(float(span) / ticks) if span > 0 else 1.0


def _f(value) -> str:
    """A coordinate for SVG: one decimal, no trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _check_id(chart_id):
    if not _ID.match(chart_id or ""):
        raise ValueError(f"chart_id must be a valid HTML id, not {chart_id!r}")


def _text_width(text, size=13):
    return len(str(text)) * size * 0.56


def _clip(text, max_width, size=13):
    """Shorten a label to fit max_width (the full text stays in the table and the tooltip)."""
    text = str(text)
    limit = max(3, int(max_width / (size * 0.56)))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


LINE_HEIGHT = 15  # of a 13px label line


def _lines(text, max_width, size=13):
    """A label broken into lines that fit max_width: at spaces, and after a hyphen or slash;
    a word longer than a line is split with a hyphen. Nothing is cut off."""
    limit = max(4, int(max_width / (size * 0.56)))
    words = re.findall(r"[^\s/-]+[/-]*|[/-]+", str(text))
    lines, line = [], ""
    for word in words:
        joiner = "" if line.endswith(("-", "/")) else " "
        candidate = f"{line}{joiner}{word}" if line else word
        if len(candidate.rstrip()) <= limit:
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(word) > limit:
            lines.append(word[: limit - 1] + "-")
            word = word[limit - 1 :]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _label(x, centre_y, lines, full, anchor="end"):
    """A right-aligned label of one or more lines, centred on centre_y; full text as tooltip."""
    first = centre_y + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = _join(
        _html('<tspan x="{}" y="{}">{}</tspan>', _f(x), _f(first + i * LINE_HEIGHT), line)
        for i, line in enumerate(lines)
    )
    return _html(
        '<text x="{}" y="{}" text-anchor="{}" fill="{}"><title>{}</title>{}</text>',
        _f(x),
        _f(first),
        anchor,
        TEXT,
        full,
        spans,
    )


def _svg(chart_id, title, description, width, height, body, css=""):
    classes = "portal-chart__svg" + (f" {css}" if css else "")
    return _html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}" role="img" aria-labelledby="{}-titel {}-beschreibung" font-family="{}" '
        'font-size="13"><title id="{}-titel">{}</title>'
        '<desc id="{}-beschreibung">{}</desc>{}</svg>',
        classes,
        _f(width),
        _f(height),
        _f(width),
        _f(height),
        chart_id,
        chart_id,
        FONT,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def _join(parts) -> SafeString:
    # Every part comes from _html (escaped) or is itself safe.
    return mark_safe("".join(str(p) for p in parts))


def _table(title, head, rows, foot=None):
    """A KERN table: head is a list of column titles (first = row header), rows and foot
    are lists of (row label, [cell texts]). Numeric cells are right-aligned."""
    head_html = _join(
        _html(
            '<th scope="col" class="kern-table__header{}">{}</th>',
            "" if i == 0 else " kern-table__header--numeric",
            text,
        )
        for i, text in enumerate(head)
    )

    def body(items):
        return _join(
            _html(
                '<tr class="kern-table__row">'
                '<th scope="row" class="kern-table__cell">{}</th>{}</tr>',
                label,
                _join(
                    _html('<td class="kern-table__cell kern-table__cell--numeric">{}</td>', cell)
                    for cell in cells
                ),
            )
            for label, cells in items
        )

    foot_html = _html('<tfoot class="kern-table__footer">{}</tfoot>', body(foot)) if foot else ""
    return _html(
        '<table class="kern-table kern-table--small '
        'portal-chart__table"><caption class="kern-title kern-title--small">{}</caption>'
        '<thead class="kern-table__header"><tr class="kern-table__row">{}</tr></thead>'
        '<tbody class="kern-table__body">{}</tbody>{}</table>',
        title,
        head_html,
        body(rows),
        foot_html,
    )


def _empty(chart_id, title, description, message=None, width=640, height=60):
    message = message or _("Keine Daten vorhanden.")
    body = _html(
        '<text x="0" y="{}" fill="{}" class="portal-chart__empty">{}</text>',
        _f(height / 2 + 4),
        MUTED,
        message,
    )
    svg = _svg(chart_id, title, f"{description} {message}".strip(), width, height, body)
    table = _table(title, [_("Merkmal"), _("Wert")], [(message, [""])])
    return Chart(title, description, svg, table, empty=True)


def _legend(series, width, y, size=13):
    """Legend entries (swatch + label), wrapped into lines; returns (svg, height)."""
    x, line, items = 0.0, 0, []
    for item in series:
        text = item.legend or item.label
        item_width = 14 + 6 + _text_width(text, size) + 18
        if x and x + item_width > width:
            x, line = 0.0, line + 1
        top = y + line * 20
        items.append(
            _html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}" stroke="{}" '
                'stroke-width="0.5"/><text x="{}" y="{}" fill="{}">{}</text>',
                _f(x),
                _f(top),
                item.colour,
                TEXT,
                _f(x + 18),
                _f(top + 10.5),
                TEXT,
                text,
            )
        )
        x += item_width
    return _join(items), (line + 1) * 20 if items else 0


# --- charts -------------------------------------------------------------------------------


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, object]],
    unit: str = "",
    value_label: str = "",
    colour: str = ACCENT,
    width: int = 640,
) -> Chart:
    """Horizontal bars, one per (label, value), largest scale end rounded up."""
    _check_id(chart_id)
    rows = [(str(label), Decimal(value)) for label, value in rows if value is not None]
    if not rows:
        return _empty(chart_id, title, description, width=width)
    label_width = min(max(_text_width(label) for label, _v in rows) + 12, width * 0.35)
    value_width = max(_text_width(f"{num(v)} {unit}".strip()) for _l, v in rows) + 10
    plot = width - label_width - value_width
    top, bar_height = 4, 16
    scale = nice_ceiling(max(v for _l, v in rows))
    parts = []
    y = top
    for label, value in rows:
        lines = _lines(label, label_width - 8)
        row_height = max(26, len(lines) * LINE_HEIGHT + 8)
        bar_y = y + (row_height - 10 - bar_height) / 2
        length = max(float(value) / scale * plot, 0) if scale else 0
        parts.append(
            _html(
                '<g class="portal-chart__row">{}'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text></g>',
                _label(label_width - 8, bar_y + bar_height / 2, lines, label),
                _f(label_width),
                _f(bar_y),
                _f(length),
                bar_height,
                colour,
                _f(label_width + length + 6),
                _f(bar_y + bar_height - 4),
                TEXT,
                f"{num(value)} {unit}".strip(),
            )
        )
        y += row_height
    height = y + 2
    axis = _html(
        '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        _f(label_width),
        _f(label_width),
        _f(height - 2),
        MUTED,
    )
    svg = _svg(chart_id, title, description, width, height, _join([axis, *parts]))
    table = _table(
        title,
        [_("Merkmal"), value_label or unit or _("Wert")],
        [(label, [num(value)]) for label, value in rows],
    )
    return Chart(title, description, svg, table)


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: list[Series],
    rows: list[StackRow],
    normalise: bool = False,
    total_label: str = "",
    width: int = 640,
) -> Chart:
    """Horizontal stacked bars: one bar per row, one segment per series (e.g. the status
    distribution per strategic goal). With normalise every bar is 100 %; otherwise the
    bars share one scale, so their lengths compare totals."""
    _check_id(chart_id)
    total_label = total_label or _("Summe")
    totals = [sum(Decimal(row.values.get(s.key) or 0) for s in series) for row in rows]
    if not rows or not any(totals):
        return _empty(chart_id, title, description, width=width)
    used = [s for s in series if any(row.values.get(s.key) for row in rows)]
    label_width = min(max(_text_width(row.label) for row in rows) + 12, width * 0.3)
    if len(rows) == 1 and not rows[0].label:
        label_width = 0
    value_width = max(_text_width(num(t)) for t in totals) + 12
    plot = width - label_width - value_width
    scale = max(totals)
    top, bar_height = 4, 20
    parts = []
    next_y = top
    for row, total in zip(rows, totals, strict=True):
        lines = _lines(row.label, label_width - 8) if label_width else [""]
        row_height = max(30, len(lines) * LINE_HEIGHT + 8)
        y = next_y + (row_height - 10 - bar_height) / 2
        next_y += row_height
        whole = total if normalise else scale
        x = label_width
        if label_width:
            parts.append(_label(label_width - 8, y + bar_height / 2, lines, row.label))
        for item in used:
            value = Decimal(row.values.get(item.key) or 0)
            if not value:
                continue
            length = float(value / whole) * plot if whole else 0
            shown = formatting.share(value, total) if normalise else num(value)
            light_fill = item.text_colour != WHITE
            parts.append(
                _html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
                    'stroke-width="{}" class="portal-chart__segment"><title>{}: {}</title></rect>',
                    _f(x),
                    _f(y),
                    _f(length),
                    bar_height,
                    item.colour,
                    TEXT if light_fill else WHITE,
                    "0.75" if light_fill else "1",
                    item.label,
                    shown,
                )
            )
            if length >= _text_width(shown, 11) + 6:
                parts.append(
                    _html(
                        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">'
                        "{}</text>",
                        _f(x + length / 2),
                        _f(y + bar_height - 6),
                        item.text_colour,
                        shown,
                    )
                )
            x += length
        parts.append(
            _html(
                '<text x="{}" y="{}" fill="{}" font-weight="600">{}</text>',
                _f(x + 6),
                _f(y + bar_height - 6),
                TEXT,
                num(total),
            )
        )
    bars_height = next_y
    legend, legend_height = _legend(used, width, bars_height + 6)
    height = bars_height + 6 + legend_height
    svg = _svg(chart_id, title, description, width, height, _join([*parts, legend]))
    table_rows = [
        (
            row.label or title,
            [num(row.values.get(s.key) or 0) for s in used] + [num(total)],
        )
        for row, total in zip(rows, totals, strict=True)
    ]
    table = _table(title, ["", *[s.label for s in used], total_label], table_rows)
    return Chart(title, description, svg, table)


def donut_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    parts: list[Part],
    unit: str = "",
    total=None,
    total_label: str = "",
    size: int = 180,
    width: int = 480,
) -> Chart:
    """Parts of a whole as a ring, with a legend giving value and share. `total` defaults to
    the sum of the parts; the parts must add up to it (show a remainder as its own part,
    e.g. "ohne Angabe", instead of dropping it)."""
    _check_id(chart_id)
    parts = [p for p in parts if p.value is not None and Decimal(p.value) > 0]
    whole = Decimal(total) if total is not None else sum(Decimal(p.value) for p in parts)
    if not parts or not whole:
        return _empty(chart_id, title, description, width=width)
    total_label = total_label or _("insgesamt")
    radius, ring = size / 2 - 4, size * 0.16
    cx = cy = size / 2
    angle = -math.pi / 2
    shapes = []
    colours = []
    for i, part in enumerate(parts):
        colour = part.colour or CATEGORICAL[i % len(CATEGORICAL)]
        colours.append(colour)
        share = float(Decimal(part.value) / whole)
        sweep = share * 2 * math.pi
        tooltip = f"{part.label}: {num(part.value)} {unit} ({formatting.share(part.value, whole)})"
        if share >= 0.9999:
            shapes.append(
                _html(
                    '<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{}" stroke-width="{}">'
                    "<title>{}</title></circle>",
                    _f(cx),
                    _f(cy),
                    _f(radius - ring / 2),
                    colour,
                    _f(ring),
                    tooltip,
                )
            )
            break
        outer0 = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        end = angle + sweep
        outer1 = (cx + radius * math.cos(end), cy + radius * math.sin(end))
        inner = radius - ring
        inner1 = (cx + inner * math.cos(end), cy + inner * math.sin(end))
        inner0 = (cx + inner * math.cos(angle), cy + inner * math.sin(angle))
        large = 1 if sweep > math.pi else 0
        path = (
            f"M{_f(outer0[0])} {_f(outer0[1])} A{_f(radius)} {_f(radius)} 0 {large} 1 "
            f"{_f(outer1[0])} {_f(outer1[1])} L{_f(inner1[0])} {_f(inner1[1])} "
            f"A{_f(inner)} {_f(inner)} 0 {large} 0 {_f(inner0[0])} {_f(inner0[1])} Z"
        )
        shapes.append(
            _html(
                '<path d="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"><title>{}</title>'
                "</path>",
                path,
                colour,
                tooltip,
            )
        )
        angle = end
    centre = _html(
        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="18" font-weight="600">'
        '{}</text><text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
        _f(cx),
        _f(cy + 3),
        TEXT,
        num(whole),
        _f(cx),
        _f(cy + 19),
        MUTED,
        total_label,
    )
    legend = []
    legend_x = size + 24
    for i, (part, colour) in enumerate(zip(parts, colours, strict=True)):
        y = 24 + i * 40
        legend.append(
            _html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}" '
                'stroke-width="0.5"/><text x="{}" y="{}" fill="{}" font-weight="600">{}</text>'
                '<text x="{}" y="{}" fill="{}">{} · {}</text>',
                _f(legend_x),
                _f(y),
                colour,
                TEXT,
                _f(legend_x + 22),
                _f(y + 11),
                TEXT,
                _clip(part.label, width - legend_x - 22),
                _f(legend_x + 22),
                _f(y + 27),
                MUTED,
                f"{num(part.value)} {unit}".strip(),
                formatting.share(part.value, whole),
            )
        )
    height = max(size, 24 + len(parts) * 40)
    svg = _svg(chart_id, title, description, width, height, _join([*shapes, centre, *legend]))
    table = _table(
        title,
        [_("Merkmal"), unit or _("Wert"), _("Anteil")],
        [(p.label, [num(p.value), formatting.share(p.value, whole)]) for p in parts],
        foot=[(total_label, [num(whole), "100 %"])],
    )
    return Chart(title, description, svg, table)


def _year_position(date):
    """A date in years, so that 31.12.Y is exactly Y + 1 (the end of year Y)."""
    start = dt.date(date.year, 1, 1)
    days = (dt.date(date.year + 1, 1, 1) - start).days
    return date.year + ((date - start).days + 1) / days


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: list[Point],
    unit: str = "",
    baseline: tuple[int, object] | None = None,
    target: tuple[int, object] | None = None,
    width: int = 560,
    height: int = 220,
) -> Chart:
    """Values over time, with the baseline (Ausgangswert) and the target (Zielwert) drawn as
    labelled horizontal lines; baseline/target are (year, value), placed at 31.12. of the year."""
    _check_id(chart_id)
    points = sorted((p for p in points if p.value is not None), key=lambda p: p.date)
    baseline = baseline if baseline and baseline[1] is not None else None
    target = target if target and target[1] is not None else None
    if not points:
        return _empty(
            chart_id, title, description, _("Noch keine Werte erfasst."), width=width, height=40
        )
    references = [r for r in (baseline, target) if r]
    # x in years; a tick labelled Y stands at the end of year Y (31.12.), where yearly
    # statistics have their reference date.
    years = [_year_position(p.date) for p in points]
    reference_years = [r[0] + 1 for r in references if r[0]]
    frame = _TimeFrame(
        width=width,
        height=height,
        x_lo=min(years + reference_years) - 0.4,
        x_hi=max(years + reference_years) + 0.4,
        y_axis=_value_axis([float(p.value) for p in points] + [float(r[1]) for r in references]),
    )
    parts = [
        *_value_ticks(frame),
        *_year_ticks(frame),
        *_reference_lines(frame, baseline, target),
        *_value_line(frame, years, points, unit),
    ]
    svg = _svg(chart_id, title, description, width, height, _join(parts))
    rows = [(p.label or formatting.date(p.date), [num(p.value)]) for p in points]
    foot = []
    if baseline:
        foot.append((f"{_('Ausgangswert')} {baseline[0] or ''}".strip(), [num(baseline[1])]))
    if target:
        foot.append((f"{_('Zielwert')} {target[0] or ''}".strip(), [num(target[1])]))
    table = _table(title, [_("Stichtag"), unit or _("Wert")], rows, foot=foot or None)
    return Chart(title, description, svg, table)


def _value_axis(values):
    """(lowest, highest, step) of a value axis with round ticks that holds all values; it
    starts at zero when that costs little room (honest proportions)."""
    low, high = min(values), max(values)
    span = high - low or abs(high) or 1
    step = nice_step(span)
    y_min = math.floor(low / step) * step
    y_max = math.ceil(high / step) * step
    if y_min > 0 and y_min <= span:
        y_min = 0.0
    if y_max == y_min:
        y_max = y_min + step
    step = nice_step(y_max - y_min)
    return math.floor(y_min / step) * step, math.ceil(y_max / step) * step, step


@dataclass(frozen=True)
class _TimeFrame:
    """The plot area of a line chart: years across, values up."""

    width: int
    height: int
    x_lo: float
    x_hi: float
    y_axis: tuple[float, float, float]
    left: int = 56
    right: int = 150
    top: int = 12
    bottom: int = 28

    @property
    def plot_w(self):
        return self.width - self.left - self.right

    @property
    def plot_h(self):
        return self.height - self.top - self.bottom

    def sx(self, year):
        return self.left + (year - self.x_lo) / (self.x_hi - self.x_lo) * self.plot_w

    def sy(self, value):
        y_min, y_max, _step = self.y_axis
        return self.top + self.plot_h - (float(value) - y_min) / (y_max - y_min) * self.plot_h


def _value_ticks(frame):
    y_min, y_max, step = frame.y_axis
    tick = y_min
    while tick <= y_max + step / 1000:
        yield _html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="11">{}</text>',
            frame.left,
            _f(frame.sy(tick)),
            _f(frame.left + frame.plot_w),
            _f(frame.sy(tick)),
            GRID,
            frame.left - 6,
            _f(frame.sy(tick) + 4),
            MUTED,
            num(tick),
        )
        tick += step


def _year_ticks(frame):
    first, last = math.ceil(frame.x_lo) - 1, math.floor(frame.x_hi) - 1
    year_step = 1 if last - first <= 8 else 2
    bottom = frame.top + frame.plot_h
    for year in range(first, last + 1, year_step):
        x = _f(frame.sx(year + 1))
        yield _html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
            x,
            _f(bottom),
            x,
            _f(bottom + 4),
            MUTED,
            x,
            frame.height - 8,
            MUTED,
            year,
        )


def _reference_lines(frame, baseline, target):
    """Ausgangswert and Zielwert as labelled dashed lines; the target year as a diamond."""
    for kind, reference, colour, dash in (
        (_("Ausgangswert"), baseline, MUTED, "6 4"),
        (_("Zielwert"), target, "#2e8540", "2 3"),
    ):
        if not reference:
            continue
        year, value = reference
        label = f"{kind} {year}: {num(value)}" if year else f"{kind}: {num(value)}"
        y = frame.sy(value)
        yield _html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="{}" class="portal-chart__reference"/>'
            '<text x="{}" y="{}" fill="{}" font-size="11">{}</text>',
            frame.left,
            _f(y),
            _f(frame.left + frame.plot_w),
            _f(y),
            colour,
            dash,
            _f(frame.left + frame.plot_w + 6),
            _f(y + 4),
            TEXT,
            label,
        )
        if reference is target and year:
            x = frame.sx(year + 1)
            yield _html(
                '<path d="M{} {} L{} {} L{} {} L{} {} Z" fill="{}"><title>{}</title></path>',
                _f(x),
                _f(y - 6),
                _f(x + 6),
                _f(y),
                _f(x),
                _f(y + 6),
                _f(x - 6),
                _f(y),
                colour,
                label,
            )


def _value_line(frame, years, points, unit):
    """The values as a line with a dot per value and the latest value written beside it."""
    line = " ".join(
        f"{_f(frame.sx(x))},{_f(frame.sy(p.value))}" for x, p in zip(years, points, strict=True)
    )
    yield _html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" '
        'stroke-linejoin="round"/>',
        line,
        ACCENT,
    )
    for x, point in zip(years, points, strict=True):
        yield _html(
            '<circle cx="{}" cy="{}" r="3.5" fill="{}" stroke="#ffffff" stroke-width="1">'
            "<title>{}: {} {}</title></circle>",
            _f(frame.sx(x)),
            _f(frame.sy(point.value)),
            ACCENT,
            point.label or formatting.date(point.date),
            num(point.value),
            unit,
        )
    last = points[-1]
    falling = len(points) > 1 and last.value < points[-2].value
    yield _html(
        '<text x="{}" y="{}" fill="{}" font-weight="600" text-anchor="end">{}</text>',
        _f(frame.sx(years[-1]) - (6 if falling else 0)),
        _f(frame.sy(last.value) + (18 if falling else -8)),
        ACCENT,
        f"{num(last.value)} {unit}".strip(),
    )


def progress_bar(
    *,
    value,
    chart_id: str = "",
    title: str = "",
    description: str = "",
    decorative: bool = False,
    width: int = 120,
    height: int = 10,
    colour: str = ACCENT,
) -> SafeString:
    """A 0–100 % bar. Decorative bars (next to the number in text) are hidden from assistive
    technology; otherwise the bar carries its own title and description."""
    share = 0.0 if value is None else min(max(float(value), 0.0), 100.0)
    body = _html(
        '<rect x="0" y="0" width="{}" height="{}" rx="2" fill="{}"/>'
        '<rect x="0" y="0" width="{}" height="{}" rx="2" fill="{}"/>',
        width,
        height,
        TRACK,
        _f(width * share / 100),
        height,
        colour,
    )
    if decorative:
        return _html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart__svg '
            'portal-chart__progress" viewBox="0 0 {} {}" width="{}" height="{}" aria-hidden="true" '
            'focusable="false">{}</svg>',
            width,
            height,
            width,
            height,
            body,
        )
    _check_id(chart_id)
    shown = _("keine Angabe") if value is None else formatting.percent(value, 1)
    title = title or _("Fortschritt")
    description = description or shown
    return _svg(chart_id, title, description, width, height, body, css="portal-chart__progress")


# --- the concept's charts (dashboards and the yearly report use the same ones) -----------


def status_overall(tally, *, chart_id="status-gesamt") -> Chart:
    """Umsetzungsstand of all measures as one 100 % bar (tally:
    reporting.dashboard.queries.Tally)."""
    parts = ", ".join(f"{label}: {count}" for _v, label, count in tally.statuses if count)
    return stacked_bar_chart(
        chart_id=chart_id,
        title=_("Umsetzungsstand aller Maßnahmen"),
        description=_("Anteile der %(total)s Maßnahmen je Umsetzungsstand. %(parts)s.")
        % {"total": tally.total, "parts": parts},
        series=status_series(Status.choices),
        rows=[StackRow("", dict(tally.status_counts))],
        normalise=True,
        total_label=_("Maßnahmen"),
    )


def status_by_goal(summaries, *, chart_id="status-je-ziel") -> Chart:
    """Umsetzungsstand per strategic goal (summaries: [reporting.dashboard.queries.GoalSummary])."""
    return stacked_bar_chart(
        chart_id=chart_id,
        title=_("Umsetzungsstand je strategischem Ziel"),
        description=_(
            "Anzahl der Maßnahmen je Ziel, aufgeteilt nach Umsetzungsstand. "
            "Die Tabelle nennt alle Werte."
        ),
        series=status_series(Status.choices),
        rows=[StackRow(s.label, dict(s.tally.status_counts)) for s in summaries],
        total_label=_("Maßnahmen"),
    )


def lights_by_goal(summaries, *, chart_id="ampel-je-ziel") -> Chart:
    choices = [(t.value, t.short_label) for t in TrafficLight]
    # The legend says what each colour means ("gelb – Verzögerung/Risiko"), not only its name.
    meanings = {t.value: str(t.label) for t in TrafficLight}
    series = [replace(s, legend=meanings[s.key]) for s in light_series(choices)]
    return stacked_bar_chart(
        chart_id=chart_id,
        title=_("Ampel je strategischem Ziel"),
        description=_(
            "Anzahl der Maßnahmen je Ziel nach Ampel: grün im Plan, gelb Verzögerung oder "
            "Risiko, rot erheblich abweichend, grau noch nicht bewertbar."
        ),
        series=series,
        rows=[StackRow(s.label, dict(s.tally.light_counts)) for s in summaries],
        total_label=_("Maßnahmen"),
    )


def indicator_line(indicator, values, *, chart_id) -> Chart:
    """A Kennzahl over time with its baseline and target (values: IndicatorValue totals)."""
    points = [Point(v.reference_date, v.value, v.period) for v in values]
    baseline = (
        (indicator.baseline_year, indicator.baseline_value)
        if indicator.baseline_value is not None
        else None
    )
    target = (
        (indicator.target_year, indicator.target_value)
        if indicator.target_value is not None
        else None
    )
    facts = []
    if points:
        facts.append(
            _("Letzter Wert %(value)s %(unit)s am %(date)s.")
            % {
                "value": num(points[-1].value),
                "unit": indicator.unit,
                "date": formatting.date(points[-1].date),
            }
        )
    if baseline:
        facts.append(_("Ausgangswert %(value)s.") % {"value": num(baseline[1])})
    if target:
        facts.append(_("Zielwert %(value)s.") % {"value": num(target[1])})
    return line_chart(
        chart_id=chart_id,
        title=f"{indicator.name} ({indicator.unit})",
        description=" ".join(facts),
        points=points,
        unit=indicator.unit,
        baseline=baseline,
        target=target,
    )


def situation_chart(figure, *, chart_id) -> Chart:
    """An Ausgangslage figure (reporting.dashboard.structure.SituationFigure): parts of a
    total as a donut (with "ohne Angabe"), a ranking without total (e.g. the top 10
    nationalities) as bars."""
    name = figure.indicator.name
    date = formatting.date(figure.reference_date)
    if figure.total is not None and figure.rows:
        parts = [
            Part(row.label, row.value, NO_DATA_COLOUR[0] if row.derived else "")
            for row in figure.rows
        ]
        return donut_chart(
            chart_id=chart_id,
            title=f"{name}, {date}",
            description=_("%(total)s %(unit)s insgesamt: %(parts)s.")
            % {
                "total": num(figure.total),
                "unit": figure.indicator.unit,
                "parts": ", ".join(f"{p.label} {num(p.value)}" for p in parts),
            },
            parts=parts,
            unit=figure.indicator.unit,
            total=figure.total,
        )
    rows = [(row.label, row.value) for row in figure.rows]
    return bar_chart(
        chart_id=chart_id,
        title=f"{name}, {date}",
        description=", ".join(f"{label} {num(value)}" for label, value in rows),
        rows=rows,
        value_label=figure.indicator.unit,
    )
