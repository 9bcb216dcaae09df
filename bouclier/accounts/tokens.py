"""Single-use, expiring tokens for account activation links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.tokens import PasswordResetTokenGenerator

if TYPE_CHECKING:
    from bouclier.accounts.models import User


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Like reset tokens (signed, expiring after PASSWORD_RESET_TIMEOUT) but own salt.

    The activation state is part of the hashed value, so a link stops working once used.
    """

    key_salt = "bouclier.accounts.ActivationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_token = ActivationTokenGenerator()
