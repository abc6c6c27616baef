"""Data exchange of measures and Sachstände (the machinery is concept.exchange).

Every imported change goes through measures.services: a changed Umsetzungsstand, Ampel or
Fortschritt leaves a Sachstand and bumps the measure's version. A row from an older export
is compared with the measure as it was exported (its history): what others changed since
stays, and only a cell both changed is refused ("wurde seit dem Export geändert").
"""

from measures.resources.measure import MeasureResource
from measures.resources.progress import ProgressEntryResource

__all__ = ["MeasureResource", "ProgressEntryResource"]
