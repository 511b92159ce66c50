from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require characters from several classes: lower, upper, digits, symbols (等保 strong passwords), for staff.

    Retiree accounts are exempt: a 60-to-95-year-old on a phone keyboard is better served by a long passphrase
    than by symbol rules (NIST SP 800-63B drops composition rules too); the length, common-password, numeric and
    personal-data validators still apply to them.
    """

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        checks = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        return sum(checks)

    def validate(self, password: str, user: Any = None) -> None:
        if getattr(user, "kind", None) == "retiree":
            return
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Staff passwords must mix at least %(n)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"n": self.min_classes}


def compact(value: str) -> str:
    """Upper case without spaces and separators: how a name or number may hide in a password."""
    return "".join(c for c in value.upper() if c.isalnum())


class UsernameInPasswordValidator:
    """Refuse a password that contains the sign-in name (Django's similarity check misses "clerk2024!").

    Names shorter than `min_length` are not checked: every password would hold a two-letter name by chance.
    """

    def __init__(self, min_length: int = 3) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        name = compact(getattr(user, "username", "") or "")
        if len(name) >= self.min_length and name in compact(password):
            raise ValidationError(_("The password must not contain your sign-in name."), code="password_has_username")

    def get_help_text(self) -> str:
        return _("It must not contain your sign-in name.")
