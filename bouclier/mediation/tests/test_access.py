"""Need-to-know access: who opens which request and situation (404 when out of scope)."""

from __future__ import annotations

from django.test import Client

from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.mediation.models import Category
from bouclier.mediation.services import submit_request, take_request
from bouclier.mediation.tests.conftest import Brigade, open_situation
from conftest import MakeUser


def test_a_mediator_of_district_1_cannot_open_a_situation_of_district_2(
    client: Client, brigade: Brigade
) -> None:
    theirs = open_situation(brigade, melun=True)
    mine = open_situation(brigade)
    client.force_login(brigade.mediator_meaux)
    assert client.get(f"/mediation/situations/{theirs.pk}/").status_code == 404
    assert client.get(f"/mediation/situations/{theirs.pk}/modifier/").status_code == 404
    response = client.post(f"/mediation/situations/{theirs.pk}/evaluer/", {"version": 1})
    assert response.status_code == 404
    assert client.get(f"/mediation/situations/{mine.pk}/").status_code == 200
    listing = client.get("/mediation/situations/").content.decode()
    assert f"/mediation/situations/{mine.pk}/" in listing
    assert f"/mediation/situations/{theirs.pk}/" not in listing


def test_every_read_of_a_situation_is_journalled(client: Client, brigade: Brigade) -> None:
    situation = open_situation(brigade)
    client.force_login(brigade.lead)
    client.get(f"/mediation/situations/{situation.pk}/")
    client.get(f"/mediation/situations/{situation.pk}/modifier/")
    reads = AuditEntry.objects.filter(
        action="mediation.situation.viewed", object_id=str(situation.pk)
    )
    assert reads.count() == 2
    assert {entry.actor_id for entry in reads} == {brigade.lead.pk}


def test_the_chef_de_groupe_sees_every_situation(client: Client, brigade: Brigade) -> None:
    client.force_login(brigade.lead)
    for melun in (False, True):
        situation = open_situation(brigade, melun=melun)
        assert client.get(f"/mediation/situations/{situation.pk}/").status_code == 200


def test_a_college_head_follows_the_request_but_never_reads_the_situation(
    client: Client, brigade: Brigade
) -> None:
    saisine = submit_request(
        brigade.head_meaux,
        college=brigade.meaux,
        urgent=True,
        kind=Category.CONFLICT,
        description="Conflit entre deux élèves de 5e.",
    )
    situation = take_request(brigade.mediator_meaux, saisine)
    situation.summary = "Détail confidentiel de la situation"
    situation.save()
    client.force_login(brigade.head_meaux)
    page = client.get(f"/mediation/saisines/{saisine.pk}/").content.decode()
    assert "Prise en charge" in page
    assert "Détail confidentiel" not in page
    assert f"/mediation/situations/{situation.pk}/" not in page
    assert client.get(f"/mediation/situations/{situation.pk}/").status_code == 403
    assert client.get("/mediation/situations/").status_code == 403
    # Another collège's head does not even learn that the request exists.
    client.force_login(brigade.head_melun)
    assert client.get(f"/mediation/saisines/{saisine.pk}/").status_code == 404
    assert (
        f"/mediation/saisines/{saisine.pk}/"
        not in client.get("/mediation/saisines/").content.decode()
    )


def test_a_mediator_of_another_district_cannot_take_a_request(
    client: Client, brigade: Brigade
) -> None:
    saisine = submit_request(
        brigade.head_meaux,
        college=brigade.meaux,
        urgent=False,
        kind=Category.CONFLICT,
        description="Conflit.",
    )
    client.force_login(brigade.mediator_melun)
    assert client.post(f"/mediation/saisines/{saisine.pk}/prendre/").status_code == 404
    client.force_login(brigade.mediator_meaux)
    response = client.post(f"/mediation/saisines/{saisine.pk}/prendre/")
    assert response.status_code == 302
    saisine.refresh_from_db()
    assert saisine.status == "taken" and saisine.taken_by == brigade.mediator_meaux


def test_partners_and_other_roles_see_nothing(
    client: Client, brigade: Brigade, make_user: MakeUser
) -> None:
    situation = open_situation(brigade)
    for role in (Role.REQUISITIONING_OFFICER, Role.DPO, Role.ADMINISTRATOR, Role.ELECTED_OFFICIAL):
        client.force_login(make_user(role, password=None))
        assert client.get(f"/mediation/situations/{situation.pk}/").status_code == 403


def test_the_chef_de_groupe_groups_colleges_into_districts(
    client: Client, brigade: Brigade
) -> None:
    client.force_login(brigade.lead)
    melun_district = brigade.melun.district
    assert melun_district is not None
    url = f"/mediation/gestion/territory/college/{brigade.meaux.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"district": melun_district.pk})
    assert response.status_code == 302
    brigade.meaux.refresh_from_db()
    assert brigade.meaux.district == melun_district
    assert AuditEntry.objects.filter(action="territory.college.changed").exists()
