"""The demonstration brigade: 12 mediators, a chef de groupe, a year of activity."""

from __future__ import annotations

from bouclier.accounts.access import has_role
from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.mediation import stats
from bouclier.mediation.demo import load_demo_brigade
from bouclier.mediation.models import Assignment, PreventionAction, Protocol, Situation


def test_demo_brigade(territory: None) -> None:
    counts = load_demo_brigade()
    assert counts["mediators"] == 12
    mediators = [
        u for u in User.objects.filter(email__startswith="mediateur") if has_role(u, Role.MEDIATOR)
    ]
    assert len(mediators) == 12
    assert has_role(User.objects.get(email="chef.groupe@demo.bouclier.test"), Role.MEDIATION_LEAD)
    assert Assignment.objects.count() == 12 and Protocol.objects.count() == 12
    assert Situation.objects.filter(status=Situation.Status.CLOSED).count() > 50
    assert Situation.objects.exclude(status=Situation.Status.CLOSED).exists()
    assert PreventionAction.objects.count() > 50
    indicators = stats.compute(stats.current_school_year() - 1)
    assert indicators.situations and indicators.pupils_reached
    assert load_demo_brigade() == {}
