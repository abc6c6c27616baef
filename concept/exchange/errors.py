"""What the data exchange refuses, with German messages for the user."""

from django.utils.translation import gettext as _

from concept.exchange.values import as_text


class ExchangeFileError(Exception):
    """The file cannot be read at all."""

    def __init__(self, *messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class ImportAborted(Exception):
    """The file as a whole cannot be imported (missing or doubled columns)."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class ExportFilterError(Exception):
    """A filter of an export (a URL parameter) names something that does not exist.
    Exporting everything instead would hand out a list that looks filtered but is not."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def filter_error(name, value, reason) -> str:
    """ "Der Filter „ampel“ hat den ungültigen Wert „bogus“: …" """
    value = as_text(value).strip()
    if len(value) > 60:
        value = value[:59] + "…"
    return _("Der Filter „%(name)s“ hat den ungültigen Wert „%(value)s“: %(reason)s") % {
        "name": name,
        "value": value,
        "reason": reason,
    }
