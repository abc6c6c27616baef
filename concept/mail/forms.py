from django import forms
from django.utils.translation import gettext_lazy as _

from concept.forms import PortalForm
from concept.models import MailLog, ReminderSetting

# The status in the address of the log page, in German (?status=fehlgeschlagen).
STATUS_PARAMS = {
    "wartet": MailLog.Status.QUEUED,
    "wird-gesendet": MailLog.Status.SENDING,
    "neuer-versuch": MailLog.Status.RETRYING,
    "gesendet": MailLog.Status.SENT,
    "fehlgeschlagen": MailLog.Status.FAILED,
}


class MailLogFilterForm(PortalForm):
    suche = forms.CharField(
        label=_("Empfänger oder Betreff"), required=False, max_length=200, strip=True
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("alle"))]
        + [(param, MailLog.Status(status).label) for param, status in STATUS_PARAMS.items()],
    )
    art = forms.ChoiceField(label=_("Art"), required=False, choices=[("", _("alle"))])

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["art"].choices = [("", _("alle"))] + [(kind, kind) for kind in kinds]


class ReminderSettingForm(PortalForm):
    frequency = forms.ChoiceField(
        label=_("Erinnerungen per E-Mail"),
        choices=ReminderSetting.Frequency.choices,
        widget=forms.RadioSelect,
    )
