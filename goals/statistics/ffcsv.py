"""The GENESIS/Regionaldatenbank flat-file CSV ("ffcsv"). Registered here so the registry
names both formats; the reader follows in this module."""

from django.utils.translation import gettext_lazy as _

from goals.statistics.base import Format, StatisticsFileError, register


def read(folder, region_key):
    raise StatisticsFileError("", _("Das Format ffcsv wird noch nicht unterstützt."))


FORMAT = register(Format(slug="ffcsv", label=_("GENESIS-Flatfile-CSV (ffcsv)"), read=read))
