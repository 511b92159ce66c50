"""The built-in service items (DOMAIN.md), as data: seeded by `load_service_items` (and the demo) at the
province bureau, offered to the whole tree, then edited on the pages like any other item."""

from __future__ import annotations

from typing import Any

CLERK, ADMIN = "clerk", "bureau_admin"


def _f(
    name: str, label: str, kind: str = "text", required: bool = True, choices: list[str] | None = None
) -> dict[str, Any]:
    return {"name": name, "label": label, "type": kind, "required": required, "choices": choices or []}


def _s(name: str, role: str, level: str) -> dict[str, str]:
    return {"name": name, "role": role, "level": level}


ITEMS: list[dict[str, Any]] = [
    {
        "code": "hardship_aid",
        "name": "困难帮扶",
        "definition": {
            "fields": [
                _f("year", "申请年度", "number"),
                _f("reason", "困难情况说明"),
                _f("income", "家庭月人均收入（元）", "money"),
                _f("amount", "申请金额（元，每人每年3000–5000）", "money"),
                _f("proof", "困难证明材料", "file", required=False),
            ],
            "eligibility": {"categories": [], "min_age": 0, "libraries": []},
            "documents": ["困难情况证明", "身份证复印件"],
            # Applied for by the retiree, their spouse or former unit; decided by the county, approved by the city.
            "steps": [_s("县级初审", CLERK, "county"), _s("市局审批", ADMIN, "city")],
            "limit_days": 15,
        },
    },
    {
        "code": "home_adaptation",
        "name": "住宅适老化改造",
        "definition": {
            "fields": [
                _f(
                    "area",
                    "改造项目",
                    "choice",
                    choices=["如厕洗浴安全", "室内行走便利", "居家环境改善", "智能安全监护", "辅助器具适配"],
                ),
                _f(
                    "priority",
                    "优先对象",
                    "choice",
                    choices=["低保家庭", "低保边缘家庭", "失能或部分失能", "80周岁以上", "其他"],
                ),
                _f("address_note", "需改造的房屋情况"),
                _f("photo", "现场照片", "file"),
                _f("agree", "同意入户勘察", "yesno"),
            ],
            "eligibility": {"categories": [], "min_age": 60, "libraries": []},
            "documents": ["现场照片", "低保或困难证明（如有）"],
            "steps": [
                _s("申请受理", CLERK, "county"),
                _s("入户勘察", CLERK, "county"),
                _s("施工改造", CLERK, "county"),
                _s("竣工验收", ADMIN, "city"),
                _s("补助拨付", ADMIN, "city"),
            ],
            "limit_days": 20,
        },
    },
    {
        "code": "war_veteran_medical",
        "name": "抗战时期离休干部医疗待遇",
        "definition": {
            "fields": [
                _f("hospital", "就诊医院"),
                _f("expense", "医疗费用（元）", "money"),
                _f("invoice", "费用票据", "file"),
            ],
            "eligibility": {"categories": ["lixiu"], "min_age": 0, "libraries": []},
            "documents": ["医疗费用票据", "离休证"],
            "steps": [_s("县级审核", CLERK, "county"), _s("市局审批", ADMIN, "city")],
            "limit_days": 10,
        },
    },
    {
        "code": "elevator",
        "name": "加装电梯",
        "definition": {
            "fields": [
                _f("building", "楼幢地址"),
                _f("households", "本单元总户数", "number"),
                _f("took_part", "参与表决户数（须达三分之二）", "number"),
                _f("agreed", "同意户数（须达参与户数四分之三）", "number"),
                _f("cost_plan", "费用分摊方案"),
                _f("agreement", "业主协议书", "file", required=False),
            ],
            "eligibility": {"categories": [], "min_age": 0, "libraries": []},
            "documents": ["业主表决书", "费用分摊协议", "设计方案"],
            "steps": [
                _s("社区受理", CLERK, "county"),
                _s("公示（10–20日）", CLERK, "county"),
                _s("规划与图审", ADMIN, "city"),
                _s("竣工验收与登记", ADMIN, "city"),
            ],
            "limit_days": 30,
        },
    },
    {
        "code": "info_change",
        "name": "信息变更",
        "definition": {
            "fields": [
                _f("field", "要变更的信息", "choice", choices=["联系电话", "居住地址", "所在社区", "特长爱好"]),
                _f("value", "变更后的内容"),
                _f("note", "说明", required=False),
            ],
            "eligibility": {"categories": [], "min_age": 0, "libraries": []},
            "documents": [],
            "steps": [_s("县级审核", CLERK, "county")],
            "limit_days": 5,
            "applies": "info_change",
        },
    },
]

EXTERNAL = [
    ("浙里办 智慧医疗", "https://www.zjzwfw.gov.cn/", "预约挂号、检查报告查询", 10),
    ("浙江省医保服务", "https://ybj.zj.gov.cn/", "医保缴费与报销查询", 20),
    ("浙里养", "https://www.zjzwfw.gov.cn/", "养老服务机构与补贴", 30),
    ("国家政务服务平台", "https://gjzwfw.www.gov.cn/", "社保、公积金等全国通办", 40),
]


def load(root_org: Any, write: Any = None) -> int:
    """Create the built-in items at `root_org` and the external links when missing (idempotent); returns how
    many items were created. Written directly (a deployment step, not a person's action) and audited."""
    from django.db import transaction

    from yinling.audit.models import AuditRecord
    from yinling.audit.services import record
    from yinling.cases import definition as spec
    from yinling.cases.models import ExternalService, ServiceItem, ServiceItemVersion

    made = 0
    with transaction.atomic():
        for entry in ITEMS:
            if ServiceItem.objects.unrestricted().filter(code=entry["code"]).exists():
                continue
            item = ServiceItem.objects.create(code=entry["code"], name=entry["name"], org=root_org)
            item.current = ServiceItemVersion.objects.create(
                item=item, number=1, definition=spec.check(entry["definition"])
            )
            item.save(update_fields=["current"])
            record(AuditRecord.Action.CREATE, item, extra={"event": "item_defined", "item_version": 1})
            made += 1
        if not ExternalService.objects.exists():
            for name, url, description, order in EXTERNAL:
                ExternalService.objects.create(name=name, url=url, description=description, order=order)
    return made
