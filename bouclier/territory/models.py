"""Reference data of the territory, imported from open data and kept in sync idempotently."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Epci(models.Model):
    class Kind(models.TextChoices):
        CA = "CA", _("Communauté d'agglomération")
        CC = "CC", _("Communauté de communes")
        CU = "CU", _("Communauté urbaine")
        METRO = "METRO", _("Métropole")

    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population totale"))
    communes_in_department = models.PositiveIntegerField(_("communes en Seine-et-Marne"))

    class Meta:
        verbose_name = _("intercommunalité (EPCI)")
        verbose_name_plural = _("intercommunalités (EPCI)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    population = models.PositiveIntegerField(_("population"))
    postal_codes = models.CharField(
        _("codes postaux"), max_length=100, help_text=_("Séparés par des espaces.")
    )
    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    arrondissement = models.CharField(_("arrondissement"), max_length=3)
    epci = models.ForeignKey(
        Epci,
        verbose_name=_("EPCI"),
        on_delete=models.PROTECT,
        related_name="communes",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()


class District(models.Model):
    """A group of collèges followed together (by default, one per arrondissement)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class College(models.Model):
    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Privé")

    uai = models.CharField(_("code UAI"), max_length=8, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="colleges"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("secteur"),
        on_delete=models.PROTECT,
        related_name="colleges",
        null=True,
        blank=True,
    )
    sector = models.CharField(_("statut"), max_length=7, choices=Sector.choices)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    is_sample = models.BooleanField(
        _("donnée d'exemple"),
        default=False,
        help_text=_("Collège du jeu de démonstration, pas de l'annuaire officiel."),
    )

    class Meta:
        verbose_name = _("collège")
        verbose_name_plural = _("collèges")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"


class DepartmentalSite(models.Model):
    class Kind(models.TextChoices):
        COLLEGE = "college", _("Collège")
        MDS = "mds", _("Maison départementale des solidarités")
        OTHER = "other", _("Autre bâtiment départemental")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=200)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="sites"
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    college = models.OneToOneField(
        College,
        verbose_name=_("collège"),
        on_delete=models.CASCADE,
        related_name="site",
        null=True,
        blank=True,
    )
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)

    class Meta:
        verbose_name = _("site départemental")
        verbose_name_plural = _("sites départementaux")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "commune"], name="unique_site_name"),
            models.CheckConstraint(
                condition=models.Q(kind="college", college__isnull=False)
                | (~models.Q(kind="college") & models.Q(college__isnull=True)),
                name="college_site_has_college",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"
