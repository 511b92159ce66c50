from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require characters from several classes: lower, upper, digits, symbols (等保 strong passwords)."""

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
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"n": self.min_classes}
