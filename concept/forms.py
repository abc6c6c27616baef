from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort stimmt nicht. Bitte prüfen Sie beides – Groß- und "
            "Kleinschreibung zählen."
        ),
    }
