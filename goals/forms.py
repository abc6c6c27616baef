import copy
import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concept.fields import DateField, GermanDecimalField, add_service_errors
from concept.forms import PortalForm
from concept.locking import VersionedForm
from goals import services
from goals.models import (
    REGION_KEY_VALIDATOR,
    IndicatorValue,
    StatisticsRegion,
    StatisticsSource,
)
from goals.statistics.files import MAX_ZIP_BYTES


class IndicatorValueForm(PortalForm, VersionedForm, forms.ModelForm):
    year = forms.IntegerField(
        label=_("Jahr"),
        help_text=_("Stichtag ist der 31.12. dieses Jahres, wenn unten kein anderer steht."),
    )
    reference_date = DateField(label=_("Abweichender Stichtag"), required=False)

    value = GermanDecimalField(label=_("Wert"), max_digits=14, decimal_places=3)

    class Meta:
        model = IndicatorValue
        fields = ["value", "breakdown", "period", "source", "note"]

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["value"].label = _("Wert (%(unit)s)") % {"unit": indicator.unit}
        if self.instance.pk and not self.is_bound:
            self.initial["year"] = self.instance.reference_date.year
            if self.instance.reference_date != dt.date(self.instance.reference_date.year, 12, 31):
                self.initial["reference_date"] = self.instance.reference_date

    #: the field the Stichtag was taken from: the typed date, or the year's 31.12.
    date_field = "year"

    def clean_year(self):
        year = self.cleaned_data["year"]
        latest = timezone.localdate().year  # a later year has no Stichtag up to today
        if not 1990 <= year <= latest:
            raise forms.ValidationError(
                _("Bitte ein Jahr zwischen 1990 und %(latest)s angeben.") % {"latest": latest}
            )
        return year

    def clean_value(self):
        return Decimal(self.cleaned_data["value"])

    def clean(self):
        cleaned = super().clean()
        year, date = cleaned.get("year"), cleaned.get("reference_date")
        if year and date and date.year != year:
            self.add_error(
                "reference_date",
                _("Der Stichtag liegt nicht im angegebenen Jahr %(year)s.") % {"year": year},
            )
        self.date_field = "reference_date" if date else "year"
        if year and not date:
            cleaned["reference_date"] = dt.date(year, 12, 31)
        if year and not cleaned.get("period"):
            cleaned["period"] = str(year)
        return cleaned

    def check(self, cleaned):
        # The Stichtag is known once year and date passed (clean() derives it).
        names = ["reference_date", "value", "breakdown", "period", "source", "note"]
        unknown = [name for name in names if cleaned.get(name) is None or name in self.errors]
        item = copy.copy(self.instance)
        item.indicator = self.indicator
        for name in names:
            setattr(item, name, None if name in unknown else cleaned[name])
        services.indicator_value_check(item, exclude=unknown)

    def add_service_errors(self, error):
        """The service's errors at this form's fields. One about the Stichtag goes to the
        field the user gave it with: the year, unless a different Stichtag was typed; a
        Stichtag in the future derived from the year comes with where to type today's."""
        if hasattr(error, "error_dict") and "reference_date" in error.error_dict:
            errors = dict(error.error_dict)
            moved = errors.pop("reference_date")
            if self.date_field == "year" and any(e.code == "future" for e in moved):
                moved.append(
                    ValidationError(
                        _("Für das laufende Jahr bitte unter „%(other)s“ ein Datum angeben.")
                        % {"other": self.fields["reference_date"].label}
                    )
                )
            errors[self.date_field] = moved + errors.get(self.date_field, [])
            error = ValidationError(errors)
        add_service_errors(self, error)

    def locked_values(self, source):
        """As the form shows a value: the Stichtag as its year, and as a date only where it
        is not the 31.12."""
        values = super().locked_values(source)
        date = source.reference_date
        values["year"] = date.year
        values["reference_date"] = None if (date.month, date.day) == (12, 31) else date
        return values

    def rebase(self, conflict):
        # The cleaned Stichtag is filled in from the year; compare what was typed.
        date = self.cleaned_data.get("reference_date")
        if date is not None and (date.month, date.day) == (12, 31):
            self.cleaned_data["reference_date"] = None
        return super().rebase(conflict)


class StatisticsUploadForm(PortalForm):
    """An upload of official statistics: the files (a ZIP of the source's folder, or one CSV
    of a flat-file format), the source they belong to, the district's key in them."""

    file = forms.FileField(
        label=_("Datei (ZIP-Archiv der Quelle oder eine CSV-Datei)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.csv"}),
    )
    source = forms.ModelChoiceField(
        label=_("Statistikquelle"),
        queryset=StatisticsSource.objects.none(),
        help_text=_("Herausgeber, Lizenz und Quellenangabe kommen von der Quelle."),
    )
    region_key = forms.CharField(
        label=_("Regionalschlüssel"),
        max_length=20,
        validators=[REGION_KEY_VALIDATOR],
        help_text=_("Der Schlüssel des Landkreises in der Quelle, z. B. K03460 oder 03460."),
    )

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = StatisticsSource.objects.order_by("name")
        regions = {r.source_id: r.region_key for r in concept.statistics_regions.all()}
        if len(regions) == 1 and not self.is_bound:
            self.initial["source"], self.initial["region_key"] = next(iter(regions.items()))
        self.fields["file"].help_text = _("Höchstens %(mb)s MB.") % {
            "mb": MAX_ZIP_BYTES // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ZIP_BYTES:
            raise ValidationError(
                _("Die Datei ist größer als %(mb)s MB.") % {"mb": MAX_ZIP_BYTES // (1024 * 1024)}
            )
        name = upload.name.lower()
        if not name.endswith((".zip", ".csv")):
            raise ValidationError(_("Bitte ein ZIP-Archiv (.zip) oder eine CSV-Datei hochladen."))
        return upload


class StatisticsRefreshForm(PortalForm):
    """Read a source the concept has configured, from where it is kept on the server."""

    region = forms.ModelChoiceField(
        label=_("Konfigurierte Quelle"), queryset=StatisticsRegion.objects.none()
    )

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            StatisticsRegion.objects.filter(concept=concept)
            .exclude(source__location="")
            .select_related("source")
        )
