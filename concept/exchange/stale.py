"""Rows of an older export: a row whose Version is behind the object's is compared cell by
cell with the object as it was exported (its history), three-way, as VersionedForm.rebase
does for forms. Cells the user left as exported keep what others changed since; the user's
own changes go ahead where nobody else changed the cell; a cell both changed differently is
a conflict, and so is a version whose state the history does not know."""

from django.utils.translation import gettext as _


def quoted_columns(columns) -> str:
    """„Ampel“, „Fortschritt“"""
    return ", ".join(f"„{column}“" for column in columns)


def unknown_version_message(names, changes) -> str:
    return _(
        "%(noun)s „%(label)s“ wurde seit dem Export geändert (Version %(old)d in "
        "der Datei, jetzt %(new)d), und der Stand von Version %(old)d ist nicht "
        "bekannt. Ihre Datei weicht ab bei %(columns)s. Bitte neu exportieren und "
        "die Änderung dort eintragen."
    ) % (names | {"columns": quoted_columns(c.column for c in changes)})


def conflict_message(names, conflicts) -> str:
    return _(
        "%(noun)s „%(label)s“ wurde seit dem Export geändert (Version %(old)d in "
        "der Datei, jetzt %(new)d): %(columns)s haben Sie und inzwischen auch "
        "jemand anderes geändert. Bitte neu exportieren und die Änderung dort "
        "eintragen."
    ) % (names | {"columns": quoted_columns(c.column for c in conflicts)})


def kept_notice(names, theirs, remaining) -> str:
    """What the row leaves to others' changes, and whether it changes anything itself."""
    if remaining:
        notice = _(
            "%(noun)s „%(label)s“ wurde seit dem Export von anderen geändert (%(columns)s); "
            "diese bleiben erhalten, übernommen werden nur Ihre Änderungen."
        )
    else:
        notice = _(
            "%(noun)s „%(label)s“ wurde seit dem Export von anderen geändert (%(columns)s); "
            "Ihre Datei ändert hier nichts."
        )
    return notice % (names | {"columns": quoted_columns(c.column for c in theirs)})


class StaleRowsMixin:
    """For ConceptResource: reconcile() a row with the object it was exported from."""

    def values_at(self, instance, version):
        """The row's columns as the object stood at that version, from its history:
        {attribute: value as column.value() gives it}; None if that version is not recorded.
        A column missing from the dict was not recorded then."""
        return None

    def reconcile(self, instance, values, changes, errors):
        """A row of an older export (its Version is behind the object's) against the object
        as exported. Returns the changes that remain, and notices; a conflict is added to
        errors (at the Version column)."""
        header = self.header_of("version")
        expected = values.get("version")
        if not changes or header not in self.present or expected is None:
            return changes, []
        current = self.column("version").value(instance)
        if expected == current:
            return changes, []
        names = {"noun": self.row_noun, "label": self.label(instance, values)}
        names |= {"old": expected, "new": current}
        exported = self.values_at(instance, expected) if expected < current else None
        if exported is None:
            errors.setdefault(header, []).append(unknown_version_message(names, changes))
            return changes, []
        theirs, conflicts = self.merge(instance, values, changes, exported)
        if conflicts:
            errors.setdefault(header, []).append(conflict_message(names, conflicts))
            return changes, []
        remaining = [change for change in changes if change not in theirs]
        if not theirs:
            return remaining, []
        return remaining, [kept_notice(names, theirs, remaining)]

    def merge(self, instance, values, changes, exported):
        """Each changed cell three-way: (changes left to others, conflicts). A cell left as
        exported takes the object's current value in `values`."""
        theirs, conflicts = [], []
        for change in changes:
            column = self.column(change.attribute)
            same = column.widget.same
            new, now = values[change.attribute], column.value(instance)
            # Not recorded then: the user changed it only if it differs from now.
            before = exported.get(change.attribute, now)
            if same(before, new):  # left as exported: the other person's value stays
                values[change.attribute] = now
                theirs.append(change)
            elif not same(before, now):  # changed in the file and meanwhile, differently
                conflicts.append(change)
        return theirs, conflicts

    def conflict_error(self, instance, values, errors):
        """A write refused because the object moved on while the import ran."""
        header = self.header_of("version")
        errors.setdefault(header if header in self.present else None, []).append(
            _(
                "%(noun)s „%(label)s“ wurde seit dem Export geändert. Bitte neu exportieren und "
                "die Änderung dort eintragen."
            )
            % {"noun": self.row_noun, "label": self.label(instance, values)}
        )
