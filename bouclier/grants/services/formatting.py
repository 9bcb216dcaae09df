"""French formatting of amounts and rates, shared by the explanation and the templates."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# A narrow no-break space groups thousands in French typography and never wraps.
THOUSANDS = "\u202f"


def format_number(value: Decimal, places: int | None = 2) -> str:
    """``Decimal("12345.5")`` -> ``"12 345,50"``; whole numbers lose their decimals.

    Display only: half-up to ``places`` decimals; ``places=None`` shows every decimal, as the
    explanation does for the amount before its rounding down.
    """
    if value == value.to_integral_value():
        places = 0
    elif places is None:
        exponent = value.normalize().as_tuple().exponent
        places = max(2, -exponent if isinstance(exponent, int) else 2)
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{shown:,.{places}f}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def format_euros(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{format_number(value)}\u00a0€"


def format_percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{format_number(value)}\u00a0%"
