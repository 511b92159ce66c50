"""The registry's columns, as sheets (template, import, export), forms and the API see them.

One list drives the template's headers and drop-downs, the import's header matching
(with the aliases real sheets use), and the export, so an export re-imports unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from yinling.registry import choices


@dataclass(frozen=True)
class Column:
    key: str  # model field (or pseudo-field such as org_code)
    header: str  # the template's header
    kind: str = "text"  # text, id, date, month, phone, choice, multi, bool, ethnic, org
    required: bool = False
    enum: type[models.TextChoices] | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    sensitive: bool = False
    max_length: int = 0
    help: str = ""


COLUMNS: list[Column] = [
    Column(
        "org_code",
        "管理单位代码",
        "org",
        aliases=("单位代码", "管理单位编码", "所属单位代码"),
        help="管理单位的代码，如 330106；留空则用导入时指定的单位",
    ),
    Column("name", "姓名", required=True, max_length=50, aliases=("名字", "干部姓名")),
    Column(
        "id_number",
        "身份证号",
        "id",
        required=True,
        sensitive=True,
        aliases=("身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码", "身份证件号码"),
    ),
    Column("gender", "性别", "choice", enum=choices.Gender, help="留空则按身份证号推算"),
    Column("birth_date", "出生日期", "date", aliases=("出生年月", "出生时间"), help="留空则按身份证号推算"),
    Column(
        "category",
        "离退休类别",
        "choice",
        required=True,
        enum=choices.Category,
        aliases=("类别", "离休/退休", "离退休", "人员类别"),
    ),
    Column("ethnic", "民族", "ethnic"),
    Column("former_name", "曾用名", max_length=50),
    Column("native_place", "籍贯", max_length=50),
    Column("education", "学历", "choice", enum=choices.Education, aliases=("文化程度",)),
    Column("political", "政治面貌", "choice", enum=choices.Political),
    Column("party_joined", "入党时间", "month", aliases=("入党年月",)),
    Column("work_started", "参加工作时间", "month", aliases=("参加工作年月", "工作时间")),
    Column("retired_on", "离退休时间", "month", aliases=("离退休年月", "退休时间", "离休时间")),
    Column("former_unit", "原单位", max_length=100, aliases=("原工作单位",)),
    Column("former_post", "原职务", max_length=100, aliases=("职务",)),
    Column("rank", "职级", max_length=50),
    Column("treatment_level", "现享受待遇级别", max_length=50, aliases=("待遇级别", "享受待遇")),
    Column("treatment_document", "待遇批准文号", max_length=100, aliases=("批准文号",)),
    Column("placement", "安置地", "choice", enum=choices.Placement, aliases=("安置方式",)),
    Column("address", "居住地址", sensitive=True, aliases=("住址", "家庭住址", "现住址")),
    Column("community", "所在街道社区", max_length=100, aliases=("所在社区", "街道社区", "社区")),
    Column("phone", "联系电话", "phone", sensitive=True, aliases=("电话", "手机", "手机号", "手机号码", "联系方式")),
    Column("health", "健康状况", "choice", enum=choices.Health, aliases=("身体状况",)),
    Column("health_notes", "健康详情", sensitive=True, aliases=("病史", "健康说明")),
    Column("living", "居住情况", "choice", enum=choices.Living),
    Column("disabled", "是否失能", "bool", aliases=("失能",)),
    Column(
        "special_flags",
        "特殊人群标识",
        "multi",
        enum=choices.SpecialFlag,
        aliases=("特殊人群",),
        help="多个用顿号、逗号分隔",
    ),
    Column("skills", "特长爱好", max_length=200, aliases=("特长",)),
    Column(
        "contributions",
        "发挥作用情况",
        "multi",
        enum=choices.Contribution,
        aliases=("发挥作用",),
        help="多个用顿号、逗号分隔",
    ),
    Column("honours", "荣誉", aliases=("获得荣誉", "荣誉称号")),
    Column("status", "状态", "choice", enum=choices.Status, aliases=("人员状态",), help="在册、离世或迁出；留空为在册"),
    Column("deceased_on", "离世日期", "date", aliases=("去世日期", "逝世日期")),
]

BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
SENSITIVE_KEYS = {c.key for c in COLUMNS if c.sensitive}


def status_labels() -> dict[str, str]:
    return {"在册": choices.Status.ACTIVE, "离世": choices.Status.DECEASED, "迁出": choices.Status.MOVED_OUT}
