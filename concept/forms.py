"""The base of every portal form, and the login form.

PortalForm gives each form the same behaviour: every error in one round (the fields'
own checks, the model's field validators and the rules that span fields), and choice
fields whose empty choice says what it means."""

import copy

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from concept.fields import add_service_errors

# What Django shows as the empty choice unless a form names it.
DJANGO_EMPTY_LABEL = "---------"
EMPTY_REQUIRED = _("– bitte wählen –")
EMPTY_OPTIONAL = _("(keine Angabe)")


def label_empty_choice(field):
    """Give a choice field's unnamed empty choice a clear label: "– bitte wählen –" where a
    choice is required, "(keine Angabe)" where none is needed. Labels a form chose itself
    ("– kein Beschluss –") stay."""
    label = EMPTY_REQUIRED if field.required else EMPTY_OPTIONAL
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = label
    elif isinstance(field, forms.ChoiceField) and not callable(field.choices):
        choices = list(field.choices)
        if any(value == "" and text == DJANGO_EMPTY_LABEL for value, text in choices):
            field.choices = [
                (value, label if value == "" and text == DJANGO_EMPTY_LABEL else text)
                for value, text in choices
            ]


def mirror_model_validators(form):
    """A ModelForm's fields check what the model's fields check (a Fortschritt of at most
    100), when the field is cleaned, beside every other field's error; the browser's number
    field gets the same bounds."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return
    for name, field in form.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.is_relation or isinstance(field, forms.ChoiceField):
            # Choices limit the value already (and are checked before they are coerced).
            continue
        present = {type(validator) for validator in field.validators}
        for validator in model_field.validators:
            if type(validator) in present:
                continue
            field.validators.append(validator)
            if isinstance(field.widget, forms.NumberInput):
                if isinstance(validator, MinValueValidator):
                    field.widget.attrs.setdefault("min", validator.limit_value)
                elif isinstance(validator, MaxValueValidator):
                    field.widget.attrs.setdefault("max", validator.limit_value)


class PortalForm(forms.Form):
    """Mixed in first by every portal form (before VersionedForm, Form or ModelForm).

    A ModelForm's instance is changed only by the service, never by the form; the model's
    field validators run with the form's fields instead (mirror_model_validators). Rules
    that span fields stay where they are defined (the model's clean(), the service) and
    reach the form through check(), which runs after clean() also when other fields failed:
    so a submit shows every error at once, not one round after the other."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mirror_model_validators(self)
        for field in self.fields.values():
            label_empty_choice(field)

    def check(self, cleaned):
        """The model's or service's rules for these values: a ValidationError (raised or
        returned) or a dict {field: message(s)}, None when all is well. cleaned holds the
        fields that passed their own checks; a rule whose values are missing waits."""
        return None

    def add_service_errors(self, error):
        """A service's or rule's errors at this form's fields (concept.fields)."""
        add_service_errors(self, error)

    def _post_clean(self):
        try:
            errors = self.check(self.cleaned_data)
        except ValidationError as error:
            errors = error
        if errors:
            self.add_service_errors(errors)


def model_check(form, cleaned):
    """Run the model's clean() of a ModelForm's instance on a copy holding the cleaned
    values (a value that failed its own check as None), for forms whose rules are all the
    model's. The instance itself stays as stored."""
    item = copy.copy(form.instance)
    for field in form._meta.model._meta.concrete_fields:
        if field.name in form.fields:
            setattr(item, field.name, cleaned.get(field.name))
    item.clean()


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort stimmt nicht. Bitte prüfen Sie beides – Groß- und "
            "Kleinschreibung zählen."
        ),
    }
