"""A password validator that refuses the phone number and ID-number digits of a retiree's registry record.

It lives in the registry because the numbers do (encrypted on the record linked to the account); the
accounts app keeps the validators that need no record. Listed in settings.AUTH_PASSWORD_VALIDATORS.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yinling.accounts.validators import compact


def _runs(number: str, length: int) -> set[str]:
    return {number[i : i + length] for i in range(len(number) - length + 1)}


class PersonalNumbersValidator:
    """Refuse a password holding `min_run` or more consecutive characters of the person's phone or ID number.

    Six catches the birth date and the last six of an ID number (what anyone who has seen the record or the
    person's papers tries first) and any eight digits of a mobile number, while a year or a four-digit number
    of one's own choosing stays allowed. Separators and case are ignored ("138 0013 8000", "...123x").
    """

    def __init__(self, min_run: int = 6) -> None:
        self.min_run = min_run

    def numbers(self, user: Any) -> list[str]:
        if getattr(user, "pk", None) is None:
            return []
        from yinling.registry.models import Retiree

        record = Retiree.objects.unrestricted().filter(account_id=user.pk).first()
        if record is None:
            return []
        return [n for n in (compact(record.phone or ""), compact(record.id_number or "")) if len(n) >= self.min_run]

    def validate(self, password: str, user: Any = None) -> None:
        text = compact(password)
        if len(text) < self.min_run:
            return
        for number in self.numbers(user):
            if any(run in text for run in _runs(number, self.min_run)):
                raise ValidationError(
                    _("The password must not contain your phone number or digits of your ID number."),
                    code="password_has_personal_number",
                )

    def get_help_text(self) -> str:
        return _("It must not contain your phone number or digits of your ID number.")
