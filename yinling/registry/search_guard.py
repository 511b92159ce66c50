"""Exact searches by a sensitive value: who may run them, how often, and the audit record of each.

A search by a whole ID number, the last six of one, or a whole mobile answers "does this person
exist, and who is it?". Against a mask that hides four digits (138****5678) that is a brute force
in 10,000 searches, and the last six of an ID number give away the birth day. So (issue #9):

- every such search is audited (`security`, the query masked as in exports, how many rows matched,
  and where it came from: the list page, the API or the picker);
- a user whose roles hold `registry.view_sensitive_retiree` somewhere is not limited;
- anyone else may run `REGISTRY_EXACT_SEARCHES_PER_HOUR` of them an hour (default 20, in the cache,
  per user); beyond it the search is refused (`search_limited`) and the refusal is audited too.

The last-four search (the list's everyday search, "the last four of your ID?") is not counted: the
list and the picker show the last four anyway.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.core.scoping import has_anywhere
from yinling.registry.idcard import normalise
from yinling.registry.models import Retiree

DEFAULT_PER_HOUR = 20


def exact_kind(value: str) -> str | None:
    """ "id", "id6" or "phone" when `value` is an exact search by a sensitive value (as filters.search_q reads it)."""
    digits = normalise(value.strip())
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", digits):
        return "id"
    if re.fullmatch(r"\d{5}[\dX]", digits):
        return "id6"
    if re.fullmatch(r"1\d{10}", digits):
        return "phone"
    return None


def per_hour() -> int:
    return int(getattr(settings, "REGISTRY_EXACT_SEARCHES_PER_HOUR", DEFAULT_PER_HOUR))


def _audit(user: Any, value: str, via: str, rows: int | None) -> None:
    from yinling.registry.filters import masked_query

    org = getattr(user, "org", None)
    record(
        AuditRecord.Action.SECURITY,
        object_type="registry.retiree",
        object_repr=masked_query(value),
        org_path=getattr(org, "path", "") or "",
        extra={"filters": {"q": masked_query(value)}, "rows": rows, "via": via},
    )


def check(user: Any, value: str, via: str) -> bool:
    """Before an exact search: True if it is one (to audit with `audited()`); Refused beyond the limit."""
    if exact_kind(value) is None:
        return False
    if has_anywhere(user, Retiree, "view_sensitive"):
        return True
    key = f"registry:exact-search:{user.pk}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > per_hour():
        _audit(user, value, via, None)  # refused: rows None
        raise Refused(
            "search_limited",
            _("Too many searches by a whole ID number or phone this hour. Search by name, or ask a bureau admin."),
        )
    return True


def audited(user: Any, value: str, via: str, rows: int) -> None:
    _audit(user, value, via, rows)
