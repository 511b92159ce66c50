"""The "are you safe?" notices of a newly opened round, sent by a background job (`rounds.notify`).

Opening a round for a city writes its entries in the request; telling every person with an account (and,
through notify_many, their recorded relatives) is a worker's job, in chunks, with progress on the job page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.jobs.runners import JobContext, JobFailed, JobKind, register_kind
from yinling.notifications.services import notify_many
from yinling.rounds.models import Round, RoundEntry
from yinling.rounds.services.rounds import NOTIFY_KIND

CHUNK = 500


def run_job(ctx: JobContext) -> dict[str, Any]:
    round_ = Round.objects.unrestricted().filter(pk=int(ctx.params.get("round") or 0)).first()
    if round_ is None:
        raise JobFailed(_("The round no longer exists."))
    refresh_statistics()
    accounts = (
        RoundEntry.objects.unrestricted()
        .filter(round=round_, retiree__account__isnull=False, retiree__account__is_active=True)
        .order_by("id")
        .values_list("retiree__account_id", flat=True)
    )
    ids = list(accounts)
    from yinling.accounts.models import User

    with translation.override(settings.LANGUAGE_CODE):
        text = _("平安报 %(title)s: please tell us whether you are safe or need help.") % {"title": round_.title}
    link = reverse("rounds:me")
    sent = 0
    for start in range(0, len(ids), CHUNK):
        ctx.progress(start, len(ids), _("Telling the people of the round"))
        if not Round.objects.unrestricted().filter(pk=round_.pk, status=Round.Status.OPEN).exists():
            break  # closed meanwhile: nobody more is asked
        users = list(User.objects.unrestricted().filter(pk__in=ids[start : start + CHUNK]))
        sent += len(notify_many(users, "rounds.ask", text, link))
    ctx.progress(len(ids), len(ids), _("Done"))
    return {"round": round_.pk, "people": len(ids), "notices": sent}


def refresh_statistics() -> None:
    """ANALYZE the entries on PostgreSQL: an opening adds a city's rows at once, and until autovacuum notices, the
    planner's estimate of a handful makes a page of the round's list sort the whole city (2 s instead of 60 ms at
    150,000 people). Here, in the worker, right after the opening committed; not in the opening's request."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(RoundEntry._meta.db_table)}")


def register() -> None:
    register_kind(JobKind(NOTIFY_KIND, gettext_lazy("平安报 notices"), run_job))
