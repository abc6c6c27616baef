"""Files in: a file checked row by row (a dry run for the preview) or imported, all or
nothing, and the report of what each row does or why it is refused."""

import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.results import RowResult

from concept.exchange.errors import ExchangeFileError, ImportAborted
from concept.exchange.reading import read_rows
from concept.models import Concept
from reporting.exchange.kinds import Kind

logger = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
STATUS_LABELS = {
    NEW: gettext_lazy("neu"),
    CHANGED: gettext_lazy("geändert"),
    UNCHANGED: gettext_lazy("unverändert"),
    ERROR: gettext_lazy("Fehler"),
}
ROW_STATUS = {
    RowResult.IMPORT_TYPE_NEW: NEW,
    RowResult.IMPORT_TYPE_UPDATE: CHANGED,
    RowResult.IMPORT_TYPE_SKIP: UNCHANGED,
}


def row_message(line, column, message) -> str:
    if column:
        return _("Zeile %(line)d, Spalte „%(column)s“: %(message)s") % {
            "line": line,
            "column": column,
            "message": message,
        }
    return _("Zeile %(line)d: %(message)s") % {"line": line, "message": message}


@dataclass
class RowReport:
    line: int
    status: str
    label: str
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (column or None, message)
    # What the row does not do and why (a row of an older export keeps others' changes).
    notices: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def badge(self):
        """The KERN badge variant the preview shows the status in."""
        return {NEW: "success", CHANGED: "info", ERROR: "danger"}.get(self.status, "")

    @property
    def messages(self):
        return [row_message(self.line, column, message) for column, message in self.errors]

    @property
    def notice_messages(self):
        return [row_message(self.line, None, notice) for notice in self.notices]


@dataclass
class ImportReport:
    kind: Kind
    file_name: str
    dry_run: bool
    description: str = ""
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def counts(self):
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def ok(self):
        return not self.file_errors and not any(row.status == ERROR for row in self.rows)

    @property
    def written(self):
        return self.ok and not self.dry_run

    @property
    def has_changes(self):
        counts = self.counts
        return bool(counts[NEW] or counts[CHANGED])

    @property
    def error_messages(self):
        return self.file_errors + [m for row in self.rows for m in row.messages]

    @property
    def summary(self):
        counts = self.counts
        text = _("%(new)d neu, %(changed)d geändert, %(unchanged)d unverändert") % counts
        if counts[ERROR]:
            text += ", " + ngettext(
                "%(count)d Zeile mit Fehlern", "%(count)d Zeilen mit Fehlern", counts[ERROR]
            ) % {"count": counts[ERROR]}
        return text

    # The preview lists every row of small files; of large ones the rows that do something.
    PREVIEW_ALL = 300
    PREVIEW_MAX = 1000

    @property
    def preview_rows(self):
        rows = self.rows
        if len(rows) > self.PREVIEW_ALL:
            rows = [row for row in rows if row.status != UNCHANGED or row.notices]
        return rows[: self.PREVIEW_MAX]

    @property
    def hidden_rows(self):
        return len(self.rows) - len(self.preview_rows)


def unexpected_errors(result) -> list[str]:
    """What went wrong outside the rows (an ImportAborted carries the resource's own file
    errors, which the report has already)."""
    messages = []
    for error in result.base_errors:
        if isinstance(error.error, ImportAborted):
            continue
        logger.error("Import failed", exc_info=error.error)
        messages.append(
            _("Unerwarteter Fehler beim Import (%(error)s). Es wurde nichts gespeichert.")
            % {"error": type(error.error).__name__}
        )
    return messages


def row_report(row) -> RowReport:
    """One row's result (django-import-export's RowResult, as ConceptResource fills it)."""
    line = getattr(row, "line", 0)
    if row.import_type in ROW_STATUS:
        status = ROW_STATUS[row.import_type]
        errors = []
    elif row.import_type == RowResult.IMPORT_TYPE_INVALID:
        status = ERROR
        errors = [
            (column, message)
            for column, messages in row.errors_by_column.items()
            for message in messages
        ]
    else:
        status = ERROR
        for error in row.errors:
            logger.error("Import row %s failed", line, exc_info=error.error)
        errors = [
            (None, _("unerwarteter Fehler (%(error)s).") % {"error": type(error.error).__name__})
            for error in row.errors
        ]
    return RowReport(
        line,
        status,
        getattr(row, "label", ""),
        getattr(row, "changes", []),
        errors,
        getattr(row, "notices", []) if status != ERROR else [],
    )


def report_from_result(report, resource, result):
    report.file_errors = list(resource.file_errors) + unexpected_errors(result)
    report.warnings = list(resource.warnings)
    if report.file_errors:
        return report
    # Sorted: a resource may process the rows in another order.
    report.rows = sorted((row_report(row) for row in result.rows), key=lambda row: row.line)
    # Rows that keep others' changes are listed above the rows too (and by import_data).
    report.warnings += [m for row in report.rows for m in row.notice_messages]
    return report


def run_import(*, kind: Kind, concept: Concept, user, file_name: str, data: bytes, dry_run: bool):
    """Check (dry_run) or import a file; nothing is written unless every row is fine."""
    report = ImportReport(kind=kind, file_name=file_name, dry_run=dry_run)
    try:
        table = read_rows(file_name, data)
    except ExchangeFileError as error:
        report.file_errors = error.messages
        return report
    report.description = table.description
    resource = kind.resource(concept=concept, user=user)
    result = resource.import_data(
        table.dataset(), dry_run=dry_run, raise_errors=False, file_name=file_name
    )
    return report_from_result(report, resource, result)
