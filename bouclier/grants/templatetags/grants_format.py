"""Template filters: French amounts and rates (``euros``, ``percent``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from bouclier.grants.services.formatting import format_euros, format_percent

register = template.Library()


@register.filter
def euros(value: Decimal | None) -> str:
    return format_euros(value)


@register.filter
def percent(value: Decimal | None) -> str:
    return format_percent(value)
