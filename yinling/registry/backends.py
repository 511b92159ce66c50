"""Sign-in with the phone number in the registry (retiree accounts).

Listed after axes.backends.AxesStandaloneBackend, which refuses locked-out accounts first. django-axes
counts failures by the username credential; settings.AXES_USERNAME_CALLABLE
(yinling.registry.accounts.axes_username) maps a phone number, however it was typed, to the account it
belongs to, so "138 0013 8000", "+86 13800138000" and the account's username share one count.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from yinling.accounts.models import User


class PhoneBackend(ModelBackend):
    """A retiree signs in with the phone number of their registry record and their own password.

    Only active accounts of kind "retiree" linked to a record that is not deleted. When several such
    accounts share a number (a couple's landline), the password decides which one signs in. Input that
    is exactly some account's username is left to ModelBackend (listed next), so usernames always win.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        from yinling.registry.accounts import accounts_for_phone, phone_variants

        if not phone_variants(username) or User.objects.unrestricted().filter(username=username).exists():
            return None  # not a phone number, or an exact username: ModelBackend's business
        for user in accounts_for_phone(username):
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
