"""The cells only measures and Sachstände have: Teilziele by number, a measure by its code,
organisations by name."""

import re

from django.utils.translation import gettext_lazy

from concept.exchange.cells import RefCell, RefListCell
from concept.exchange.values import excel_date_variants, normalise_text

STATUS_MESSAGE = gettext_lazy(
    "„%(value)s“ ist kein gültiger Umsetzungsstand (erlaubt: %(allowed)s)."
)
LIGHT_MESSAGE = gettext_lazy("„%(value)s“ ist keine gültige Ampel (erlaubt: %(allowed)s).")
CADENCE_MESSAGE = gettext_lazy(
    "„%(value)s“ ist kein gültiger Aktualisierungsturnus (erlaubt: %(allowed)s)."
)


class SubGoalsCell(RefListCell):
    """ "1.2, 1.3": Teilziele by goal and number, separated by commas or semicolons."""

    split_pattern = re.compile(r"[,;\s]+")
    joiner = ", "

    def key(self, value):
        return normalise_text(value).rstrip(".")

    def parse(self, value):
        # A single Teilziel "1.2" becomes 1 February in German Excel; take it back.
        variants = excel_date_variants(value)
        if variants and variants[1] in self.lookup:
            return [self.lookup[variants[1]]]
        return super().parse(value)


class MeasureRefCell(RefCell):
    """A measure by its code ("aG 1" is aG1), or by its outline number if it has none."""

    def key(self, value):
        return "".join(normalise_text(value).split())

    def parse(self, value):
        key = self.key(value)
        found = self.lookup.get(key) or self.lookup.get(key.casefold())
        if found is None:
            raise ValueError(self.message % {"value": normalise_text(value)})
        return found


def measure_index(measures):
    """code → measure (exact and case-insensitive), and outline number for uncoded ones."""
    lookup = {}
    for measure in measures:
        if measure.code:
            lookup[measure.code] = measure
            lookup.setdefault(measure.code.casefold(), measure)
        else:
            lookup.setdefault(measure.number, measure)
    return lookup


def organisation_cell(required=False):
    return RefListCell(
        name=lambda o: o.name,
        message=gettext_lazy("„%(value)s“: diesen Akteur gibt es in diesem Konzept nicht."),
        required=required,
        hint=gettext_lazy("Namen von Akteuren"),
    )
