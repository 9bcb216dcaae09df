"""Demonstration files for the demo applicant of Meaux, in various states of the chain.

Called by ``manage.py load_demo`` once the demo accounts exist. Idempotent: when Meaux already
has files nothing is added. Every file goes through the service functions, so the demo's
audit trail, acknowledgements and amounts are those a real journey would produce.
"""

from __future__ import annotations

from decimal import Decimal

from django.test.utils import override_settings
from weasyprint import HTML  # type: ignore[import-untyped]

from bouclier.accounts.models import Organisation, User
from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import Application
from bouclier.grants.services import applications as services
from bouclier.grants.services.applications import ExpenseData, FunderData

DOMAIN = "demo.bouclier.test"


def _pdf(title: str) -> bytes:
    pdf = HTML(string=f"<h1>{title}</h1><p>Pièce de démonstration.</p>").write_pdf()
    return bytes(pdf)


def _draft(
    applicant: User,
    meaux: Organisation,
    line: str,
    title: str,
    beneficiary: str,
    lines: list[ExpenseData],
) -> Application:
    draft = services.create_draft(
        applicant, organisation=meaux, aid_line=AidLine.objects.get(code=line)
    )
    services.save_project(
        draft,
        applicant,
        version=draft.version,
        title=title,
        description=f"{title} : dossier de démonstration.",
        beneficiary=beneficiary,
        conditions=[],
    )
    services.save_expenses(draft, applicant, version=draft.version, lines=lines)
    services.save_funders(
        draft,
        applicant,
        version=draft.version,
        # The Région funds a fifth of the cost: the 80 % cap then leaves room for the aid.
        funders=[
            FunderData(
                "Région Île-de-France",
                sum((line.quantity * line.unit_cost for line in lines), Decimal(0)) / 5,
                True,
                "requested",
            )
        ],
    )
    services.add_document(
        draft, applicant, kind="devis", name="devis.pdf", content=_pdf(f"Devis – {title}")
    )
    return draft


def load_demo_files() -> int:
    """Create the demo files unless Meaux has some already; returns how many were created."""
    load_default_reglement()
    meaux = Organisation.objects.get(commune__insee_code="77284")
    if Application.objects.filter(organisation=meaux).exists():
        return 0
    applicant = User.objects.get(email=f"demandeur.meaux@{DOMAIN}")
    instructor = User.objects.get(email=f"instructeur@{DOMAIN}")
    manager = User.objects.get(email=f"gestionnaire@{DOMAIN}")
    finance = User.objects.get(email=f"finances@{DOMAIN}")
    camera = ExpenseData("camera", 8, Decimal(6000), "Parvis de la gare")
    radios = ExpenseData("radio_portable", 6, Decimal(1200), "Radios des agents")
    # The demo is loaded from a terminal: the e-mails of the journey are not sent anywhere.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _draft(
            applicant,
            meaux,
            "equipement_police",
            "Radios de la police municipale",
            "commune_police_municipale",
            [radios],
        )
        submitted = _draft(
            applicant, meaux, "videoprotection", "Caméras du quartier Beauval", "commune", [camera]
        )
        services.submit(submitted, applicant)

        incomplete = _draft(
            applicant, meaux, "videoprotection", "Caméras du centre historique", "commune", [camera]
        )
        services.submit(incomplete, applicant)
        services.request_documents(
            incomplete,
            instructor,
            kinds=["avis_referent_surete", "aipd"],
            message="Merci de joindre l'avis du référent sûreté et l'AIPD.",
        )
        services.post_message(
            incomplete, applicant, body="L'avis du référent est attendu la semaine prochaine."
        )
        services.annotate(incomplete, instructor, body="Relancer le référent sûreté si besoin.")

        paid = _draft(
            applicant,
            meaux,
            "equipement_police",
            "Équipement des agents de police municipale",
            "commune_police_municipale",
            [radios],
        )
        services.submit(paid, applicant)
        services.start_instruction(paid, instructor)
        services.propose(paid, instructor)
        services.decide(paid, manager, granted=True, deliberation_number="CP-DEMO-01")
        services.notify(paid, manager)
        proof = services.add_document(
            paid,
            applicant,
            kind="debut_travaux",
            name="ordre-de-service.pdf",
            content=_pdf("Ordre de service"),
        )
        services.request_advance(paid, applicant, proof=proof)
        services.pay_advance(paid, finance)
    return 4
