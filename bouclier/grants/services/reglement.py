"""Which parameter set is in force: the database side of the dated règlement."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bouclier.grants.models import AidLine, ParameterSet


def parameters_in_force(
    aid_line: AidLine | str, on_date: datetime.date | None = None
) -> ParameterSet | None:
    """The published set of ``aid_line`` (an instance or its code) in force on ``on_date``.

    That is the set with the latest start date on or before ``on_date`` (today by default);
    None when the aid line has no set in force yet.
    """
    on_date = on_date or timezone.localdate()
    sets = ParameterSet.objects.in_force(on_date).select_related("aid_line")
    if isinstance(aid_line, AidLine):
        sets = sets.filter(aid_line=aid_line)
    else:
        sets = sets.filter(aid_line__code=aid_line)
    return sets.first()


def sets_in_force(on_date: datetime.date | None = None) -> list[ParameterSet]:
    """The set in force on ``on_date`` of every aid line that has one, in display order."""
    on_date = on_date or timezone.localdate()
    result = []
    for aid_line in AidLine.objects.all():
        current = parameters_in_force(aid_line, on_date)
        if current is not None:
            result.append(current)
    return result
