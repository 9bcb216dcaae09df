"""Idempotent importers of the territory's open data.

Each importer reads the whole file first, checks its encoding, its columns and every line,
and only then writes, in one transaction: a file with one bad line imports nothing, and the
error names the line in French. Running an importer twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from bouclier.territory.models import College, Commune, DepartmentalSite, District, Epci
from bouclier.territory.signals import territory_imported

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_CSV = DATA_DIR / "communes-77.csv"
EPCI_CSV = DATA_DIR / "epci-77.csv"
SAMPLE_COLLEGES_CSV = DATA_DIR / "colleges-exemple-77.csv"
SAMPLE_SITES_CSV = DATA_DIR / "sites-exemple-77.csv"

DEPARTMENT_CODES = {"77", "077"}
ARRONDISSEMENTS = {
    "771": "Meaux",
    "772": "Melun",
    "773": "Provins",
    "774": "Fontainebleau",
    "775": "Torcy",
}
UAI_RE = re.compile(r"^\d{7}[A-Z]$")
SIREN_RE = re.compile(r"^\d{9}$")
INSEE_RE = re.compile(r"^77\d{3}$")
POSTAL_RE = re.compile(r"^\d{5}$")


class TerritoryImportError(Exception):
    """An import file that cannot be imported; the message is in French and names the line."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    details: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "%(created)d créé(s), %(updated)d mis à jour, %(unchanged)d inchangé(s), "
            "%(skipped)d ignoré(s)"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "").strip()


def read_rows(source: Path | bytes, required: Sequence[str], delimiter: str = ",") -> list[Row]:
    """Decode a CSV file and return its rows, keyed by lower-cased column names.

    Raises ``TerritoryImportError`` when the file is not UTF-8, is empty, or lacks a column.
    """
    raw = source.read_bytes() if isinstance(source, Path) else source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TerritoryImportError(
            _(
                "Ligne %(line)d : le fichier n'est pas encodé en UTF-8. "
                "Enregistrez-le en UTF-8 puis recommencez."
            )
            % {"line": line}
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise TerritoryImportError(_("Le fichier est vide.")) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise TerritoryImportError(
            _(
                "Ligne 1 : colonnes manquantes : %(missing)s. Colonnes trouvées : %(found)s. "
                "Vérifiez le séparateur (%(sep)s) et le format du fichier."
            )
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(header) or "-",
                "sep": repr(delimiter),
            }
        )
    rows = []
    for index, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise TerritoryImportError(
                _("Ligne %(line)d : %(found)d colonnes au lieu de %(expected)d.")
                % {"line": index, "found": len(cells), "expected": len(header)}
            )
        rows.append(Row(index, dict(zip(header, cells, strict=True))))
    return rows


def _check(condition: bool, row: Row, message: str) -> None:
    if not condition:
        raise TerritoryImportError(
            _("Ligne %(line)d : %(message)s") % {"line": row.line, "message": message}
        )


def _int(row: Row, column: str) -> int:
    value = row[column].replace(" ", "")
    _check(
        value.isdigit(),
        row,
        _("« %(column)s » doit être un nombre entier (lu : « %(value)s »).")
        % {"column": column, "value": row[column]},
    )
    return int(value)


def _sync(
    model: type[models.Model], key: str, wanted: dict[Any, dict[str, Any]], report: ImportReport
) -> None:
    """Create or update ``model`` objects keyed by ``key`` in bulk, writing only changes."""
    existing = {
        getattr(obj, key): obj
        for obj in model._default_manager.filter(**{f"{key}__in": list(wanted)})
    }
    to_create, to_update, fields = [], [], set()
    for value, values in wanted.items():
        obj = existing.get(value)
        if obj is None:
            to_create.append(model(**{key: value}, **values))
            report.created += 1
            continue
        changed = [name for name, new in values.items() if getattr(obj, name) != new]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            to_update.append(obj)
            fields.update(changed)
            report.updated += 1
        else:
            report.unchanged += 1
    model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(fields), batch_size=500)


EPCI_COLUMNS = ("siren", "nom", "type", "population_totale", "nombre_communes_77")
COMMUNE_COLUMNS = (
    "code_insee",
    "nom",
    "population",
    "codes_postaux",
    "siren",
    "arrondissement",
    "epci_siren",
)


def import_communes_and_epci(
    communes_csv: Path | bytes = COMMUNES_CSV, epci_csv: Path | bytes = EPCI_CSV
) -> tuple[ImportReport, ImportReport]:
    """Import the EPCI then the communes of the département (Etalab's découpage)."""
    epci_rows = read_rows(epci_csv, EPCI_COLUMNS)
    commune_rows = read_rows(communes_csv, COMMUNE_COLUMNS)
    epci_values = {}
    for row in epci_rows:
        _check(bool(SIREN_RE.match(row["siren"])), row, _("SIREN invalide « %s ».") % row["siren"])
        _check(row["type"] in Epci.Kind.values, row, _("type d'EPCI inconnu « %s ».") % row["type"])
        epci_values[row["siren"]] = {
            "name": row["nom"],
            "kind": row["type"],
            "population": _int(row, "population_totale"),
            "communes_in_department": _int(row, "nombre_communes_77"),
        }
    commune_values = {}
    for row in commune_rows:
        _check(
            bool(INSEE_RE.match(row["code_insee"])),
            row,
            _("code INSEE « %s » hors Seine-et-Marne ou invalide.") % row["code_insee"],
        )
        _check(bool(SIREN_RE.match(row["siren"])), row, _("SIREN invalide « %s ».") % row["siren"])
        _check(bool(row["nom"]), row, _("le nom de la commune est vide."))
        postal = row["codes_postaux"].replace(";", " ").replace(",", " ").split()
        _check(
            all(POSTAL_RE.match(code) for code in postal) and bool(postal),
            row,
            _("codes postaux invalides « %s ».") % row["codes_postaux"],
        )
        epci_siren = row["epci_siren"]
        _check(
            not epci_siren or epci_siren in epci_values,
            row,
            _("EPCI « %s » absent du fichier des EPCI.") % epci_siren,
        )
        commune_values[row["code_insee"]] = (
            epci_siren,
            {
                "name": row["nom"],
                "population": _int(row, "population"),
                "postal_codes": " ".join(postal),
                "siren": row["siren"],
                "arrondissement": row["arrondissement"],
            },
        )

    epci_report, commune_report = ImportReport(), ImportReport()
    with transaction.atomic():
        _sync(Epci, "siren", epci_values, epci_report)
        epci_by_siren = {epci.siren: epci for epci in Epci.objects.all()}
        communes = {
            insee: {**values, "epci": epci_by_siren.get(epci_siren)}
            for insee, (epci_siren, values) in commune_values.items()
        }
        _sync(Commune, "insee_code", communes, commune_report)
        transaction.on_commit(lambda: territory_imported.send(sender=Commune))
    return epci_report, commune_report


COLLEGE_COLUMNS = (
    "identifiant_de_l_etablissement",
    "nom_etablissement",
    "type_etablissement",
    "statut_public_prive",
    "code_commune",
    "code_departement",
)


def _district_for(commune: Commune) -> District | None:
    name = ARRONDISSEMENTS.get(commune.arrondissement)
    if name is None:
        return None
    district, _created = District.objects.get_or_create(
        code=f"arr-{commune.arrondissement}", defaults={"name": name}
    )
    return district


def import_colleges(source: Path | bytes, *, sample: bool = False) -> ImportReport:
    """Import the collèges of Seine-et-Marne from an "Annuaire de l'éducation" CSV export.

    The export is semicolon-separated and covers every school in France: rows that are not a
    collège of département 77 are skipped. Each public collège also becomes a departmental
    site. A collège's district, once set by hand, is never overwritten.
    """
    rows = read_rows(source, COLLEGE_COLUMNS, delimiter=";")
    communes = {commune.insee_code: commune for commune in Commune.objects.all()}
    if not communes:
        raise TerritoryImportError(_("Importez d'abord les communes (commande import_territory)."))
    report = ImportReport()
    parsed: dict[str, dict[str, Any]] = {}
    for row in rows:
        kind = row["type_etablissement"].lower()
        if row["code_departement"] not in DEPARTMENT_CODES or not kind.startswith("coll"):
            report.skipped += 1
            continue
        uai = row["identifiant_de_l_etablissement"].upper()
        _check(bool(UAI_RE.match(uai)), row, _("code UAI invalide « %s ».") % uai)
        commune = communes.get(row["code_commune"])
        _check(
            commune is not None,
            row,
            _("commune « %s » inconnue en Seine-et-Marne.") % row["code_commune"],
        )
        status = row["statut_public_prive"].lower()
        _check(
            status in {"public", "privé", "prive"},
            row,
            _("statut « %s » inconnu (Public ou Privé attendu).") % row["statut_public_prive"],
        )
        _check(bool(row["nom_etablissement"]), row, _("le nom de l'établissement est vide."))
        assert commune is not None
        parsed[uai] = {
            "name": row["nom_etablissement"],
            "commune": commune,
            "sector": College.Sector.PUBLIC if status == "public" else College.Sector.PRIVATE,
            "address": row["adresse_1"],
            "postal_code": row["code_postal"],
            "is_sample": sample,
        }
    with transaction.atomic():
        _sync(College, "uai", parsed, report)
        colleges = College.objects.filter(uai__in=list(parsed)).select_related("commune")
        for college in colleges.filter(district__isnull=True):
            college.district = _district_for(college.commune)
            college.save(update_fields=["district"])
        _sync(
            DepartmentalSite,
            "college",
            {
                college: {
                    "kind": DepartmentalSite.Kind.COLLEGE,
                    "name": college.name,
                    "commune": college.commune,
                    "address": college.address,
                    "is_sample": sample,
                }
                for college in colleges.filter(sector=College.Sector.PUBLIC)
            },
            ImportReport(),
        )
        transaction.on_commit(lambda: territory_imported.send(sender=College))
    return report


SITE_COLUMNS = ("type", "nom", "code_commune", "adresse")
SITE_KINDS = {"mds": DepartmentalSite.Kind.MDS, "autre": DepartmentalSite.Kind.OTHER}


def import_sites(source: Path | bytes, *, sample: bool = False) -> ImportReport:
    """Import departmental buildings other than collèges (type ``mds`` or ``autre``)."""
    rows = read_rows(source, SITE_COLUMNS, delimiter=";")
    communes = {commune.insee_code: commune for commune in Commune.objects.all()}
    parsed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row in rows:
        kind = SITE_KINDS.get(row["type"].lower())
        _check(
            kind is not None, row, _("type de site « %s » inconnu (mds ou autre).") % row["type"]
        )
        commune = communes.get(row["code_commune"])
        _check(commune is not None, row, _("commune « %s » inconnue.") % row["code_commune"])
        parsed.append(
            (
                {"kind": kind, "name": row["nom"], "commune": commune},
                {"address": row["adresse"], "is_sample": sample},
            )
        )
    report = ImportReport()
    with transaction.atomic():
        for lookup, values in parsed:
            site = DepartmentalSite.objects.filter(**lookup).first()
            if site is None:
                DepartmentalSite.objects.create(**lookup, **values)
                report.created += 1
            elif any(getattr(site, name) != value for name, value in values.items()):
                DepartmentalSite.objects.filter(pk=site.pk).update(**values)
                report.updated += 1
            else:
                report.unchanged += 1
    return report
