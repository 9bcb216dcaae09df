"""Accounts pages: login, logout, registration, activation, password reset, profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bouclier.accounts.access import active_memberships
from bouclier.accounts.forms import (
    ActivationForm,
    EmailForm,
    LoginForm,
    QueuedPasswordResetForm,
    SignupForm,
)
from bouclier.accounts.models import User
from bouclier.accounts.services import activate_user, register_user, send_activation
from bouclier.accounts.tokens import activation_token
from bouclier.audit.services import record


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: QueuedPasswordResetForm) -> HttpResponse:
        record(
            "accounts.password.reset_requested",
            request=self.request,
            data={"email": form.cleaned_data["email"]},
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(
            "accounts.password.reset_done", request=self.request, actor=form.user, target=form.user
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record("accounts.password.changed", request=self.request, target=form.user)
        messages.success(self.request, _("Votre mot de passe a été changé."))
        return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        register_user(
            request,
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form})


def _user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (TypeError, ValueError, OverflowError):
        return None


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Activate an account from its e-mailed link, choosing a password if it has none.

    The link only shows a form on GET: mail scanners that prefetch links activate nothing.
    """
    user = _user_from_uid(uidb64)
    if user is None or not activation_token.check_token(user, token):
        return render(
            request, "accounts/activation_invalid.html", {"form": EmailForm()}, status=400
        )
    needs_password = not user.has_usable_password()
    form = ActivationForm(user, request.POST or None) if needs_password else None
    if request.method == "POST" and (form is None or form.is_valid()):
        activate_user(request, user, form.cleaned_data["password1"] if form else None)
        messages.success(request, _("Votre compte est activé. Vous pouvez vous connecter."))
        return redirect("accounts:login")
    return render(request, "accounts/activate.html", {"form": form, "account": user})


@require_http_methods(["POST"])
def resend_activation(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(
            email=form.cleaned_data["email"].lower(), is_active=False
        ).first()
        if user is not None:
            send_activation(user)
            record("accounts.user.activation_resent", request=request, target=user)
        messages.info(
            request,
            _(
                "Si un compte non activé correspond à cette adresse, un nouveau lien vient de lui "
                "être envoyé."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/activation_invalid.html", {"form": form}, status=400)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    memberships = active_memberships(request.user).order_by("organisation__name", "role")
    return render(request, "accounts/profile.html", {"memberships": memberships})
