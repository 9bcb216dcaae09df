"""The navigation registry: each context adds its entries with the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

from bouclier.accounts.access import user_roles
from bouclier.accounts.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[Role]
    description: str | Promise = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ITEMS: list[NavItem] = []


def register(*items: NavItem) -> None:
    """Add entries to the navigation (called from each context's ``AppConfig.ready``)."""
    for item in items:
        if item not in _ITEMS:
            _ITEMS.append(item)


def items_for(user: AbstractBaseUser | AnonymousUser) -> list[NavItem]:
    """The entries a user sees: those of the roles the user holds today."""
    roles = user_roles(user)
    return [item for item in _ITEMS if item.roles & roles]


def items_for_role(role: Role) -> list[NavItem]:
    return [item for item in _ITEMS if role in item.roles]
