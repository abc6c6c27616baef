"""A resource's columns: German header (and other spellings people use), cell, role; and how
a file's header line is matched onto them."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from import_export import fields

from concept.exchange.values import as_text, is_empty, lookup_key

# KEY identifies the row and is never changed by an import; DATA is imported; CHECK is
# compared but never written (Version); EXPORT is only written (erfasst von).
KEY, DATA, CHECK, EXPORT = "key", "data", "check", "export"


class Column(fields.Field):
    """A column: its German header, its cell and how it takes part in an import (role)."""

    def __init__(self, header, widget, *, attribute, getter=None, role=DATA, aliases=()):
        super().__init__(
            attribute=attribute, column_name=header, widget=widget, readonly=role == EXPORT
        )
        self.getter = getter
        self.role = role
        self.aliases = aliases

    def value(self, instance):
        if instance is None:
            return None
        if self.getter is not None:
            return self.getter(instance)
        return getattr(instance, self.attribute)

    def export(self, instance, **kwargs):
        return self.widget.render(self.value(instance))

    def clean(self, row, **kwargs):
        return self.widget.clean(row.get(self.column_name))


def header_key(text) -> str:
    return lookup_key(text)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how Excel names columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class HeaderMatch:
    """A file's header line matched onto a resource's columns."""

    #: per column of the file: the column's header, or a placeholder for one that is ignored
    names: list = field(default_factory=list)
    #: the headers of the columns the file has
    present: set = field(default_factory=set)
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def match_headers(columns, headers, rows) -> HeaderMatch:
    """Unknown headers are ignored with a warning (as are values under no header at all);
    a column given twice is an error."""
    known = {}
    for column in columns:
        for spelling in (column.column_name, *column.aliases):
            known[header_key(spelling)] = column
    match, first_index = HeaderMatch(), {}
    for index, header in enumerate(headers):
        text = " ".join(as_text(header).split())
        column = known.get(header_key(text)) if text else None
        if column is None:
            if text:
                match.warnings.append(
                    _("Die Spalte „%(name)s“ ist unbekannt und wird ignoriert.") % {"name": text}
                )
            elif any(not is_empty(row[index]) for row in rows):
                match.warnings.append(
                    _("Spalte %(letter)s hat keine Überschrift; ihre Werte werden ignoriert.")
                    % {"letter": column_letter(index)}
                )
            match.names.append(f"__ignoriert_{index}")
            continue
        if column.column_name in first_index:
            match.errors.append(
                _("Die Spalte „%(name)s“ kommt doppelt vor (Spalten %(first)s und %(second)s).")
                % {
                    "name": column.column_name,
                    "first": column_letter(first_index[column.column_name]),
                    "second": column_letter(index),
                }
            )
            match.names.append(f"__doppelt_{index}")
            continue
        first_index[column.column_name] = index
        match.names.append(column.column_name)
    match.present = set(first_index)
    return match


def missing_columns(required, present) -> list[str]:
    """The messages for required columns the file lacks; a tuple in `required` means
    "one of these"."""
    messages = []
    for requirement in required:
        names = requirement if isinstance(requirement, tuple | list) else (requirement,)
        names = [str(name) for name in names]
        if any(name in present for name in names):
            continue
        if len(names) == 1:
            messages.append(_("Die Pflichtspalte „%(name)s“ fehlt.") % {"name": names[0]})
        else:
            messages.append(
                _("Es fehlt die Spalte „%(first)s“ oder „%(second)s“.")
                % {"first": names[0], "second": names[1]}
            )
    return messages
