"""The legal pages of the installation (Impressum, Datenschutz, Barrierefreiheit): who may
edit them, the edit form and the write."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concept import roles
from concept.forms import PortalForm
from concept.locking import VersionedForm, claim, stale_version
from concept.models import LegalPage

EDITABLE_FIELDS = [
    "title",
    "body",
    "contact_email",
    "contact_phone",
    "contact_address",
    "arbitration_text",
    "arbitration_url",
]
# The Schlichtungsstelle belongs to the accessibility statement only.
FIELDS_BY_KIND = {
    LegalPage.Kind.IMPRINT: EDITABLE_FIELDS[:5],
    LegalPage.Kind.PRIVACY: EDITABLE_FIELDS[:5],
    LegalPage.Kind.ACCESSIBILITY: EDITABLE_FIELDS,
}


def can_edit_legal_pages(user):
    return roles.is_administrator(user)


def check_legal_page_editor(user):
    if not can_edit_legal_pages(user):
        raise PermissionDenied(_("Diese Seiten pflegt die Administration."))


class LegalPageForm(PortalForm, VersionedForm, forms.ModelForm):
    arbitration_url = LegalPage._meta.get_field("arbitration_url").formfield(assume_scheme="https")

    class Meta:
        model = LegalPage
        fields = EDITABLE_FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "contact_address": forms.Textarea(attrs={"rows": 3}),
            "arbitration_text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        for name in set(EDITABLE_FIELDS) - set(FIELDS_BY_KIND[kind]):
            del self.fields[name]
        if kind == LegalPage.Kind.ACCESSIBILITY:
            # The statement must name where people report barriers (BITV 2.0 § 7).
            self.fields["contact_email"].help_text = _(
                "Kontakt für Rückmeldungen zu Barrieren (Feedback-Mechanismus)."
            )


@transaction.atomic
def legal_page_save(*, kind: str, expected_version: int | None, user=None, **fields) -> LegalPage:
    """Create or change the page of this kind. expected_version: the version the editor saw
    (None: the page did not exist yet); a page changed or created meanwhile is refused with
    concept.locking.StaleVersion."""
    page = LegalPage.objects.filter(kind=kind).first()
    if page is not None and expected_version is None:
        raise stale_version(page, None)
    if page is None:
        page = LegalPage(kind=kind)
    for name in FIELDS_BY_KIND[kind]:
        if name in fields:
            setattr(page, name, (fields[name] or "").strip())
    # The unique kind is left to the database: of two first saves at once, one is refused.
    page.full_clean(validate_unique=False)
    page._history_user = user
    if page.pk is None:
        try:
            with transaction.atomic():
                page.save()
        except IntegrityError:
            raise stale_version(LegalPage.objects.get(kind=kind), None) from None
        return page
    claim(page, expected_version)
    page.save()
    return page
