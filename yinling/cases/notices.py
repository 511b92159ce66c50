"""What the service cases tell people (notifications.notify), from inside the services' transactions, so a
step that rolls back sends nothing.

The applicant hears of every step (filed, approved to the next step, returned, rejected, completed); their
recorded relatives get copies (代办). The step's owners hear when a case is near its limit or escalated to
them. Texts leave the platform by SMS: they name the item and the step, never a person; the linked page
shows the rest by its rules. Whoever took the step is not told of it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from yinling.cases.models import Case
from yinling.notifications.services import notify, notify_many


def _applicant(case: Case) -> Any:
    user = case.retiree.account if case.retiree.account_id else None
    return user if user is not None and user.is_active else None


def to_applicant(case: Case, event: str, *, by: Any = None, comment: str = "") -> None:
    user = _applicant(case)
    if user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        texts = {
            "filed": _("Your application for %(item)s was received. It is now at: %(step)s."),
            "approve": _("Your application for %(item)s passed a step. It is now at: %(step)s."),
            "return": _("Your application for %(item)s was returned for you to fix: %(comment)s"),
            "reject": _("Your application for %(item)s was not approved: %(comment)s"),
            "complete": _("Your application for %(item)s was approved and is complete."),
            "escalate": _("Your application for %(item)s is past its time limit and went to the level above."),
        }
        text = texts[event] % {"item": case.item.name, "step": case.step_name, "comment": comment[:200]}
    notify(user, f"cases.{event}", text, reverse("cases:mine_detail", args=[case.pk]), exclude=[by])


def to_step_owners(case: Case, owners: list[Any], event: str) -> None:
    if not owners:
        return
    with translation.override(settings.LANGUAGE_CODE):
        texts = {
            "waiting": _("A %(item)s case waits for you at the step %(step)s."),
            "near": _("A %(item)s case at the step %(step)s is due by %(due)s."),
            "escalate": _("A %(item)s case past its time limit was escalated to you (step %(step)s)."),
        }
        text = texts[event] % {"item": case.item.name, "step": case.step_name, "due": case.due_on or ""}
    notify_many(owners, f"cases.{event}", text, reverse("cases:case", args=[case.pk]))
