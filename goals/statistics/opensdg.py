"""The Open SDG data repository layout (data/indicator_<id>.csv, meta/<id>.md,
translations/de/*.yml), as the LSN publishes its Integrationsmonitoring."""

from django.utils.translation import gettext_lazy as _

from goals.statistics.base import Format, StatisticsFileError, register


def read(folder, region_key):
    raise StatisticsFileError("", _("Das Format Open SDG wird noch nicht unterstützt."))


FORMAT = register(Format(slug="opensdg", label=_("Open SDG"), read=read))
