"""Back office for organisations, users and their roles (administrators only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.services import send_activation
from bouclier.audit.admin_mixins import AuditedAdmin


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fk_name = "user"
    extra = 1
    autocomplete_fields = ["organisation"]
    exclude = ["granted_by"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "siren", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "siren", "commune__insee_code", "college__uai"]
    autocomplete_fields = ["commune", "epci", "college"]


class UserCreationForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new account has no password: its holder chooses one through the activation link."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "phone"]

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.email = user.email.lower()
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    add_form = UserCreationForm
    inlines = [MembershipInline]
    actions = ["send_activation_links"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone")}),
        (_("État"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "phone")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[Any]]:
        # Roles are granted once the account exists (its activation link is already sent).
        return [] if obj is None else [MembershipInline]

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change and not obj.is_active:
            # A new account is activated by its holder, who chooses the password.
            send_activation(obj)
            self.message_user(
                request,
                _("Lien d'activation envoyé à %(email)s.") % {"email": obj.email},
                messages.INFO,
            )

    def save_formset(
        self, request: HttpRequest, form: object, formset: object, change: bool
    ) -> None:
        instances = formset.save(commit=False)  # type: ignore[attr-defined]
        for instance in instances:
            if isinstance(instance, Membership) and instance.granted_by_id is None:
                instance.granted_by = request.user  # type: ignore[assignment]
            instance.save()
        formset.save_m2m()  # type: ignore[attr-defined]
        for obj in formset.deleted_objects:  # type: ignore[attr-defined]
            obj.delete()

    @admin.action(description=_("Envoyer le lien d'activation"))
    def send_activation_links(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        inactive = queryset.filter(is_active=False)
        for user in inactive:
            send_activation(user)
        self.message_user(
            request,
            _("%(count)d lien(s) envoyé(s).") % {"count": inactive.count()},
            messages.SUCCESS,
        )
