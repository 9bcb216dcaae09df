"""Organisations, users (identified by e-mail) and their role memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.roles import OrganisationKind, Role, allowed_kinds
from bouclier.territory.models import College, Commune, Epci


class Organisation(models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    commune = models.OneToOneField(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
    )
    epci = models.OneToOneField(
        Epci,
        verbose_name=_("EPCI"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
    )
    college = models.OneToOneField(
        College,
        verbose_name=_("collège"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="unique_organisation_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        links = {
            OrganisationKind.COMMUNE: self.commune_id,
            OrganisationKind.EPCI: self.epci_id,
            OrganisationKind.COLLEGE: self.college_id,
        }
        for kind, link in links.items():
            if (self.kind == kind) != (link is not None):
                raise ValidationError(
                    _(
                        "Une organisation de type « %(kind)s » doit être liée à l'objet du "
                        "territoire correspondant, et à lui seul."
                    )
                    % {"kind": kind.label}
                )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored lower-cased; people type them as they like.
        return self.get(email__iexact=username or "")

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, is_active=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    is_active = models.BooleanField(
        _("actif"),
        default=False,
        help_text=_("Un compte devient actif quand son titulaire suit le lien d'activation."),
    )
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("date de création"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: Any = None) -> MembershipQuerySet:
        """Memberships in force on a date (today by default) of active organisations."""
        day = on or timezone.localdate()
        return self.filter(
            models.Q(valid_from__lte=day),
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day),
            organisation__is_active=True,
        )


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    valid_from = models.DateField(_("depuis le"), default=timezone.localdate)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("accordé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("rôle dans une organisation")
        verbose_name_plural = _("rôles dans les organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def clean(self) -> None:
        if self.organisation_id is None:
            return
        kinds = allowed_kinds(self.role)
        if self.organisation.kind not in kinds:
            raise ValidationError(
                {
                    "organisation": _(
                        "Le rôle « %(role)s » ne peut être tenu que dans : %(kinds)s."
                    )
                    % {
                        "role": Role(self.role).label,
                        "kinds": ", ".join(str(OrganisationKind(k).label) for k in sorted(kinds)),
                    }
                }
            )
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("La fin précède le début.")})
