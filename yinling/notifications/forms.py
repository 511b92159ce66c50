from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.notifications.selectors import channel_of


class PreferenceForm(forms.Form):
    """The person's channel besides the inbox (SMS for retirees, e-mail for staff); the inbox is always on."""

    sms = forms.BooleanField(
        label=_("Also send me a text message (SMS)"),
        required=False,
        help_text=_("A short message to the phone number in the registry, with a link to the notification."),
    )
    email = forms.BooleanField(
        label=_("Also send me an e-mail"),
        required=False,
        help_text=_("A short e-mail to the address on your account, with a link to the notification."),
    )

    prefix = "notify"  # it shares the account page with the account's own form (which has an "email" field)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel_of(user)
        for name in list(self.fields):
            if name != self.channel:
                del self.fields[name]
