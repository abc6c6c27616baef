from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GERMAN_DATE = ["%d.%m.%Y"]
DATE_HINT = _("Datum im Format TT.MM.JJJJ, z. B. 31.12.2025")
INVALID_DATE = _("Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025.")


def date_field(label, *, required=True, help_text=DATE_HINT):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=GERMAN_DATE,
        help_text=help_text,
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": INVALID_DATE,
            "required": _("Bitte ein Datum angeben."),
        },
    )


class ChangesSinceForm(forms.Form):
    seit = date_field(_("Änderungen seit"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Links and bookmarks may carry ISO dates (2025-06-01).
        self.fields["seit"].input_formats = [*GERMAN_DATE, "%Y-%m-%d"]

    def clean_seit(self):
        since = self.cleaned_data["seit"]
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("Das Datum liegt in der Zukunft."), code="future")
        return since
