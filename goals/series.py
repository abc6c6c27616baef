"""A Kennzahl's values over time as its page and its dashboard tile show them: the totals in
order, the change against the previous value ("+1.234 gegenüber 2019"), the series breaks,
the source line ("Quelle: LSN, Integrationsmonitoring Niedersachsen, Stand 18.12.2025") and
a small line (sparkline) with its text alternative.

Pure: it reads the values it is given and queries nothing. Pages load the values with
`values_for_series()` (one query, sources joined) or a Prefetch of it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from concept import formatting
from goals.models import IndicatorValue

# The sparkline's drawing area, in SVG units (the picture scales with its box).
WIDTH = 240
HEIGHT = 48
PAD = 4


def values_for_series():
    """The totals of a Kennzahl (no breakdown), oldest first, each with the reading and
    source it came from: what series() needs, in one query."""
    return (
        IndicatorValue.objects.filter(breakdown="")
        .select_related("statistics_import__source")
        .order_by("reference_date", "pk")
    )


def prefetch_series(to_attr="series_values"):
    """Prefetch of values_for_series() for a list of Kennzahlen (one query for all)."""
    return Prefetch("values", queryset=values_for_series(), to_attr=to_attr)


def label(value: IndicatorValue) -> str:
    """How a value's time is named: its period ("2019", "Schuljahr 2024/25"); a value at the
    end of a year by the year; else its Stichtag."""
    if value.period:
        return value.period
    date = value.reference_date
    if (date.month, date.day) == (12, 31):
        return str(date.year)
    return formatting.date(date)


def source_line(value: IndicatorValue | None, indicator) -> str:
    """ "Quelle: LSN, Integrationsmonitoring Niedersachsen, Stand 18.12.2025" for a value read
    from a statistics source (Stand: when it was read); else the value's own source, else the
    Kennzahl's; "" when none is known."""
    reading = value.statistics_import if value is not None else None
    if reading is not None:
        return _("Quelle: %(source)s, Stand %(date)s") % {
            "source": reading.source.short_label,
            "date": formatting.date(timezone.localdate(reading.read_at)),
        }
    text = (value.source if value is not None else "") or indicator.source
    return _("Quelle: %(source)s") % {"source": text} if text else ""


@dataclass(frozen=True)
class Point:
    value: IndicatorValue
    label: str
    text: str  # the number as written, with its unit
    x: float
    y: float
    is_break: bool  # a new way of counting starts here

    @property
    def cx(self) -> str:
        return _f(self.x)

    @property
    def cy(self) -> str:
        return _f(self.y)

    @property
    def xy(self) -> str:
        return f"{self.cx},{self.cy}"


def _f(number) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass
class Series:
    indicator: object
    points: list  # [Point], oldest first

    @property
    def latest(self):
        return self.points[-1] if self.points else None

    @property
    def previous(self):
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def change(self) -> Decimal | None:
        if self.previous is None:
            return None
        return self.latest.value.value - self.previous.value.value

    @property
    def change_text(self) -> str:
        """ "+1.234 gegenüber 2019", "+1,1 Prozentpunkte gegenüber 2023"; "" without a
        previous value."""
        if self.change is None:
            return ""
        return _("%(change)s gegenüber %(previous)s") % {
            "change": self.indicator.format_change(self.change),
            "previous": self.previous.label,
        }

    @property
    def change_across_break(self) -> bool:
        """The latest value starts a new way of counting: its change is not comparable."""
        return self.previous is not None and self.latest.is_break

    @property
    def breaks(self) -> list:
        """The points a new way of counting starts at (not the first: nothing to break)."""
        return [p for p in self.points[1:] if p.is_break]

    @property
    def source_line(self) -> str:
        return source_line(self.latest.value if self.latest else None, self.indicator)

    @property
    def segments(self) -> list[str]:
        """The sparkline's polylines ("x,y x,y …"): the line is broken where the series is."""
        parts, current = [], []
        for point in self.points:
            if point.is_break and current:
                parts.append(current)
                current = []
            current.append(point.xy)
        if current:
            parts.append(current)
        return [" ".join(part) for part in parts if len(part) > 1]

    @property
    def break_marks(self) -> list[float]:
        """x of a dashed mark between the value before a break and the break."""
        marks = []
        for before, point in zip(self.points, self.points[1:], strict=False):
            if point.is_break:
                marks.append(_f((before.x + point.x) / 2))
        return marks

    @property
    def description(self) -> str:
        """The sparkline in words, for people who cannot see it."""
        if not self.points:
            return _("Noch keine Werte.")
        first, last = self.points[0], self.points[-1]
        if first is last:
            text = _("Ein Wert: %(value)s (%(label)s).") % {"value": last.text, "label": last.label}
        else:
            low = min(self.points, key=lambda p: p.value.value)
            high = max(self.points, key=lambda p: p.value.value)
            text = _(
                "%(count)d Werte von %(first)s bis %(last)s: %(first_value)s (%(first)s), "
                "zuletzt %(last_value)s (%(last)s); niedrigster Wert %(low)s (%(low_label)s), "
                "höchster %(high)s (%(high_label)s)."
            ) % {
                "count": len(self.points),
                "first": first.label,
                "last": last.label,
                "first_value": first.text,
                "last_value": last.text,
                "low": low.text,
                "low_label": low.label,
                "high": high.text,
                "high_label": high.label,
            }
        if self.breaks:
            text += " " + _("Zeitreihenbruch vor: %(labels)s.") % {
                "labels": ", ".join(p.label for p in self.breaks)
            }
        return text

    @property
    def width(self):
        return WIDTH

    @property
    def height(self):
        return HEIGHT


def value_text(indicator, value) -> str:
    """A value with its unit as a tile writes it: "20.715", "12,5 %", "121 Plätze"."""
    number = formatting.number(value)
    unit = indicator.display_unit
    return f"{number} {unit}".strip() if unit != "%" else f"{number} %"


def series(indicator, values) -> Series:
    """The Series of `indicator` from its totals (values_for_series(), oldest first; values
    with a breakdown are left out)."""
    values = [v for v in values if not v.breakdown]
    numbers = [v.value for v in values]
    low, high = (min(numbers), max(numbers)) if numbers else (Decimal(0), Decimal(0))
    span = high - low
    steps = max(len(values) - 1, 1)
    points = []
    for i, value in enumerate(values):
        x = PAD + (WIDTH - 2 * PAD) * (i / steps if len(values) > 1 else 0.5)
        share = float((value.value - low) / span) if span else 0.5
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * share
        points.append(
            Point(
                value=value,
                label=label(value),
                text=value_text(indicator, value.value),
                x=x,
                y=y,
                is_break=value.series_break and i > 0,
            )
        )
    return Series(indicator, points)
