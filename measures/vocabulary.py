"""Umsetzungsstand and Ampel: their values, labels, order and colours, defined once for the
pages, the charts and the yearly report.

The order is the order of the members. Every colour is a pair: the fill (a swatch, a chart
segment, an Ampel dot, a coloured edge) and the colour of text written on it. Both are
measured (tests/measures/test_vocabulary.py) against WCAG 2.2: text on a fill at least
4.5:1 (1.4.3), a fill against the white page and the light grey label background at least
3:1 (1.4.11, a graphical object next to its text label – the label carries the meaning,
never the colour alone). The stylesheets of the pages (static/css/portal.css) and of the
PDF (static/css/report.css) declare the fills as custom properties (css_properties); a test
keeps them equal.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Colour:
    fill: str
    text: str  # text written on the fill; dark on a light fill, which charts outline


WHITE = "#ffffff"
DARK = "#1a1a1a"


class Status(models.TextChoices):
    """Umsetzungsstand of a measure, in the order of implementation."""

    NOT_STARTED = "not_started", _("nicht begonnen")
    PREPARING = "preparing", _("in Vorbereitung")
    IN_PROGRESS = "in_progress", _("in Umsetzung")
    IMPLEMENTED = "implemented", _("umgesetzt")
    ESTABLISHED = "established", _("verstetigt")
    DEFERRED = "deferred", _("zurückgestellt")
    DROPPED = "dropped", _("entfallen")

    @property
    def colour(self) -> Colour:
        return STATUS_COLOURS[self]


def short_label_of(label) -> str:
    """ "grün – im Plan" → "grün": the colour word of an Ampel label, where a legend or the
    column explains it."""
    return str(label).split(" – ")[0]


class TrafficLight(models.TextChoices):
    """Ampel: an assessment kept apart from the Umsetzungsstand."""

    GREEN = "green", _("grün – im Plan")
    YELLOW = "yellow", _("gelb – Verzögerung/Risiko")
    RED = "red", _("rot – erheblich abweichend, Handlungsbedarf")
    GREY = "grey", _("grau – noch nicht begonnen / nicht bewertbar")

    @property
    def short_label(self) -> str:
        return short_label_of(self.label)

    @property
    def colour(self) -> Colour:
        return LIGHT_COLOURS[self]


STATUS_COLOURS = {
    Status.NOT_STARTED: Colour("#6b6b6b", WHITE),
    Status.PREPARING: Colour("#8a6500", WHITE),
    Status.IN_PROGRESS: Colour("#0b5cad", WHITE),
    Status.IMPLEMENTED: Colour("#2e8540", WHITE),
    Status.ESTABLISHED: Colour("#0d4a24", WHITE),
    Status.DEFERRED: Colour("#b35400", WHITE),
    Status.DROPPED: Colour("#a0141e", WHITE),
}
LIGHT_COLOURS = {
    TrafficLight.GREEN: Colour("#1a7f37", WHITE),
    # A bright yellow stands out from white paper by less than 2:1; this one by 3.4:1.
    TrafficLight.YELLOW: Colour("#a88700", DARK),
    TrafficLight.RED: Colour("#c8102e", WHITE),
    TrafficLight.GREY: Colour("#8a8a8a", DARK),
}

# Ampel colours that call for attention (Handlungsbedarf), the most urgent first: lists of
# measures needing attention are in this order.
ATTENTION_LIGHTS = (TrafficLight.RED, TrafficLight.YELLOW)


def css_properties() -> dict[str, str]:
    """The fills as CSS custom properties, as the stylesheets declare them in :root (they
    write no text on them)."""
    return {
        f"--portal-{prefix}-{member.value}": colour.fill
        for prefix, colours in (("status", STATUS_COLOURS), ("light", LIGHT_COLOURS))
        for member, colour in colours.items()
    }
