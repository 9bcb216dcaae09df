"""Demonstration brigade: 12 mediators and a chef de groupe on the sample collèges.

``load_demo_brigade()`` builds a realistic school year of activity (the previous school year
in full and the current one so far): protocols, programme, requests, situations at every
stage with pseudonymous pupils, follow-ups, referrals, prevention actions and presence
times. The records are written directly with their past dates (the services stamp "now"),
and the loading itself is journalled once. Idempotent: it does nothing once loaded.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import OrganisationKind, Role
from bouclier.audit.services import record
from bouclier.mediation.models import (
    Assignment,
    Category,
    FollowUp,
    Level,
    Objective,
    Presence,
    PreventionAction,
    Programme,
    Protocol,
    Pupil,
    Referral,
    Request,
    Situation,
)
from bouclier.mediation.services import CODE_ALPHABET
from bouclier.mediation.stats import current_school_year
from bouclier.territory.models import College

DEMO_DOMAIN = "demo.bouclier.test"
BRIGADE_SERVICE = "Département – Brigade des médiateurs de sécurité scolaire"
# (login, first name, last name): the first one is the demo's "mediateur" account.
MEDIATORS = [
    ("mediateur", "Léa", "Fontaine"),
    ("mediateur02", "Yacine", "Benaïssa"),
    ("mediateur03", "Sandrine", "Lopes"),
    ("mediateur04", "Kevin", "Marchal"),
    ("mediateur05", "Aminata", "Diallo"),
    ("mediateur06", "Romain", "Texier"),
    ("mediateur07", "Élodie", "Carpentier"),
    ("mediateur08", "Samir", "Ouali"),
    ("mediateur09", "Laetitia", "Vasseur"),
    ("mediateur10", "Franck", "Hoarau"),
    ("mediateur11", "Nadège", "Perrin"),
    ("mediateur12", "Jordan", "Lemaire"),
]
LEAD = ("chef.groupe", "Olivier", "Mercier")
SUMMARIES = {
    Category.HARASSMENT: "Moqueries répétées visant un élève de {level} depuis plusieurs semaines.",
    Category.CYBER_HARASSMENT: "Messages insultants diffusés sur un groupe de classe ({level}).",
    Category.SEXISM: "Remarques sexistes répétées en cour de récréation ({level}).",
    Category.DISABILITY: "Mise à l'écart d'un élève en situation de handicap ({level}).",
    Category.HOMOPHOBIA: "Insultes homophobes rapportées par la vie scolaire ({level}).",
    Category.RACISM: "Propos discriminatoires entre élèves de {level}.",
    Category.PHYSICAL_VIOLENCE: "Bousculades et coups à la sortie du collège ({level}).",
    Category.CONFLICT: "Conflit entre deux élèves de {level} qui dégénère en classe.",
    Category.GROUP_FIGHTS: "Tensions entre groupes de deux quartiers, rixe évitée ({level}).",
    Category.OTHER: "Climat tendu dans une classe de {level} signalé par le CPE.",
}
LETTERS = "ABCDEFGHJKLMNPRSTV"
CATEGORY_WEIGHTS = [22, 14, 8, 4, 4, 6, 12, 20, 4, 6]


def _user(login: str, first: str, last: str, hashed: str | None) -> User:
    """A demo account; ``hashed`` is the shared password's hash (one costly hash per load)."""
    user, created = User.objects.get_or_create(
        email=f"{login}@{DEMO_DOMAIN}",
        defaults={"first_name": first, "last_name": last, "is_active": True},
    )
    if created or hashed:
        if hashed:
            user.password = hashed
        user.is_active = True
        user.save()
    return user


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _code(rng: random.Random) -> str:
    return "EL-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(6))


def load_demo_brigade(password: str | None = None, *, seed: int = 77) -> dict[str, int]:
    """Create the demo brigade and a year of its activity; return the counts.

    The accounts are created (or their password refreshed) every time; the activity only
    once, into a brigade without any situation yet.
    """
    colleges = list(College.objects.filter(is_sample=True).select_related("district")[:12])
    if not colleges:
        return {}
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    year = current_school_year(today)
    start = datetime.date(year - 1, 9, 1)
    with transaction.atomic():
        service, _created = Organisation.objects.get_or_create(
            kind=OrganisationKind.DEPARTMENT_SERVICE, name=BRIGADE_SERVICE
        )
        hashed = make_password(password) if password else None
        lead = _user(*LEAD, hashed)
        Membership.objects.get_or_create(user=lead, organisation=service, role=Role.MEDIATION_LEAD)
        mediators = []
        for login, first, last in MEDIATORS:
            mediator = _user(login, first, last, hashed)
            Membership.objects.get_or_create(
                user=mediator, organisation=service, role=Role.MEDIATOR
            )
            mediators.append(mediator)
        heads: dict[int, User] = {}
        for college in colleges:
            organisation = Organisation.objects.filter(college=college).first()
            if organisation is None:
                continue
            login = "principal" if college.uai == "0779001A" else f"principal.{college.uai}"
            head = _user(login, "Direction", college.name[:100], hashed)
            Membership.objects.get_or_create(
                user=head, organisation=organisation, role=Role.COLLEGE_HEAD
            )
            heads[college.pk] = head

        counts: dict[str, Any] = {"mediators": len(mediators)}
        if Situation.objects.exists():
            return {}
        for index, college in enumerate(colleges):
            mediator = mediators[index % len(mediators)]
            if college.district is not None:
                Assignment.objects.get_or_create(
                    mediator=mediator,
                    district=college.district,
                    college=college,
                    defaults={
                        "diagnostic_start": start + datetime.timedelta(days=7 + index),
                        "valid_from": start,
                    },
                )
            Protocol.objects.get_or_create(
                college=college,
                defaults={
                    "head_name": f"Direction du {college.name}",
                    "signed_on": start + datetime.timedelta(days=20 + 2 * index),
                    "contacts": "Principal, principal adjoint, CPE, infirmière scolaire "
                    "(équipe ressource pHARe)",
                    "scope": "Prévention (10 h par an), présence dans la cour, médiation des "
                    "conflits, interventions urgentes à la demande du chef d'établissement.",
                },
            )
        for programme_year in (year - 1, year):
            programme, _new = Programme.objects.get_or_create(
                year=programme_year,
                defaults={
                    "title": "Programme départemental contre le harcèlement",
                    "summary": "Déployer pHARe avec les collèges, former les élèves "
                    "ambassadeurs, sensibiliser chaque niveau au cyberharcèlement.",
                },
            )
            for indicator, target in (
                (Objective.Indicator.PUPILS_REACHED, 6000),
                (Objective.Indicator.PREVENTION_ACTIONS, 120),
                (Objective.Indicator.COLLEGES_COVERED, 12),
                (Objective.Indicator.SITUATIONS_CLOSED, 80),
            ):
                Objective.objects.get_or_create(
                    programme=programme, indicator=indicator, defaults={"target": target}
                )

        situations = 0
        for index, college in enumerate(colleges):
            mediator = mediators[index % len(mediators)]
            college_head = heads.get(college.pk)
            situations += _college_cases(rng, college, mediator, lead, college_head, start, today)
            _college_prevention(rng, college, mediator, mediators, start, today)
        counts["situations"] = situations
        counts["prevention_actions"] = PreventionAction.objects.count()
        counts["presences"] = Presence.objects.count()
        record("mediation.demo.loaded", data=counts)
    return counts


def _college_cases(
    rng: random.Random,
    college: College,
    mediator: User,
    lead: User,
    head: User | None,
    start: datetime.date,
    today: datetime.date,
) -> int:
    days = (today - start).days
    count = max(4, days * rng.randint(8, 14) // 365)
    categories = list(Category)
    for _n in range(count):
        opened = start + datetime.timedelta(days=rng.randint(0, days - 1))
        if opened.weekday() >= 5:
            opened -= datetime.timedelta(days=opened.weekday() - 4)
        category = rng.choices(categories, weights=CATEGORY_WEIGHTS)[0]
        level = rng.choice([Level.SIXTH, Level.FIFTH, Level.FOURTH, Level.THIRD])
        severity = rng.choices([1, 2, 3], weights=[70, 25, 5])[0]
        saisine = None
        if head is not None and rng.random() < 0.6:
            urgent = rng.random() < 0.25
            created = _aware(opened, rng.randint(8, 15), rng.choice([0, 15, 30, 45]))
            late = not urgent or rng.random() < 0.1
            taken = created + datetime.timedelta(
                hours=rng.randint(1, 3), days=rng.randint(1, 2) if late else 0
            )
            saisine = Request.objects.create(
                college=college,
                requested_by=head,
                created_at=created,
                urgent=urgent,
                kind=category,
                description=SUMMARIES[category].format(level=level) + " Demande d'appui.",
                preferred_slots=rng.choice(["Mardi matin", "Jeudi après-midi", "Dès que possible"]),
                status=Request.Status.TAKEN,
                taken_by=mediator,
                taken_at=taken,
            )
        age = (today - opened).days
        situation = Situation.objects.create(
            college=college,
            request=saisine,
            mediator=mediator,
            created_by=mediator,
            opened_on=opened,
            category=category,
            severity=severity,
            summary=SUMMARIES[category].format(level=level),
            assessment="Entretiens avec l'élève ciblé et la CPE ; faits confirmés."
            if age > 3
            else "",
            status=Situation.Status.NEW if age <= 3 else Situation.Status.ASSESSMENT,
        )
        for role in [Pupil.Part.TARGET, Pupil.Part.AUTHOR, Pupil.Part.WITNESS][: rng.randint(1, 3)]:
            Pupil.objects.create(
                situation=situation,
                code=_code(rng),
                initials=f"{rng.choice(LETTERS)}.{rng.choice(LETTERS)}.",
                level=level,
                role=role,
            )
        if age <= 5:
            continue
        intervention = opened + datetime.timedelta(days=rng.randint(1, min(5, age - 1)))
        situation.method = rng.choice(list(Situation.Method))
        situation.intervention_on = intervention
        situation.status = Situation.Status.INTERVENTION
        if saisine is not None:
            saisine.planned_for = _aware(intervention, rng.randint(9, 16))
            saisine.status = Request.Status.DONE
            saisine.done_at = saisine.planned_for + datetime.timedelta(hours=1)
            saisine.save()
        since = (today - intervention).days
        if since > 7:
            situation.status = Situation.Status.FOLLOW_UP
            for step in (7, 21):
                due = intervention + datetime.timedelta(days=step)
                done = due if due <= today - datetime.timedelta(days=rng.randint(0, 6)) else None
                FollowUp.objects.create(
                    situation=situation,
                    due_on=due,
                    done_on=done,
                    notes="Entretien de suivi : la situation s'apaise." if done else "",
                    created_by=mediator,
                )
        outcome = rng.choices(list(Situation.Outcome), weights=[72, 16, 12])[0]
        if outcome == Situation.Outcome.REFERRED or severity == 3:
            partner = rng.choice(list(Referral.Partner))
            ground = {
                Referral.Partner.CRIP: Referral.Ground.CHILD_IN_DANGER,
                Referral.Partner.POLICE: Referral.Ground.OFFENCE,
            }.get(partner, Referral.Ground.FAMILY_CONSENT)
            Referral.objects.create(
                situation=situation,
                partner=partner,
                referred_on=intervention,
                reason="Faits dépassant la médiation : relais vers le partenaire compétent.",
                ground=ground,
                status=Referral.Status.ACCEPTED,
                created_by=mediator,
            )
        if since > 30 and not situation.follow_ups.filter(done_on__isnull=True).exists():
            closed_on = intervention + datetime.timedelta(days=rng.randint(25, min(since, 60)))
            situation.outcome = outcome
            situation.closure_note = "Plus de fait signalé ; bilan fait avec le CPE."
            situation.closure_requested_by = mediator
            if closed_on >= today - datetime.timedelta(days=3):
                situation.status = Situation.Status.CLOSURE_PENDING
            else:
                situation.status = Situation.Status.CLOSED
                situation.closed_at = _aware(closed_on, 17)
                situation.closed_by = lead
        situation.save()
    # A request taken two days ago, its intervention planned for tomorrow: work in progress.
    if head is not None and rng.random() < 0.5:
        opened = today - datetime.timedelta(days=2)
        saisine = Request.objects.create(
            college=college,
            requested_by=head,
            created_at=_aware(opened, 9),
            urgent=False,
            kind=Category.CYBER_HARASSMENT,
            description="Photos d'un élève de 5e diffusées sur un réseau social.",
            status=Request.Status.PLANNED,
            taken_by=mediator,
            taken_at=_aware(opened, 14),
            planned_for=_aware(today + datetime.timedelta(days=1), 10),
        )
        Situation.objects.create(
            college=college,
            request=saisine,
            mediator=mediator,
            created_by=mediator,
            opened_on=opened,
            category=Category.CYBER_HARASSMENT,
            severity=2,
            summary="Photos diffusées sur un réseau social ; élève ciblé de 5e.",
            status=Situation.Status.ASSESSMENT,
        )
        count += 1
    # A request received this morning, not yet taken: the dashboard's to-do.
    if head is not None:
        Request.objects.create(
            college=college,
            requested_by=head,
            created_at=_aware(today, 8, 30),
            urgent=rng.random() < 0.3,
            kind=Category.CONFLICT,
            description="Conflit entre deux élèves de 4e depuis la rentrée, à apaiser.",
            preferred_slots="Cette semaine",
        )
    return count


def _college_prevention(
    rng: random.Random,
    college: College,
    mediator: User,
    mediators: list[User],
    start: datetime.date,
    today: datetime.date,
) -> None:
    days = (today - start).days
    themes = list(PreventionAction.Theme)
    for _n in range(max(3, days * 10 // 365)):
        day = start + datetime.timedelta(days=rng.randint(0, days - 1))
        if day.weekday() >= 5:
            continue
        level = rng.choice([Level.SIXTH, Level.FIFTH, Level.FOURTH, Level.THIRD])
        action = PreventionAction.objects.create(
            college=college,
            date=day,
            kind=rng.choice(list(PreventionAction.Kind)),
            theme=rng.choice(themes),
            classes=f"{level} A, {level} B",
            levels=[level],
            pupils_reached=rng.randint(24, 110),
            duration_minutes=rng.choice([55, 60, 90, 120]),
            created_by=mediator,
        )
        team = {mediator, rng.choice(mediators)} if rng.random() < 0.2 else {mediator}
        action.mediators.set(team)
    presences = []
    day = start
    while day <= today + datetime.timedelta(days=14):
        # Term time only (roughly): no presence in July and August.
        if day.month not in (7, 8):
            if day.weekday() == 1:
                presences.append(
                    Presence(
                        mediator=mediator,
                        college=college,
                        kind=Presence.Kind.PLAYGROUND,
                        date=day,
                        start=datetime.time(12, 0),
                        end=datetime.time(13, 30),
                    )
                )
            if day.weekday() == 2 and day.isocalendar()[1] % 2 == 0:
                presences.append(
                    Presence(
                        mediator=mediator,
                        college=college,
                        kind=Presence.Kind.WEDNESDAY,
                        date=day,
                        start=datetime.time(9, 0),
                        end=datetime.time(11, 30),
                    )
                )
        day += datetime.timedelta(days=1)
    Presence.objects.bulk_create(presences)
