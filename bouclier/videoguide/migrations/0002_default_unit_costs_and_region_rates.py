"""Default unit costs (public orders of magnitude) and the Région's rates, each with its source.

Self-contained on purpose: a data migration never imports the application's code.
"""

from decimal import Decimal

from django.db import migrations

UNIT_COSTS = [
    {
        "code": "camera",
        "label": "Caméra installée (acquisition, pose et raccordement)",
        "amount": Decimal("8400"),
        "quantity_rule": "per_camera",
        "grants_category": "camera",
        "origin": "publique",
        "source": (
            "8,4 k€ par caméra installée (projet rural de 19 caméras, 2017) ; le ministère"
            " relevait en 2013 en moyenne 13,8 k€ par caméra en zone police et 8,65 k€ en zone"
            " gendarmerie. Ordre de grandeur seulement : remplacez-le par vos devis."
        ),
        "position": 1,
    },
    {
        "code": "supervision_locale",
        "label": "Petite salle de supervision (écrans, logiciel, fibre, une vingtaine de caméras)",
        "amount": Decimal("45000"),
        "quantity_rule": "local_supervision",
        "grants_category": "ecran",
        "origin": "publique",
        "source": (
            "Environ 45 k€ pour une petite salle de supervision avec fibre et logiciel (environ"
            " 20 caméras). Rattachée par le guide à la catégorie « écrans et postes de"
            " visualisation » du règlement : rattachement à vérifier."
        ),
        "position": 2,
    },
    {
        "code": "raccordement_centre",
        "label": "Raccordement à un centre de supervision intercommunal ou départemental",
        "amount": Decimal("15000"),
        "quantity_rule": "remote_supervision",
        "grants_category": "raccordement_csu",
        "origin": "reconstruction",
        "source": "Montant vraisemblable choisi faute de source publique : à vérifier.",
        "position": 3,
    },
]

REGION_SOURCE = (
    "Taux cités par le guide d'accompagnement du Département (vidéoprotection : 30 %, 35 % pour"
    " une première installation, 40 % / 50 % en zone de sécurité prioritaire) ; reconstitution à"
    " vérifier contre le règlement régional en vigueur."
)
REGION_RATES = [
    (False, False, Decimal("30")),
    (True, False, Decimal("35")),
    (False, True, Decimal("40")),
    (True, True, Decimal("50")),
]


def load(apps, schema_editor):
    UnitCost = apps.get_model("videoguide", "UnitCost")
    RegionRate = apps.get_model("videoguide", "RegionRate")
    for row in UNIT_COSTS:
        UnitCost.objects.get_or_create(code=row["code"], defaults=row)
    for first, priority, rate in REGION_RATES:
        RegionRate.objects.get_or_create(
            first_installation=first,
            priority_security_zone=priority,
            defaults={"rate": rate, "origin": "reconstruction", "source": REGION_SOURCE},
        )


def unload(apps, schema_editor):
    apps.get_model("videoguide", "UnitCost").objects.filter(
        code__in=[row["code"] for row in UNIT_COSTS]
    ).delete()
    apps.get_model("videoguide", "RegionRate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("videoguide", "0001_studies_cameras_unit_costs")]

    operations = [migrations.RunPython(load, unload)]
