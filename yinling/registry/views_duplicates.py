"""Where is this ID number registered? The one audited route for staff who must find a duplicate.

Every other answer (the add page, the API, the import) says only "already registered" and names no org
(issue #9). Staff who register people sometimes must know more, to ask the managing bureau for a
transfer: this page tells them the managing org, and nothing of the person outside their area. It needs
the right to add or import people, runs through the exact-search guard (limited per hour for roles
without the sensitive right) and writes a security record of every question and its answer. The number
travels in a POST body, never in a URL that access logs keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at, has_anywhere
from yinling.orgs.models import Org
from yinling.registry import idcard, search_guard
from yinling.registry.filters import masked_query
from yinling.registry.models import Retiree


class FindForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("ID number"), max_length=40, help_text=gettext_lazy("18 characters (or 15 for old numbers)")
    )

    def clean_id_number(self) -> str:
        try:
            return idcard.parse(self.cleaned_data["id_number"]).number
        except idcard.IdNumberError as exc:
            raise forms.ValidationError(_("This is not a valid ID number: %(why)s.") % {"why": exc}) from None


@dataclass(frozen=True)
class Finding:
    # "none"; "yours" (in the user's area: a link); "deleted" (in the user's area, deleted: who can restore
    # it); "elsewhere" (outside: the managing org only, never the person)
    answer: str
    retiree: Retiree | None = None
    org: Org | None = None


def may_find(user: Any) -> bool:
    return has_anywhere(user, Retiree, "add") or has_anywhere(user, Retiree, "import")


def find_registration(*, by: Any, number: str) -> Finding:
    """The registration of a whole, valid ID number as `by` may be told it; audited, and limited
    (search_guard) like any search by a whole number. Refused beyond the limit."""
    if not may_find(by):
        raise PermissionDenied
    search_guard.check(by, number, "duplicate")
    from yinling.core.crypto import keyed_hash

    found = Retiree.objects.unrestricted().select_related("org").filter(id_hash=keyed_hash(number, "id")).first()
    if found is None:
        finding = Finding("none")
    elif can_at(by, Retiree, "view", found.org.path):
        finding = Finding("deleted" if found.is_deleted else "yours", retiree=found, org=found.org)
    else:
        finding = Finding("elsewhere", org=found.org)
    shown = masked_query(number)
    record(
        AuditRecord.Action.SECURITY,
        object_type="registry.retiree",
        object_id=str(found.pk) if found else "",
        object_repr=shown,
        org_path=getattr(getattr(by, "org", None), "path", "") or "",
        actor=by,
        extra={
            "filters": {"id_number": shown},
            "via": "duplicate",
            "answer": finding.answer,
            "org": finding.org.code if finding.org else "",
        },
    )
    return finding


@login_required
def find(request: HttpRequest) -> HttpResponse:
    if not may_find(request.user):
        raise PermissionDenied
    form = FindForm(request.POST or None)
    finding: Finding | None = None
    if request.method == "POST" and form.is_valid():
        try:
            finding = find_registration(by=request.user, number=form.cleaned_data["id_number"])
        except Refused as exc:
            form.add_error("id_number", exc.message)
    return render(request, "registry/find_registration.html", {"form": form, "finding": finding})
