"""A case's record as PDF (core/pdf.py): the applicant (or their relative, or staff acting for them) gets their
own; staff need cases.export_case on the case (the PDF is an export, as the spreadsheet is). The values are the
pages' own (a 信息变更's phone or address stays masked)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from yinling.cases.models import Case
from yinling.core.pdf import render_pdf
from yinling.core.scoping import get_scoped_or_404


def _pdf(request: HttpRequest, case: Case) -> HttpResponseBase:
    labels = {f["name"]: f["label"] for f in case.item_version.fields}
    return render_pdf(
        request,
        "cases/case_pdf.html",
        {
            "case": case,
            "values": [(labels.get(k, k), v) for k, v in case.data.items()],
            "events": list(case.events.all()),
        },
        title=case.item.name,
        filename=f"办件-{case.item.name}-{case.pk}.pdf",
        fallback_filename=f"case-{case.pk}.pdf",
        org=case.step_org or case.org,
        object_type="cases.case",
        extra={"retiree": case.retiree_id},
    )


@login_required
@require_GET
def case_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = get_scoped_or_404(
        Case.objects.select_related("item", "item_version", "retiree", "org", "step_org"), request.user, "export", pk=pk
    )
    return _pdf(request, case)


@login_required
@require_GET
def mine_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    from yinling.cases.views_member import _my_case

    case, _who = _my_case(request, pk)
    return _pdf(request, case)
