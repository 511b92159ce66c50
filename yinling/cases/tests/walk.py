"""The cases app's objects for the URL walk (core/tests/test_url_walk.py): an item offered at the province,
a case of the persona retiree waiting at county A1's step, and one of its attachments (not on disk: 404)."""

from __future__ import annotations

from typing import Any

from yinling.cases.models import CaseAttachment
from yinling.cases.services import do_file
from yinling.cases.tests import factories as f


def walk_objects(cast: Any) -> dict[str, Any]:
    item = f.item(cast.tree.province, code="walk_aid")
    case = do_file(by=cast.clerk, item=item, retiree=cast.retiree_record, data={"reason": "走访发现困难"})
    attachment = CaseAttachment.objects.create(
        case=case, field="proof", file="cases/none.png", name="x.png", kind="png"
    )
    return {"cases_item": item, "cases_case": case, "cases_attachment": attachment}
