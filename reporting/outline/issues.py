"""Findings about an outline file, in German and naming the line ("Zeile 57: …")."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ERROR, WARNING, FLAG = "error", "warning", "flag"


@dataclass(frozen=True)
class Issue:
    """A finding about the file: an error (nothing is written), a warning, or a flag (a
    line that was taken over but needs a person's attention)."""

    message: str
    line: int | None = None
    level: str = ERROR
    field: str = ""  # the form field it belongs to ("slug", "replace"); "" = the file

    def __str__(self):
        if self.line is None:
            return self.message
        return _("Zeile %(line)d: %(message)s") % {"line": self.line, "message": self.message}


def by_line(issues):
    """Issues of the whole file first, then in line order (stable within a line)."""
    return sorted(issues, key=lambda issue: (issue.line is not None, issue.line or 0))


class OutlineInvalid(ValidationError):
    """The outline (or the slug) cannot be imported; ``issues`` holds every error found."""

    def __init__(self, issues):
        self.issues = list(issues)
        super().__init__([str(issue) for issue in self.issues])


def quote(text, limit=60):
    """A text from the file as quoted in a message, shortened to ``limit`` characters."""
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"„{text}“"
