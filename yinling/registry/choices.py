"""Enumerations of the registry. Codes are stable (stored, in the API); labels are what sheets show."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ACTIVE = "active", _("On register")  # 在册
    DECEASED = "deceased", _("Deceased")  # 离世
    MOVED_OUT = "moved_out", _("Moved out")  # 迁出


class Category(models.TextChoices):
    LIXIU = "lixiu", "离休"
    TUIXIU = "tuixiu", "退休"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专"
    HIGH_SCHOOL = "high_school", "高中"
    JUNIOR = "junior", "初中"
    PRIMARY = "primary", "小学及以下"


class Political(models.TextChoices):
    CPC = "cpc", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    DEMOCRATIC = "democratic", "民主党派"
    NONE = "none", "群众"


class Placement(models.TextChoices):
    LOCAL = "local", "属地"
    REMOTE = "remote", "异地"


class Health(models.TextChoices):
    GOOD = "good", "健康"
    FAIR = "fair", "一般"
    CHRONIC = "chronic", "慢性病"
    SERIOUS = "serious", "重病"


class Living(models.TextChoices):
    ALONE = "alone", "独居"
    EMPTY_NEST = "empty_nest", "空巢"
    WITH_CHILDREN = "with_children", "与子女同住"
    CARE_HOME = "care_home", "养老机构"
    OTHER = "other", "其他"


class SpecialFlag(models.TextChoices):
    HARDSHIP = "hardship", "困难"
    LOST_ONLY_CHILD = "lost_only_child", "失独"
    WIDOWED = "widowed", "丧偶"
    SERIOUS_ILLNESS = "serious_illness", "重病"
    FORMER_LEADER = "former_leader", "老领导"
    MODEL_WORKER = "model_worker", "劳模"
    VETERAN = "veteran", "退役军人"


class Contribution(models.TextChoices):
    VOLUNTEER = "volunteer", "志愿服务"
    NEXT_GENERATION = "next_generation", "关心下一代"
    GRASSROOTS = "grassroots", "基层治理"
    LECTURE = "lecture", "理论宣讲"
    CULTURE = "culture", "文化养老"
    SILVER_TALENT = "silver_talent", "银色人才"
    PARTY_BRANCH = "party_branch", "支部工作"


@cache
def ethnic_choices() -> list[tuple[str, str]]:
    """GB/T 3304 codes ("01" 汉族 … "56" 基诺族)."""
    path = Path(__file__).resolve().parent / "data" / "ethnic-groups.csv"
    with path.open(encoding="utf-8") as fh:
        return [(row["code"], row["name"]) for row in csv.DictReader(fh)]


def label_map(choices: type[models.TextChoices]) -> dict[str, str]:
    """Label (as sheets show it) → code."""
    return {str(label): value for value, label in choices.choices}
