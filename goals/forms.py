import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concept.fields import DateInput, GermanDecimalField
from concept.locking import VersionedForm
from goals.models import IndicatorValue

COUNT_UNITS = {"personen", "anzahl", "fälle", "plätze"}


class IndicatorValueForm(VersionedForm, forms.ModelForm):
    year = forms.IntegerField(
        label=_("Jahr"),
        help_text=_("Stichtag ist der 31.12. dieses Jahres, wenn unten kein anderer steht."),
    )
    reference_date = forms.DateField(
        label=_("Abweichender Stichtag"),
        required=False,
        widget=DateInput(),
    )

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
        value = self.cleaned_data["value"]
        unit = self.indicator.unit.strip().lower()
        if unit in COUNT_UNITS and (value < 0 or value != value.to_integral_value()):
            raise forms.ValidationError(
                _("%(unit)s werden als ganze, nicht negative Zahl erfasst.")
                % {"unit": self.indicator.unit}
            )
        if unit == "%" and not 0 <= value <= 100:
            raise forms.ValidationError(
                _("%(field)s: Ein Anteil in Prozent liegt zwischen 0 und 100.")
                % {"field": self.fields["value"].label}
            )
        return Decimal(value)

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
        today = timezone.localdate()
        stichtag = cleaned.get("reference_date")
        if year and stichtag and stichtag > today and self.date_field not in self.errors:
            # A value is counted at its Stichtag; one in the future has not been counted yet.
            if date:
                message = _(
                    "%(field)s: Der %(date)s liegt in der Zukunft; erfasst werden Werte bis "
                    "heute (%(today)s)."
                )
            else:
                message = _(
                    "%(field)s: Der Stichtag wäre der %(date)s und liegt in der Zukunft. Für "
                    "das laufende Jahr bitte unter „%(other)s“ ein Datum bis heute "
                    "(%(today)s) angeben."
                )
            self.add_error(
                self.date_field,
                message
                % {
                    "field": self.fields[self.date_field].label,
                    "other": self.fields["reference_date"].label,
                    "date": stichtag.strftime("%d.%m.%Y"),
                    "today": today.strftime("%d.%m.%Y"),
                },
            )
        if year and not cleaned.get("period"):
            cleaned["period"] = str(year)
        return cleaned

    def _post_clean(self):
        pass

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
