"""Synthetic retirees for the demo and for benchmarks: realistic, deterministic, valid ID numbers.

`seed_demo --retirees N` (5,000 by default) tops the registry up to N people spread over
the demo tree's units, stations and county bureaus; the first 1,000 get accounts
r00001 … r01000 (password Yinling@2020; their phone numbers sign in too).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from yinling.core.demo import DEMO_PASSWORD
from yinling.orgs.models import Org
from yinling.registry import choices, idcard
from yinling.registry.models import FamilyContact, Retiree

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_CHARS = "国建明华志伟军强平文永春德海林荣宏刚峰斌庆卫忠祥宝生福长兴良成学光"
FEMALE_CHARS = "秀英华玉兰芳珍凤丽红梅琴霞云莲桂娟萍敏静素美慧淑"
UNITS = (
    "省财政厅",
    "省教育厅",
    "市人民政府办公室",
    "县委组织部",
    "市卫生健康委",
    "县交通运输局",
    "市公安局",
    "省农业农村厅",
    "市总工会",
    "县人民法院",
    "市文化广电旅游局",
    "县水利局",
)
POSTS = ("处长", "副处长", "科长", "副局长", "局长", "主任", "副主任", "调研员", "科员", "副县长", "书记")
RANKS = ("正厅级", "副厅级", "正处级", "副处级", "正科级", "副科级", "科员")
SKILLS = ("书法", "太极拳", "摄影", "合唱", "象棋", "园艺", "绘画", "诗词", "乒乓球", "智能手机")
STREETS = ("文三路", "保俶路", "解放路", "中山北路", "延安路", "人民路", "南山路", "学院路")
RELATIONS = (("配偶", 0.8), ("儿子", 0.6), ("女儿", 0.6))


BIRTH_FROM = dt.date(1931, 1, 1)
BIRTH_SPAN_DAYS = (dt.date(1966, 1, 1) - BIRTH_FROM).days  # coprime with 7,919


def _name(rng: random.Random, gender: str) -> str:
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def make_retiree(i: int, org: Org, region: str) -> tuple[Retiree, list[FamilyContact]]:
    rng = random.Random(i * 7919 + 17)  # noqa: S311 - synthetic demo data, not secrets
    # Birth date and ID sequence are a bijection of i, so ID numbers never collide
    # (up to 6 million people): the date walks the span in a scattered order.
    birth = BIRTH_FROM + dt.timedelta(days=(i * 7_919) % BIRTH_SPAN_DAYS)
    lixiu = birth.year <= 1932 and rng.random() < 0.55
    gender = "M" if rng.random() < (0.8 if lixiu else 0.55) else "F"
    sequence = 2 * ((i // BIRTH_SPAN_DAYS) % 500) + (1 if gender == "M" else 0)
    if lixiu:
        started = dt.date(rng.randint(max(birth.year + 14, 1944), 1949), rng.randint(1, 9), 1)
    else:
        started = dt.date(birth.year + rng.randint(17, 24), rng.randint(1, 12), 1)
    retired = dt.date(birth.year + (60 if gender == "M" else 55), birth.month, 1)
    party = rng.random() < 0.7
    flags = [
        f
        for f, p in (
            ("hardship", 0.05),
            ("widowed", 0.08),
            ("former_leader", 0.06),
            ("serious_illness", 0.04),
            ("veteran", 0.05),
        )
        if rng.random() < p
    ]
    contributions = [
        c
        for c, p in (("volunteer", 0.25), ("silver_talent", 0.12), ("next_generation", 0.1), ("culture", 0.15))
        if rng.random() < p
    ]
    deceased = rng.random() < 0.03 and not lixiu
    age = 2026 - birth.year
    r = Retiree(
        org=org,
        category=choices.Category.LIXIU if lixiu else choices.Category.TUIXIU,
        name=_name(rng, gender),
        gender=gender,
        ethnic="01" if rng.random() < 0.97 else rng.choice(["03", "04", "05", "08", "12"]),
        native_place=rng.choice(("浙江杭州", "浙江宁波", "浙江绍兴", "江苏苏州", "山东济南", "安徽合肥", "浙江温州")),
        birth_date=birth,
        id_number=idcard.make(region, birth, sequence, gender),
        education=rng.choice(list(choices.Education.values)),
        political=choices.Political.CPC if party else rng.choice(["democratic", "none", "none"]),
        party_joined=_month(dt.date(started.year + rng.randint(0, 10), rng.randint(1, 12), 1)) if party else "",
        work_started=_month(started),
        retired_on=_month(retired),
        former_unit=rng.choice(UNITS),
        former_post=rng.choice(POSTS),
        rank=rng.choice(RANKS),
        treatment_level=rng.choice(RANKS),
        treatment_document=f"浙组干〔{retired.year}〕{rng.randint(1, 99)}号" if rng.random() < 0.3 else "",
        placement=choices.Placement.LOCAL if rng.random() < 0.9 else choices.Placement.REMOTE,
        address=(
            f"{org.name[:3]}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
            f"{rng.randint(1, 20)}幢{rng.randint(101, 1802)}室"
        ),
        community=f"{rng.choice(STREETS)}社区",
        phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        health=rng.choice(
            ["good", "good", "fair", "chronic", "serious"] if age < 85 else ["fair", "chronic", "serious"]
        ),
        health_notes=rng.choice(["", "", "高血压", "糖尿病", "冠心病", "关节炎"]),
        living=rng.choice(
            ["with_children", "empty_nest", "empty_nest", "alone", "care_home"]
            if age > 80
            else ["with_children", "empty_nest", "empty_nest", "other"]
        ),
        disabled=age > 85 and rng.random() < 0.3,
        special_flags=flags,
        skills="、".join(rng.sample(SKILLS, rng.randint(0, 2))),
        contributions=contributions,
        honours="全国离退休干部先进个人" if rng.random() < 0.01 else "",
        status=choices.Status.DECEASED if deceased else choices.Status.ACTIVE,
        deceased_on=dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)) if deceased else None,
    )
    r.refresh_derived()
    contacts: list[FamilyContact] = []
    for relation, p in RELATIONS:
        if rng.random() < p:
            c = FamilyContact(
                relation=relation,
                name=_name(rng, "F" if relation in ("配偶", "女儿") and gender == "M" else "M"),
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                is_emergency=not contacts,
            )
            from yinling.core.crypto import mask_phone

            c.phone_masked = mask_phone(c.phone)
            contacts.append(c)
    return r, contacts


def _leaf_orgs() -> list[tuple[Org, str]]:
    # The demo tree's own bureaus, units and stations (330106, 330106U01, 330106S02): not the orgs other
    # modules' seeders add under them (a school and its sites), so a later top-up puts nobody there.
    orgs = list(
        Org.objects.filter(
            kind__in=["unit", "station", "county_bureau"], code__regex=r"^[0-9]{6}([US][0-9]{2})?$"
        ).order_by("path")
    )
    return [(o, (o.division_id or o.code[:6])[:6]) for o in orgs]


def generate(start: int, count: int, chunk: int = 5000) -> Iterator[int]:
    """Create retirees number start+1 … start+count in chunks; yields how many each chunk added."""
    leaves = _leaf_orgs()
    if not leaves:
        return
    for lo in range(start, start + count, chunk):
        hi = min(lo + chunk, start + count)
        people, contacts = [], []
        for i in range(lo + 1, hi + 1):
            org, region = leaves[i % len(leaves)]
            r, cs = make_retiree(i, org, region)
            people.append(r)
            contacts.append(cs)
        with transaction.atomic():
            Retiree.objects.bulk_create(people, batch_size=1000)
            links = []
            for r, cs in zip(people, contacts, strict=True):
                for c in cs:
                    c.retiree_id = r.pk
                    links.append(c)
            FamilyContact.objects.bulk_create(links, batch_size=2000)
        yield hi - lo


PARALLEL_FROM = 100_000


def _generate_in_parallel(start: int, count: int, workers: int = 2) -> None:
    """Large seeds (1,000,000 for benchmarks) on PostgreSQL: one process per core, each its own range.

    Building and encrypting rows costs as much as inserting them, so two processes
    halve the time on this 2-core machine. SQLite allows one writer, so it stays serial.
    """
    import multiprocessing

    from django.db import connections

    connections.close_all()
    share = -(-count // workers)
    ctx = multiprocessing.get_context("fork")
    procs = [
        ctx.Process(target=_worker, args=(start + n * share, min(share, count - n * share)))
        for n in range(workers)
        if count - n * share > 0
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"a seeding process failed (exit code {proc.exitcode})")


def _worker(start: int, count: int) -> None:
    from django.db import connections

    connections.close_all()
    for _added in generate(start, count):
        pass
    connections.close_all()


def seed_retirees(options: dict[str, Any], write: Callable[[str], None]) -> None:
    target = options.get("retirees")
    if target is None:
        target = 5000
    existing = Retiree.objects.count()
    missing = target - existing

    def finish() -> None:
        write(f"retirees: {max(target - existing, 0)} new, {Retiree.objects.count()} in all")
        open_demo_accounts(min(1000, target), write)

    if missing >= PARALLEL_FROM and connection.vendor == "postgresql":
        # The worker processes must see the org tree, which seed_demo creates in the same
        # transaction, and closing the connections before forking would break that open
        # transaction: so they start once it has committed (at once outside a transaction).
        def parallel() -> None:
            _generate_in_parallel(existing, missing)
            finish()

        transaction.on_commit(parallel)
        return
    if missing > 0:
        for _added in generate(existing, missing):
            pass
    finish()


def open_demo_accounts(n: int, write: Callable[[str], None]) -> None:
    from yinling.accounts.models import User

    have = set(User.objects.filter(username__startswith="r", kind="retiree").values_list("username", flat=True))
    # One PBKDF2 hash for all demo accounts: hashing 1,000 passwords one by one takes minutes.
    hashed = make_password(DEMO_PASSWORD)
    created = 0
    for index, r in enumerate(Retiree.objects.order_by("id")[:n], 1):
        username = f"r{index:05d}"
        if username in have or r.account_id:
            continue
        user = User.objects.create(
            username=username, password=hashed, kind="retiree", full_name=r.name, org=r.org, elder_mode=True
        )
        Retiree.objects.filter(pk=r.pk).update(account=user)
        created += 1
    write(f"retiree accounts: {created} new (r00001 … r{n:05d}, password {DEMO_PASSWORD})")
