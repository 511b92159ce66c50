"""What the time bank shows on a retiree's record (core/related.py): their account's balance, with a link to the
account page, for staff who may view time bank accounts where the account is; nothing when there is none."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from yinling.core.related import Summary
from yinling.timebank.models import Account


def account_summary(user: Any, retiree: Any) -> Summary | None:
    account = (
        Account.objects.restrict(user, "view")
        .filter(kind=Account.Kind.MEMBER, retiree_id=retiree.pk)
        .only("balance")
        .first()
    )
    if account is None:
        return None
    return Summary(_("%(h)s hours") % {"h": account.balance}, reverse("timebank:member", args=[retiree.pk]))
