"""Files out: a kind of data of one concept as CSV or XLSX."""

from dataclasses import dataclass

from django.utils import timezone

from concept.exchange.writing import CONTENT_TYPES, write_csv, write_xlsx
from concept.models import Concept
from reporting.exchange.kinds import Kind


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def export_file(kind: Kind, concept: Concept, fmt: str, params=None, today=None) -> ExportFile:
    """params: the list's filters (URL parameters); an invalid one raises ExportFilterError."""
    resource = kind.resource(concept=concept)
    columns = resource.columns
    rows = [resource.cells(item, columns) for item in resource.export_queryset(params)]
    headers = [column.column_name for column in columns]
    if fmt == "xlsx":
        formats = [getattr(column.widget, "number_format", None) for column in columns]
        content = write_xlsx(headers, rows, title=str(kind.label), number_formats=formats)
    elif fmt == "csv":
        content = write_csv(headers, rows)
    else:
        raise ValueError(fmt)
    today = today or timezone.localdate()
    filename = f"{kind.slug}-{concept.slug}-{today:%Y-%m-%d}.{fmt}"
    return ExportFile(content, filename, CONTENT_TYPES[fmt], len(rows))
