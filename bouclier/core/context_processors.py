"""Template context shared by every page: the navigation of the user's roles."""

from __future__ import annotations

from django.http import HttpRequest

from bouclier.core.navigation import NavItem, items_for


def navigation(request: HttpRequest) -> dict[str, list[NavItem]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": items_for(user)}
