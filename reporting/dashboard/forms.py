from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concept.fields import DateField
from concept.forms import PortalForm


class ChangesSinceForm(PortalForm):
    # Links and bookmarks carry 01.06.2025 or 2025-06-01; DateField reads both.
    seit = DateField(label=_("Änderungen seit"), required=False)

    def clean_seit(self):
        since = self.cleaned_data["seit"]
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("Das Datum liegt in der Zukunft."), code="future")
        return since
