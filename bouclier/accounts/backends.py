"""Django permissions derived from roles: administrators hold every model permission.

The back office is for reference data and accounts; rather than maintain Django permission
groups beside the roles, the administrator role grants them all, and nobody else has any.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from bouclier.accounts.access import has_role
from bouclier.accounts.roles import Role


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.is_active and has_role(user_obj, Role.ADMINISTRATOR))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self.has_perm(user_obj, app_label)
