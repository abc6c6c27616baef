"""The base of every app's resources (django-import-export): the rows of one concept.

- the same columns for export and import, so an exported file goes back in as it is;
- one row at a time through the app's services (never a bulk path around the history), with
  German errors naming row and column; the whole file in one transaction (all or nothing);
- a row of an older export is reconciled with the object as exported (concept.exchange.stale).

Each app keeps its own resources.py with one resource per kind of row (measures, Sachstände,
Kennzahlwerte, Akteure, Netzwerke).
"""

from dataclasses import dataclass

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import resources
from import_export.results import Result, RowResult

from concept.exchange.columns import DATA, EXPORT, match_headers, missing_columns
from concept.exchange.errors import ImportAborted
from concept.exchange.stale import StaleRowsMixin
from concept.exchange.values import is_empty
from concept.locking import StaleVersion


@dataclass
class Change:
    """One cell that an imported row changes: column, old and new value as users read them."""

    column: str
    attribute: str
    old: str
    new: str


class ExcelNumberedResult(Result):
    """Row errors numbered as Excel shows them (header = row 1), as the portal and the
    command line report them, and not by the position in which the row was processed."""

    def row_errors(self):
        rows = [row for row in self.rows if row.errors]
        return [(getattr(row, "line", None) or 0, row.errors) for row in rows]


class ConceptResource(StaleRowsMixin, resources.ModelResource):
    """Rows of one concept. Subclasses define the columns and four steps for a row:
    load() the concept's rows once, find() the row's object, check() what may not change,
    apply() the change through the app's services."""

    #: in URLs and file names: "massnahmen"
    slug = ""
    #: headers that must be present; a tuple means "one of these"
    required_columns = ()
    #: model field names whose errors belong to another column than their own
    error_columns = {}
    #: shown in messages: "Maßnahme", "Sachstand" …
    row_noun = ""

    class Meta:
        use_transactions = True
        skip_diff = True
        report_skipped = True

    def __init__(self, concept=None, user=None, **kwargs):
        super().__init__(**kwargs)
        for column in self.fields.values():
            column.column_name = str(column.column_name)
            column.aliases = tuple(str(alias) for alias in column.aliases)
        self.concept = concept
        self.user = user
        self.file_name = ""
        self.file_errors = []
        self.warnings = []
        self.present = set()
        self.line_numbers = None
        self._seen = {}
        self.columns = self.get_export_fields()
        self._by_attribute = {column.attribute: column for column in self.columns}
        self._import_columns = [c for c in self.columns if c.role != EXPORT]

    def get_result_class(self):
        return ExcelNumberedResult

    @property
    def change_reason(self) -> str:
        """The history's Anlass of every change this import makes: Datenimport „datei.csv“."""
        name = self.file_name or _("Datei")
        reason = _("Datenimport „%(file)s“") % {"file": name}
        # As long as the history's column takes (django-simple-history's setting).
        history = self._meta.model.history.model
        overflow = len(reason) - history._meta.get_field("history_change_reason").max_length
        if overflow > 0:  # shorten the name, keep its closing quote
            reason = _("Datenimport „%(file)s“") % {"file": name[: -(overflow + 1)] + "…"}
        return reason

    # --- columns ---

    def column(self, attribute):
        return self._by_attribute.get(attribute)

    def header_of(self, attribute):
        column = self.column(attribute)
        return column.column_name if column else None

    def get_user_visible_fields(self):
        return self.columns

    def get_import_fields(self):
        return self._import_columns

    # --- export ---

    def export_queryset(self, params=None):
        """The concept's rows for an export, with what the columns read prefetched; params
        (the URL's filters) narrow them, and raise ExportFilterError if one is invalid."""
        raise NotImplementedError

    def cells(self, instance, columns=None):
        return [c.widget.cell(c.value(instance)) for c in columns or self.columns]

    def export(self, queryset=None, **kwargs):
        """Native cells (numbers, dates) so that files keep their types; the file formats
        (concept.exchange.writing) write them the German way."""
        selected = kwargs.get("export_fields")
        columns = [c for c in self.columns if not selected or c.attribute in selected]
        if queryset is None:
            queryset = self.export_queryset()
        elif self.concept is not None:
            queryset = self.export_queryset().filter(pk__in=queryset.values("pk"))
        dataset = tablib.Dataset(headers=[c.column_name for c in columns])
        for instance in queryset:
            dataset.append(self.cells(instance, columns))
        return dataset

    # --- import: the file ---

    def prepare(self, dataset):
        """Map the file's headers onto the columns: unknown ones are ignored with a warning,
        missing required and doubled ones stop the import."""
        self.line_numbers = getattr(dataset, "line_numbers", None)
        match = match_headers(self.columns, dataset.headers or [], dataset)
        self.warnings = [*getattr(dataset, "warnings", []), *match.warnings]
        self.file_errors = match.errors + missing_columns(self.required_columns, match.present)
        self.present = match.present
        if dataset.headers:
            dataset.headers = match.names
        self._seen = {}
        if not self.file_errors and len(dataset):
            self.order_rows(dataset)

    def order_rows(self, dataset):
        """Hook: process the rows in another order (their reported row numbers stay)."""

    def reorder(self, dataset, order):
        lines = self.line_numbers or [index + 2 for index in range(len(dataset))]
        rows = [dataset[index] for index in order]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)
        self.line_numbers = [lines[index] for index in order]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """All or nothing: always in a transaction, rolled back on any invalid row."""
        if self.concept is None:
            raise ValueError("Ein Import braucht ein Konzept.")
        kwargs.pop("use_transactions", None)
        kwargs.pop("rollback_on_validation_errors", None)
        self.file_name = kwargs.get("file_name") or ""
        self.prepare(dataset)
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            rollback_on_validation_errors=True,
            **kwargs,
        )
        # django-import-export numbers rows by processing order from 1; the admin shows them
        # as the portal does: the line in the file.
        for row in (*result.invalid_rows, *result.error_rows):
            row.number = self.line_of(row.number)
        result.invalid_rows.sort(key=lambda row: row.number)
        result.error_rows.sort(key=lambda row: row.number)
        result.rows.sort(key=lambda row: getattr(row, "line", 0))
        return result

    def before_import(self, dataset, **kwargs):
        if self.file_errors:
            raise ImportAborted(self.file_errors)
        self.load()

    def line_of(self, row_number):
        """The row as Excel numbers it: the header is row 1."""
        if self.line_numbers and 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1

    # --- import: the steps subclasses define ---

    def load(self):
        """Read what the rows refer to, once (so the import costs no query per lookup)."""

    def find(self, values, errors):
        """(existing object or None, key identifying the row in the file, its label)."""
        raise NotImplementedError

    def check(self, instance, values, changes, errors):
        """Refuse what may not change (add German messages to errors by column)."""

    def apply(self, instance, values, changes):
        """Write the row through the services; return the object."""
        raise NotImplementedError

    def label(self, instance, values):
        return str(instance) if instance is not None else ""

    # --- import: one row ---

    def changes(self, instance, values):
        changes = []
        for column in self.get_import_fields():
            if column.role != DATA or column.column_name not in self.present:
                continue
            new = values[column.attribute]
            if instance is None:
                if is_empty(new) or new in ((), []):
                    continue
                changes.append(
                    Change(column.column_name, column.attribute, "", column.widget.display(new))
                )
                continue
            old = column.value(instance)
            if not column.widget.same(old, new):
                changes.append(
                    Change(
                        column.column_name,
                        column.attribute,
                        column.widget.display(old),
                        column.widget.display(new),
                    )
                )
        return changes

    def add_validation_error(self, error, errors):
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                header = None
                if field != NON_FIELD_ERRORS:
                    header = self.error_columns.get(field) or self.header_of(field)
                errors.setdefault(header and str(header), []).extend(messages)
        else:
            errors.setdefault(None, []).extend(error.messages)

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs.get("row_number") or 0
        result = self.get_row_result_class()()
        result.line = self.line_of(number)
        result.label = ""
        result.changes = []
        result.errors_by_column = {}
        result.notices = []
        if self.file_errors:
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        # django-import-export runs every row in a savepoint of the import's transaction
        # (import_data forces use_transactions): a refused row rolls back to it, so what it
        # wrote before failing is gone before the next row is checked.
        try:
            self.import_one(row, result)
        except Exception as error:  # reported as an error row; the import is rolled back
            transaction.set_rollback(True)
            result.import_type = RowResult.IMPORT_TYPE_ERROR
            result.errors.append(self.get_error_result_class()(error, row=row, number=result.line))
        return result

    def clean_row(self, row, errors) -> dict:
        """{attribute: value} of the columns the file has; unreadable cells go to errors."""
        values = {}
        for column in self.get_import_fields():
            if column.column_name not in self.present:
                continue
            try:
                values[column.attribute] = column.clean(row)
            except ValueError as error:
                errors.setdefault(column.column_name, []).append(str(error))
        return values

    def note_key(self, key, result, errors):
        """A row identifying the same object as an earlier row of the file is an error."""
        if key is None:
            return
        first = self._seen.get(key)
        if first is None:
            self._seen[key] = result.line
            return
        errors.setdefault(None, []).append(
            _("Diese Zeile wiederholt Zeile %(line)d (%(noun)s „%(label)s“).")
            % {"line": first, "noun": self.row_noun, "label": result.label}
        )

    def import_one(self, row, result):
        """Read, find, compare, check and write one row; the outcome goes into result."""
        errors = {}
        values = self.clean_row(row, errors)
        instance, key, result.label = self.find(values, errors)
        self.note_key(key, result, errors)
        if not errors:
            changes = self.changes(instance, values)
            if instance is not None:
                changes, result.notices = self.reconcile(instance, values, changes, errors)
            result.changes = changes
            if instance is not None and not changes and not errors:
                result.import_type = RowResult.IMPORT_TYPE_SKIP
                result.add_instance_info(instance)
                result.instance = instance
                return
            self.check(instance, values, changes, errors)
        if not errors and self.write(instance, values, result, errors):
            return
        result.import_type = RowResult.IMPORT_TYPE_INVALID
        result.errors_by_column = errors
        result.validation_error = ValidationError(
            {
                (column or NON_FIELD_ERRORS): [ValidationError(m) for m in messages]
                for column, messages in errors.items()
            }
        )

    def write(self, instance, values, result, errors) -> bool:
        """apply() the row; False (and the row's writes rolled back) if it is refused."""
        try:
            saved = self.apply(instance, values, result.changes)
        except ValidationError as error:
            transaction.set_rollback(True)
            self.add_validation_error(error, errors)
            return False
        except StaleVersion as error:
            transaction.set_rollback(True)
            self.conflict_error(error.obj, values, errors)
            return False
        result.import_type = (
            RowResult.IMPORT_TYPE_NEW if instance is None else RowResult.IMPORT_TYPE_UPDATE
        )
        result.add_instance_info(saved)
        result.instance = saved
        result.diff = [f"{c.column}: {c.old or '–'} → {c.new or '–'}" for c in result.changes]
        return True
