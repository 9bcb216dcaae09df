"""The territory importers: real counts, idempotence, and refusals that import nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bouclier.accounts.models import Organisation
from bouclier.territory.importers import (
    COMMUNES_CSV,
    EPCI_CSV,
    SAMPLE_COLLEGES_CSV,
    TerritoryImportError,
    import_colleges,
    import_communes_and_epci,
    import_sites,
)
from bouclier.territory.models import College, Commune, DepartmentalSite, Epci


@pytest.fixture
def empty_territory(db: None) -> None:
    """No territory at all (deleted inside the test's transaction, so rolled back after)."""
    Organisation.objects.all().delete()
    DepartmentalSite.objects.all().delete()
    College.objects.all().delete()
    Commune.objects.all().delete()
    Epci.objects.all().delete()


ANNUAIRE_HEADER = (
    "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;"
    "Adresse_1;Code_postal;Code_commune;Nom_commune;Code_departement"
)


def test_whole_department_is_loaded(territory: None) -> None:
    assert Commune.objects.count() == 507
    assert Epci.objects.count() == 23
    meaux = Commune.objects.get(insee_code="77284")
    assert meaux.name == "Meaux"
    assert meaux.siren == "217702844"
    assert meaux.postal_code_list == ["77100"]
    assert meaux.epci is not None and meaux.epci.siren == "200072130"
    # Every EPCI's declared member count matches the communes attached to it.
    for epci in Epci.objects.all():
        assert epci.communes.count() == epci.communes_in_department, epci.name
    # Each commune, EPCI and collège has its organisation.
    assert Organisation.objects.filter(commune__isnull=False).count() == 507
    assert Organisation.objects.filter(epci__isnull=False).count() == 23


def test_import_is_idempotent(territory: None) -> None:
    epci_report, commune_report = import_communes_and_epci()
    assert (commune_report.created, commune_report.updated, commune_report.unchanged) == (
        0,
        0,
        507,
    )
    assert epci_report.unchanged == 23
    report = import_colleges(SAMPLE_COLLEGES_CSV, sample=True)
    assert (report.created, report.updated) == (0, 0)


def test_changed_value_is_updated(territory: None) -> None:
    text = COMMUNES_CSV.read_text(encoding="utf-8").replace(
        "77284,Meaux,56905,", "77284,Meaux,57000,"
    )
    _epci, report = import_communes_and_epci(text.encode(), EPCI_CSV)
    assert report.updated == 1
    assert Commune.objects.get(insee_code="77284").population == 57000


def test_wrong_columns_are_refused_and_nothing_imported(empty_territory: None) -> None:
    bad = b"code;nom\n77001;Ach\xc3\xa8res\n"
    with pytest.raises(TerritoryImportError, match="Ligne 1 : colonnes manquantes"):
        import_communes_and_epci(bad, EPCI_CSV)
    assert not Epci.objects.exists()


def test_bad_line_names_the_line_and_imports_nothing(empty_territory: None) -> None:
    lines = COMMUNES_CSV.read_text(encoding="utf-8").splitlines()
    lines[300] = lines[300].replace(lines[300].split(",")[2], "beaucoup", 1)
    with pytest.raises(TerritoryImportError, match=r"Ligne 301 :.*population"):
        import_communes_and_epci("\n".join(lines).encode(), EPCI_CSV)
    assert not Commune.objects.exists() and not Epci.objects.exists()


def test_wrong_encoding_names_the_line(empty_territory: None) -> None:
    text = COMMUNES_CSV.read_text(encoding="utf-8")
    latin1 = text.encode("latin-1", errors="replace")
    first_accent = next(index for index, char in enumerate(text) if ord(char) > 127)
    line = text[:first_accent].count("\n") + 1
    with pytest.raises(TerritoryImportError, match=f"Ligne {line} : .*UTF-8"):
        import_communes_and_epci(latin1, EPCI_CSV)
    assert not Commune.objects.exists()


def test_colleges_from_annuaire_export(territory: None) -> None:
    assert College.objects.count() == 12  # the lycée and the collège of 93 are skipped
    college = College.objects.get(uai="0779001A")
    assert college.commune.insee_code == "77284"
    assert college.is_sample
    assert college.district is not None and college.district.name == "Meaux"
    assert DepartmentalSite.objects.get(college=college).kind == "college"
    # A private collège is imported but is not a departmental building.
    private = College.objects.get(uai="0779006F")
    assert private.sector == "private"
    assert not DepartmentalSite.objects.filter(college=private).exists()


def test_college_district_set_by_hand_is_kept(territory: None) -> None:
    from bouclier.territory.models import District

    north = District.objects.create(code="nord", name="Nord")
    College.objects.filter(uai="0779001A").update(district=north)
    import_colleges(SAMPLE_COLLEGES_CSV, sample=True)
    assert College.objects.get(uai="0779001A").district == north


def test_college_with_unknown_commune_is_refused(territory: None) -> None:
    csv = f"{ANNUAIRE_HEADER}\n0779999Z;Collège X;Collège;Public;1 rue;77000;77999;Nulle;077\n"
    with pytest.raises(TerritoryImportError, match="Ligne 2 : commune « 77999 » inconnue"):
        import_colleges(csv.encode())
    assert not College.objects.filter(uai="0779999Z").exists()


def test_colleges_need_the_communes_first(empty_territory: None) -> None:
    csv = f"{ANNUAIRE_HEADER}\n0779999Z;Collège X;Collège;Public;1 rue;77000;77288;Melun;077\n"
    with pytest.raises(TerritoryImportError, match="Importez d'abord les communes"):
        import_colleges(csv.encode())


def test_sites_import(territory: None) -> None:
    data = "type;nom;code_commune;adresse\nmds;MDS de Meaux;77284;1 place\n"
    assert import_sites(data.encode()).created == 1
    assert import_sites(data.encode()).unchanged == 1
    with pytest.raises(TerritoryImportError, match="Ligne 2 : type de site « musée »"):
        import_sites(b"type;nom;code_commune;adresse\nmus\xc3\xa9e;X;77284;\n")


def test_command_reports_french_error(territory: None, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "annuaire.csv"
    path.write_bytes(b"uai;nom\n")
    with pytest.raises(CommandError, match=r"colonnes manquantes.*Rien n.a été importé"):
        call_command("import_colleges", str(path))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_colleges", str(path.with_name("absent.csv")))
