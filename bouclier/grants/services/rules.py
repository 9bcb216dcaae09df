"""The règlement's rules as typed values, parsed strictly from a parameter set's JSON.

Pure: no database and no model here. A parameter set (``bouclier.grants.models.ParameterSet``)
stores its structured rules as JSON so that the grants manager can edit them without a code
change; this module turns that JSON into frozen dataclasses and refuses, with a French message
naming the faulty entry, anything it does not understand (unknown keys included), so that a
typo in the back office can never silently change an amount.

The same parsing reads a *snapshot* (``ParameterSet.snapshot()``): a file keeps the snapshot
of the set it was computed with, and recomputing from it gives the same result even after the
set is edited.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from operator import attrgetter
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# Beyond these bounds a value is a typing error, not a policy: no aid line of a Département
# funds a single unit or a file above a hundred million euros.
MAX_AMOUNT = Decimal("100000000")
MAX_DAYS = 3650
MAX_MONTHS = 240


class Origin(StrEnum):
    """Where a rule's value comes from, shown next to the rule on the published page."""

    PUBLIC = "publique"
    LAW = "loi"
    RECONSTRUCTION = "reconstruction"


ORIGIN_LABELS: dict[Origin, StrOrPromise] = {
    Origin.PUBLIC: _("Source publique"),
    Origin.LAW: _("Texte de loi"),
    Origin.RECONSTRUCTION: _("Reconstitution à vérifier contre le règlement officiel"),
}


class BonusMode(StrEnum):
    """How a per-unit bonus acts: added to the aid (and to the ceiling), or on the ceiling only."""

    AID = "aide"
    CEILING = "plafond"


# The scalar rules of a parameter set, each of which has its source in ``rule_sources``.
SCALAR_RULES: dict[str, StrOrPromise] = {
    "base_rate": _("Taux de base"),
    "per_file_ceiling": _("Plafond de l'aide par dossier"),
    "public_funding_cap_rate": _("Plafond des financements publics cumulés"),
    "advance_share": _("Part versée en avance"),
    "completeness_deadline_days": _("Délai pour compléter le dossier"),
    "works_start_deadline_months": _("Délai de commencement des travaux"),
    "balance_request_deadline_months": _("Délai de demande du solde"),
}


class RuleError(ValueError):
    """A rule that cannot be read; ``path`` names the entry (e.g. ``expense_categories[2]``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path} : {message}" if path else message)


@dataclass(frozen=True)
class Source:
    origin: Origin
    note: str = ""

    @property
    def label(self) -> StrOrPromise:
        return ORIGIN_LABELS[self.origin]

    @property
    def is_reconstruction(self) -> bool:
        return self.origin == Origin.RECONSTRUCTION


@dataclass(frozen=True)
class Beneficiary:
    code: str
    label: str
    source: Source


@dataclass(frozen=True)
class ExpenseCategory:
    code: str
    label: str
    unit_label: str
    unit_ceiling: Decimal | None  # ceiling on the eligible cost of one unit, excl. VAT
    beneficiaries: frozenset[str]  # empty: every beneficiary of the aid line
    bonus_eligible: bool  # whether the conditional rate bonuses apply to it
    source: Source


@dataclass(frozen=True)
class IneligibleCategory:
    code: str
    label: str
    reason: str
    source: Source


@dataclass(frozen=True)
class RateBonus:
    code: str
    label: str
    points: Decimal  # percentage points added to the base rate
    source: Source


@dataclass(frozen=True)
class UnitBonus:
    code: str
    label: str
    unit_label: str
    amount_per_unit: Decimal
    mode: BonusMode
    counted_categories: frozenset[str]  # units can't exceed these categories' quantities
    source: Source


@dataclass(frozen=True)
class ExceptionalCeiling:
    code: str
    label: str
    ceiling: Decimal
    source: Source


@dataclass(frozen=True)
class RequiredDocument:
    code: str
    label: str
    when_categories: frozenset[str]  # empty: always required
    when_conditions: frozenset[str]
    source: Source

    def applies(self, categories: Iterable[str], conditions: Iterable[str]) -> bool:
        """Whether a file with these expense categories and declared conditions needs it."""
        if self.when_categories and not self.when_categories & set(categories):
            return False
        return not self.when_conditions or bool(self.when_conditions & set(conditions))


@dataclass(frozen=True)
class Remark:
    text: str
    source: Source


@dataclass(frozen=True)
class Rules:
    """One parameter set of one aid line, as the computation and the published page read it."""

    aid_line_code: str
    aid_line_name: str
    title: str
    valid_from: datetime.date
    base_rate: Decimal
    per_file_ceiling: Decimal | None
    public_funding_cap_rate: Decimal
    advance_share: Decimal
    completeness_deadline_days: int
    works_start_deadline_months: int
    balance_request_deadline_months: int
    beneficiaries: tuple[Beneficiary, ...]
    expense_categories: tuple[ExpenseCategory, ...]
    ineligible_categories: tuple[IneligibleCategory, ...]
    rate_bonuses: tuple[RateBonus, ...]
    unit_bonuses: tuple[UnitBonus, ...]
    exceptional_ceilings: tuple[ExceptionalCeiling, ...]
    required_documents: tuple[RequiredDocument, ...]
    rule_sources: Mapping[str, Source]
    remarks: tuple[Remark, ...]

    def category(self, code: str) -> ExpenseCategory | None:
        return next((c for c in self.expense_categories if c.code == code), None)

    def ineligible_category(self, code: str) -> IneligibleCategory | None:
        return next((c for c in self.ineligible_categories if c.code == code), None)

    def beneficiary(self, code: str) -> Beneficiary | None:
        return next((b for b in self.beneficiaries if b.code == code), None)

    def source_of(self, rule: str) -> Source | None:
        return self.rule_sources.get(rule)

    @property
    def condition_codes(self) -> frozenset[str]:
        """Conditions an applicant may declare: rate bonuses and exceptional ceilings."""
        return frozenset(b.code for b in self.rate_bonuses) | frozenset(
            c.code for c in self.exceptional_ceilings
        )


# ---------------------------------------------------------------------------------------------
# Strict readers of JSON values. Each names the entry at fault in French.


def _object(value: Any, path: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RuleError(path, "un objet JSON {…} est attendu")
    unknown = set(value) - required - optional
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        raise RuleError(path, f"clé inconnue « {sorted(unknown)[0]} » (clés admises : {allowed})")
    missing = required - set(value)
    if missing:
        raise RuleError(path, f"clé obligatoire manquante : « {sorted(missing)[0]} »")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise RuleError(path, "une liste JSON […] est attendue")
    return value


def read_code(value: Any, path: str) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise RuleError(
            path,
            "code invalide : lettres minuscules sans accent, chiffres et « _ », "
            "commençant par une lettre (50 caractères au plus)",
        )
    return value


def read_text(value: Any, path: str, *, max_length: int = 500, blank: bool = False) -> str:
    if not isinstance(value, str):
        raise RuleError(path, "un texte entre guillemets est attendu")
    text = value.strip()
    if not text and not blank:
        raise RuleError(path, "le texte ne peut pas être vide")
    if len(text) > max_length:
        raise RuleError(path, f"texte trop long ({len(text)} caractères, {max_length} au plus)")
    return text


def read_decimal(
    value: Any, path: str, *, maximum: Decimal = MAX_AMOUNT, positive: bool = False
) -> Decimal:
    """A non-negative amount or rate, written as a number or a string ("1500.00")."""
    # bool is a subclass of int in Python: ``true`` must not read as 1.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(path, 'un nombre est attendu (par exemple "1500.00")')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleError(path, f"« {value} » n'est pas un nombre") from None
    if not number.is_finite():
        raise RuleError(path, "un nombre fini est attendu")
    if number < 0 or (positive and number == 0):
        raise RuleError(path, "le nombre doit être positif" + (" et non nul" if positive else ""))
    if number > maximum:
        raise RuleError(path, f"valeur excessive ({number}, {maximum} au plus)")
    if number != number.quantize(Decimal("0.01")):
        raise RuleError(path, "deux décimales au plus")
    return number


def read_rate(value: Any, path: str) -> Decimal:
    return read_decimal(value, path, maximum=Decimal(100))


def read_optional_decimal(value: Any, path: str) -> Decimal | None:
    return None if value is None else read_decimal(value, path, positive=True)


def read_int(value: Any, path: str, *, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(path, "un nombre entier est attendu")
    if value < 0 or value > maximum:
        raise RuleError(path, f"valeur hors bornes (de 0 à {maximum})")
    return int(value)


def read_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(path, "true ou false est attendu")
    return value


def read_source(value: Any, path: str) -> Source:
    data = _object(value, path, {"origine"}, {"note"})
    try:
        origin = Origin(data["origine"])
    except ValueError:
        choices = ", ".join(o.value for o in Origin)
        raise RuleError(
            f"{path}.origine", f"origine inconnue (valeurs admises : {choices})"
        ) from None
    return Source(origin, read_text(data.get("note", ""), f"{path}.note", blank=True))


def _codes(value: Any, path: str) -> frozenset[str]:
    items = _list(value, path)
    codes = [read_code(item, f"{path}[{i}]") for i, item in enumerate(items)]
    if len(set(codes)) != len(codes):
        raise RuleError(path, "code en double")
    return frozenset(codes)


def _unique(codes: Iterable[str], path: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise RuleError(path, f"le code « {code} » apparaît deux fois")
        seen.add(code)


# ---------------------------------------------------------------------------------------------
# Readers of each structured rule (one per JSON field of a parameter set).


T = TypeVar("T")


class _Item:
    """One object of a JSON list, read field by field; errors name the field's path."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data, self.where = data, where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}"

    def code(self) -> str:
        return read_code(self.data["code"], self.path("code"))

    def text(self, key: str, default: str | None = None, **options: Any) -> str:
        value = self.data[key] if default is None else self.data.get(key, default)
        return read_text(value, self.path(key), **options)

    def decimal(self, key: str, **options: Any) -> Decimal:
        return read_decimal(self.data[key], self.path(key), **options)

    def codes(self, key: str) -> frozenset[str]:
        return _codes(self.data.get(key, []), self.path(key))

    def source(self) -> Source:
        return read_source(self.data["source"], self.path("source"))


def _items(
    value: Any,
    path: str,
    fields: tuple[set[str], set[str]],
    build: Callable[[_Item], T],
    *,
    required_message: str = "",
) -> tuple[T, ...]:
    """Read a JSON list of objects with ``fields`` (required, optional) through ``build``.

    Items with a ``code`` must have unique codes; ``required_message`` refuses an empty list.
    """
    required, optional = fields
    result = tuple(
        build(_Item(_object(item, f"{path}[{i}]", required, optional), f"{path}[{i}]"))
        for i, item in enumerate(_list(value, path))
    )
    if required_message and not result:
        raise RuleError(path, required_message)
    if "code" in required:
        _unique(map(attrgetter("code"), result), path)
    return result


def parse_beneficiaries(value: Any, path: str = "beneficiaires") -> tuple[Beneficiary, ...]:
    return _items(
        value,
        path,
        ({"code", "libelle", "source"}, set()),
        lambda item: Beneficiary(item.code(), item.text("libelle"), item.source()),
        required_message="au moins un bénéficiaire est attendu",
    )


def parse_expense_categories(
    value: Any, path: str = "categories_eligibles"
) -> tuple[ExpenseCategory, ...]:
    return _items(
        value,
        path,
        (
            {"code", "libelle", "source"},
            {"unite", "plafond_unitaire", "beneficiaires", "bonifiable"},
        ),
        lambda item: ExpenseCategory(
            code=item.code(),
            label=item.text("libelle"),
            unit_label=item.text("unite", "unité", max_length=50),
            unit_ceiling=read_optional_decimal(
                item.data.get("plafond_unitaire"), item.path("plafond_unitaire")
            ),
            beneficiaries=item.codes("beneficiaires"),
            bonus_eligible=read_bool(item.data.get("bonifiable", False), item.path("bonifiable")),
            source=item.source(),
        ),
        required_message="au moins une catégorie de dépense éligible est attendue",
    )


def parse_ineligible_categories(
    value: Any, path: str = "categories_ineligibles"
) -> tuple[IneligibleCategory, ...]:
    return _items(
        value,
        path,
        ({"code", "libelle", "motif", "source"}, set()),
        lambda item: IneligibleCategory(
            item.code(), item.text("libelle"), item.text("motif"), item.source()
        ),
    )


def parse_rate_bonuses(value: Any, path: str = "bonifications_taux") -> tuple[RateBonus, ...]:
    return _items(
        value,
        path,
        ({"code", "libelle", "points", "source"}, set()),
        lambda item: RateBonus(
            item.code(),
            item.text("libelle"),
            read_rate(item.data["points"], item.path("points")),
            item.source(),
        ),
    )


def _bonus_mode(item: _Item) -> BonusMode:
    try:
        return BonusMode(item.data["mode"])
    except ValueError:
        choices = ", ".join(m.value for m in BonusMode)
        raise RuleError(item.path("mode"), f"mode inconnu (valeurs admises : {choices})") from None


def parse_unit_bonuses(value: Any, path: str = "bonifications_unitaires") -> tuple[UnitBonus, ...]:
    return _items(
        value,
        path,
        (
            {"code", "libelle", "montant_par_unite", "mode", "source"},
            {"unite", "categories_comptees"},
        ),
        lambda item: UnitBonus(
            code=item.code(),
            label=item.text("libelle"),
            unit_label=item.text("unite", "unité", max_length=50),
            amount_per_unit=item.decimal("montant_par_unite", positive=True),
            mode=_bonus_mode(item),
            counted_categories=item.codes("categories_comptees"),
            source=item.source(),
        ),
    )


def parse_exceptional_ceilings(
    value: Any, path: str = "plafonds_exceptionnels"
) -> tuple[ExceptionalCeiling, ...]:
    return _items(
        value,
        path,
        ({"code", "libelle", "plafond", "source"}, set()),
        lambda item: ExceptionalCeiling(
            item.code(),
            item.text("libelle"),
            item.decimal("plafond", positive=True),
            item.source(),
        ),
    )


def parse_required_documents(
    value: Any, path: str = "pieces_requises"
) -> tuple[RequiredDocument, ...]:
    return _items(
        value,
        path,
        ({"code", "libelle", "source"}, {"si_categories", "si_conditions"}),
        lambda item: RequiredDocument(
            code=item.code(),
            label=item.text("libelle"),
            when_categories=item.codes("si_categories"),
            when_conditions=item.codes("si_conditions"),
            source=item.source(),
        ),
    )


def parse_rule_sources(value: Any, path: str = "sources_des_regles") -> dict[str, Source]:
    if not isinstance(value, dict):
        raise RuleError(path, "un objet JSON {…} est attendu")
    result = {}
    for rule, source in value.items():
        if rule not in SCALAR_RULES:
            allowed = ", ".join(SCALAR_RULES)
            raise RuleError(path, f"règle inconnue « {rule} » (règles admises : {allowed})")
        result[rule] = read_source(source, f"{path}.{rule}")
    return result


def parse_remarks(value: Any, path: str = "remarques") -> tuple[Remark, ...]:
    return _items(
        value,
        path,
        ({"texte", "source"}, set()),
        lambda item: Remark(item.text("texte", max_length=2000), item.source()),
    )


# JSON field of a parameter set -> its reader (the model validates each field with these).
JSON_READERS: dict[str, Any] = {
    "beneficiaries": parse_beneficiaries,
    "expense_categories": parse_expense_categories,
    "ineligible_categories": parse_ineligible_categories,
    "rate_bonuses": parse_rate_bonuses,
    "unit_bonuses": parse_unit_bonuses,
    "exceptional_ceilings": parse_exceptional_ceilings,
    "required_documents": parse_required_documents,
    "rule_sources": parse_rule_sources,
    "remarks": parse_remarks,
}


def check_consistency(rules: Rules) -> None:
    """Cross-rule checks: every code a rule refers to must be defined in the same set."""
    beneficiaries = {b.code for b in rules.beneficiaries}
    categories = {c.code for c in rules.expense_categories}
    for i, category in enumerate(rules.expense_categories):
        unknown = category.beneficiaries - beneficiaries
        if unknown:
            raise RuleError(
                f"categories_eligibles[{i}].beneficiaires",
                f"bénéficiaire « {sorted(unknown)[0]} » non défini dans ce jeu",
            )
    overlap = categories & {c.code for c in rules.ineligible_categories}
    if overlap:
        raise RuleError(
            "categories_ineligibles",
            f"« {sorted(overlap)[0]} » est aussi une catégorie éligible",
        )
    conditions = [b.code for b in rules.rate_bonuses] + [c.code for c in rules.exceptional_ceilings]
    _unique(conditions, "bonifications_taux / plafonds_exceptionnels")
    for i, bonus in enumerate(rules.unit_bonuses):
        unknown = bonus.counted_categories - categories
        if unknown:
            raise RuleError(
                f"bonifications_unitaires[{i}].categories_comptees",
                f"catégorie « {sorted(unknown)[0]} » non définie dans ce jeu",
            )
    for i, document in enumerate(rules.required_documents):
        unknown = document.when_categories - categories
        if unknown:
            raise RuleError(
                f"pieces_requises[{i}].si_categories",
                f"catégorie « {sorted(unknown)[0]} » non définie dans ce jeu",
            )
        unknown = document.when_conditions - rules.condition_codes
        if unknown:
            raise RuleError(
                f"pieces_requises[{i}].si_conditions",
                f"condition « {sorted(unknown)[0]} » non définie dans ce jeu",
            )


def parse_rules(snapshot: Mapping[str, Any]) -> Rules:
    """Read a whole parameter set from its snapshot (see ``ParameterSet.snapshot``)."""
    data = _object(
        dict(snapshot),
        "",
        {
            "aid_line_code",
            "aid_line_name",
            "title",
            "valid_from",
            *SCALAR_RULES,
            *JSON_READERS,
        },
        set(),
    )
    try:
        valid_from = datetime.date.fromisoformat(str(data["valid_from"]))
    except ValueError:
        raise RuleError("valid_from", "date invalide (AAAA-MM-JJ attendu)") from None
    rules = Rules(
        aid_line_code=read_code(data["aid_line_code"], "aid_line_code"),
        aid_line_name=read_text(data["aid_line_name"], "aid_line_name"),
        title=read_text(data["title"], "title", blank=True),
        valid_from=valid_from,
        base_rate=read_rate(data["base_rate"], "base_rate"),
        per_file_ceiling=read_optional_decimal(data["per_file_ceiling"], "per_file_ceiling"),
        public_funding_cap_rate=read_rate(
            data["public_funding_cap_rate"], "public_funding_cap_rate"
        ),
        advance_share=read_rate(data["advance_share"], "advance_share"),
        completeness_deadline_days=read_int(
            data["completeness_deadline_days"], "completeness_deadline_days", maximum=MAX_DAYS
        ),
        works_start_deadline_months=read_int(
            data["works_start_deadline_months"], "works_start_deadline_months", maximum=MAX_MONTHS
        ),
        balance_request_deadline_months=read_int(
            data["balance_request_deadline_months"],
            "balance_request_deadline_months",
            maximum=MAX_MONTHS,
        ),
        beneficiaries=parse_beneficiaries(data["beneficiaries"]),
        expense_categories=parse_expense_categories(data["expense_categories"]),
        ineligible_categories=parse_ineligible_categories(data["ineligible_categories"]),
        rate_bonuses=parse_rate_bonuses(data["rate_bonuses"]),
        unit_bonuses=parse_unit_bonuses(data["unit_bonuses"]),
        exceptional_ceilings=parse_exceptional_ceilings(data["exceptional_ceilings"]),
        required_documents=parse_required_documents(data["required_documents"]),
        rule_sources=parse_rule_sources(data["rule_sources"]),
        remarks=parse_remarks(data["remarks"]),
    )
    check_consistency(rules)
    return rules
