from django import forms
from django.utils.translation import gettext_lazy as _

from concept.fields import DateField
from concept.forms import PortalForm, model_check
from concept.locking import VersionedForm
from concept.models import Statement
from networks.models import Meeting, Network, Organisation


class ServiceModelForm(PortalForm, forms.ModelForm):
    """Fields and widgets from the model; the instance is changed only by the service,
    whose ValidationErrors the view puts back on the form."""

    def check(self, cleaned):
        # The model's rules (a name taken in this concept) come with the fields' own.
        model_check(self, cleaned)


class OrganisationForm(VersionedForm, ServiceModelForm):
    website = Organisation._meta.get_field("website").formfield(assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "website", "is_public"]
        help_texts = {
            "is_public": _("Erscheint auf den öffentlichen Seiten (Netzwerkverzeichnis)."),
        }


class NetworkForm(VersionedForm, ServiceModelForm):
    platform_url = Network._meta.get_field("platform_url").formfield(assume_scheme="https")

    class Meta:
        model = Network
        fields = [
            "name",
            "kind",
            "purpose",
            "coordinator",
            "members",
            "meeting_cadence",
            "platform_url",
            "statement",
            "is_public",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "members": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "purpose": _("Wofür es das Netzwerk gibt; erscheint auch öffentlich."),
            "meeting_cadence": _("z. B. vierteljährlich, zweimal im Jahr"),
            "is_public": _(
                "Erscheint mit Zweck, Turnus, Link und öffentlichen Akteuren im öffentlichen "
                "Netzwerkverzeichnis. Sitzungen und Protokolle bleiben intern."
            ),
        }

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(concept=concept).order_by("name")
        self.fields["coordinator"].queryset = organisations
        self.fields["members"].queryset = organisations
        self.fields["statement"].queryset = Statement.objects.filter(
            concept=concept, section=Statement.Section.COORDINATION
        ).order_by("position", "pk")


class MeetingForm(VersionedForm, ServiceModelForm):
    """A meeting, on its network's page; from the committees page (`committees` given) with
    the committee it belongs to, chosen from those."""

    network = forms.ModelChoiceField(
        label=_("Gremium"),
        queryset=Network.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Bitte ein Gremium dieses Konzepts wählen.")},
    )

    class Meta:
        model = Meeting
        fields = ["network", "date", "topic", "presented", "minutes"]
        labels = {"date": _("Datum der Sitzung"), "presented": _("Vorgestellt")}
        field_classes = {"date": DateField}
        widgets = {"minutes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, committees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if committees is None:
            del self.fields["network"]
        else:
            self.fields["network"].queryset = committees


class SplitForm(PortalForm):
    names = forms.CharField(
        label=_("Namen, einer je Zeile"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Der Vorschlag ist automatisch getrennt – bitte prüfen: Zeilen zusammenfügen, "
            "trennen oder löschen. Leere Zeilen werden ignoriert."
        ),
    )
    kind = forms.ChoiceField(label=_("Art"), choices=Network.Kind.choices)
    is_public = forms.BooleanField(
        label=_("öffentlich"),
        required=False,
        help_text=_("Sonst erst nach Prüfung einzeln veröffentlichen."),
    )

    def lines(self):
        return self.cleaned_data["names"].splitlines()
