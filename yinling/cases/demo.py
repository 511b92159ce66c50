"""The demo's service items and cases (`seed_demo`): every built-in item at the province, one county's own item,
and cases in every state across the tree, some past their limit. A retiree with an account in 西湖区 has a
returned 住宅适老化改造 case to fix; `xihu` (西湖区经办人) holds cases at the county step.

Cases are filed and decided through the services (audited, as the staff who act); the dates of the older ones
are then moved back so the on-time figures and the overdue flags have something to show."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yinling.audit.context import acting
from yinling.cases import builtin, services
from yinling.cases.models import Case, ServiceItem
from yinling.core.demo import DEMO_PASSWORD
from yinling.core.refusals import Refused
from yinling.orgs.models import Org
from yinling.registry.models import Retiree

XIHU = "330106"
COUNTY_ITEM = {
    "fields": [
        {"name": "month", "label": "申领月份", "type": "date", "required": True},
        {"name": "bank", "label": "发放银行", "type": "choice", "required": True, "choices": ["农商银行", "工商银行"]},
    ],
    "eligibility": {"categories": [], "min_age": 80, "libraries": []},
    "steps": [{"name": "区局审核", "role": "clerk", "level": "county"}],
    "limit_days": 5,
}


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 200, 190)).save(buffer, format="JPEG")
    return SimpleUploadedFile("卫生间现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def _people(code: str, limit: int, *, with_account: bool = False) -> list[Retiree]:
    org = Org.objects.unrestricted().filter(code=code).first()
    if org is None:
        return []
    qs = Retiree.objects.unrestricted().filter(org__path__under=org.path, is_deleted=False, status="active")
    if with_account:
        qs = qs.filter(account__isnull=False)
    return list(qs.select_related("org", "account").order_by("pk")[:limit])


def _data(item: ServiceItem, n: int) -> dict[str, Any]:
    samples: dict[str, dict[str, Any]] = {
        "hardship_aid": {"year": "2026", "reason": "老伴重病住院，医疗支出较大", "income": "1800", "amount": "4000"},
        "home_adaptation": {
            "area": "如厕洗浴安全",
            "priority": "80周岁以上",
            "address_note": "卫生间无扶手，地面湿滑",
            "agree": True,
        },
        "war_veteran_medical": {"hospital": "浙江省人民医院", "expense": "12680.50"},
        "elevator": {
            "building": "文三路100号3幢2单元",
            "households": "12",
            "took_part": "10",
            "agreed": "9",
            "cost_plan": "按楼层分摊",
        },
        "info_change": {"field": "所在社区", "value": "文新街道", "note": "搬家"},
        "xihu_longevity": {"month": "2026-11-01", "bank": "农商银行"},
    }
    return dict(samples.get(item.code, {}))


def _file(item: ServiceItem, person: Retiree, by: Any) -> Case | None:
    files = {"photo": _photo(), "invoice": _photo()} if item.code in ("home_adaptation", "war_veteran_medical") else {}
    try:
        with acting(by):
            return services.do_file(by=by, item=item, retiree=person, data=_data(item, person.pk), files=files)
    except Refused:
        return None  # not eligible (age, category) or an open case already: skip this one


def _decide(case: Case, by: Any, action: str, comment: str = "") -> Case:
    with acting(by):
        return services.do_decide(by=by, case=case, action=action, comment=comment)


def _age(case: Case, days: int, *, overdue: bool = False) -> None:
    """Move a case's dates back by `days` (demo history); `overdue` puts its due date in the past."""
    filed = timezone.now() - dt.timedelta(days=days)
    due = timezone.localdate() - dt.timedelta(days=2) if overdue else case.due_on
    Case.objects.unrestricted().filter(pk=case.pk).update(filed_at=filed, due_on=due)
    case.events.filter(action="filed").update(at=filed)


def seed_cases(options: dict[str, Any], write: Callable[[str], None]) -> None:
    from yinling.accounts.models import User

    users = {
        u.username: u for u in User.objects.filter(username__in=["zhejiang", "hangzhou", "xihu", "ningbo", "yinzhou"])
    }
    root = Org.objects.unrestricted().filter(code="330000").first()
    if root is None or len(users) < 5:
        write("cases: no demo org tree or staff accounts; skipped")
        return
    made = builtin.load(root)
    xihu_org = Org.objects.unrestricted().get(code=XIHU)
    if not ServiceItem.objects.unrestricted().filter(code="xihu_longevity").exists():
        with acting(users["zhejiang"]):
            services.do_define_item(
                by=users["zhejiang"],
                org=xihu_org,
                code="xihu_longevity",
                name="西湖区高龄津贴申领",
                definition=COUNTY_ITEM,
            )
    items = {i.code: i for i in ServiceItem.objects.unrestricted().select_related("current")}
    write(f"cases: {len(items)} service items ({made} built-in new), catalogue of external services")
    if Case.objects.unrestricted().exists():
        write("  cases: demo cases exist already; left as they are")
        _print(write)
        return
    _seed(items, users)
    _print(write)


def _seed(items: dict[str, ServiceItem], users: dict[str, Any]) -> None:
    xihu, hangzhou, yinzhou, ningbo = users["xihu"], users["hangzhou"], users["yinzhou"], users["ningbo"]
    # The retiree who fixes a returned home-adaptation case: an 西湖区 account, 60 or older.
    with_account = [p for p in _people(XIHU, 200, with_account=True) if p.age >= 60]
    if with_account:
        me = with_account[0]
        case = _file(items["home_adaptation"], me, me.account)
        if case is not None:
            _decide(case, xihu, "return", "请补拍卫生间全景照片，并写明需安装扶手的位置。")
    people = [p for p in _people(XIHU, 60) if not with_account or p.pk != with_account[0].pk]
    order = ["hardship_aid", "elevator", "info_change", "home_adaptation", "xihu_longevity", "war_veteran_medical"]
    for i, person in enumerate(people[:36]):
        item = items[order[i % len(order)]]
        case = _file(item, person, xihu)  # 代办 by the county clerk
        if case is None:
            continue
        kind = i % 6
        if kind in (0, 1):  # waiting at the county step (xihu's queue), one of them overdue
            _age(case, 12, overdue=kind == 0)
        elif kind == 2:  # completed through every step
            _age(case, 20)
            while case.status == Case.Status.IN_PROGRESS:
                step = case.current_step or {}
                case = _decide(case, xihu if step.get("level") == "county" else hangzhou, "approve", "同意")
        elif kind == 3:
            _decide(case, xihu, "reject", "经核实不符合申请条件。")
        elif kind == 4 and len(case.item_version.steps) > 1:  # at the city step
            case = _decide(case, xihu, "approve", "材料齐全，报市局")
            _age(case, 9, overdue=i % 12 == 4)
        else:
            _age(case, 3)
    for person in _people("330212", 12):  # 鄞州区: a few across the tree
        case = _file(items["hardship_aid"], person, yinzhou)
        if case is not None and person.pk % 2:
            case = _decide(case, yinzhou, "approve", "同意")
            _decide(case, ningbo, "approve", "同意")


def _print(write: Callable[[str], None]) -> None:
    counts = {s: Case.objects.unrestricted().filter(status=s).count() for s, _label in Case.Status.choices}
    overdue = Case.objects.unrestricted().filter(status="in_progress", due_on__lt=timezone.localdate()).count()
    write(
        "  cases: "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f"; {overdue} past their time limit (run `manage.py sweep_cases` to escalate them)"
    )
    at_county = Case.objects.unrestricted().filter(status="in_progress", step_org__code=XIHU).count()
    write(f"  cases: xihu (西湖区经办人) has {at_county} cases waiting at the county step: /cases/desk/queue/")
    returned = (
        Case.objects.unrestricted()
        .filter(status="returned", item__code="home_adaptation", retiree__account__isnull=False)
        .select_related("retiree__account")
        .first()
    )
    if returned is not None:
        account = returned.retiree.account
        write(
            f"  cases: {account.username} ({returned.retiree.name}, password {DEMO_PASSWORD}) has a returned "
            f"住宅适老化改造 case to fix: /cases/mine/{returned.pk}/"
        )
