"""Forms of the accounts pages, with French messages."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.models import User
from bouclier.accounts.services import password_reset_link, send_templated_email


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_invalid_login_error(self) -> ValidationError:
        remaining = None
        if self.request is not None:
            credentials = {"username": self.data.get("username", "")}
            failures = AxesProxyHandler.get_failures(self.request, credentials)
            remaining = max(get_failure_limit(self.request, credentials) - failures, 0)
        if remaining is not None and remaining > 0:
            message = gettext(
                "Adresse e-mail ou mot de passe incorrect. Il vous reste %(remaining)d "
                "essai(s) avant le blocage temporaire de la connexion."
            ) % {"remaining": remaining}
        else:
            message = gettext("Adresse e-mail ou mot de passe incorrect.")
        return ValidationError(message, code="invalid_login")


class PasswordFieldsMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères, pas uniquement des chiffres, pas trop courant."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User | None:
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            try:
                password_validation.validate_password(first, self.password_user())
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class SignupForm(PasswordFieldsMixin):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail professionnelle"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def password_user(self) -> User:
        return User(
            email=self.data.get("email", ""),
            first_name=self.data.get("first_name", ""),
            last_name=self.data.get("last_name", ""),
        )


class ActivationForm(PasswordFieldsMixin):
    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def password_user(self) -> User:
        return self.user


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail goes through the task queue with our own link."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        send_templated_email(
            "accounts/email/password_reset",
            to_email,
            {
                "user": user,
                "link": password_reset_link(user),
            },
        )
