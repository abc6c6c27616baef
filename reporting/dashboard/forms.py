from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concept.fields import READABLE_DATES, DateInput


class ChangesSinceForm(forms.Form):
    seit = forms.DateField(
        label=_("Änderungen seit"),
        required=False,
        input_formats=READABLE_DATES,  # links and bookmarks: 01.06.2025 or 2025-06-01
        widget=DateInput(),
        error_messages={
            "invalid": _(
                "Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025."
            ),
        },
    )

    def clean_seit(self):
        since = self.cleaned_data["seit"]
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("Das Datum liegt in der Zukunft."), code="future")
        return since
