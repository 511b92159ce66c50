"""Schools, sites, terms, courses, sections and applicants for the campus tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from yinling.accounts.models import User
from yinling.campus.models import Course, School, Section, Site, Slot, Term
from yinling.campus.services.draw import new_seed
from yinling.orgs.models import Org
from yinling.registry import idcard
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree
from yinling.testing.personas import PASSWORD

_counter = itertools.count(90_000)
_orgs = itertools.count(1)


def school(org: Org, **rules: Any) -> School:
    return School.objects.create(org=org, name=f"{org.name}老年大学", **rules)


def site(school_: School, *, org: Org | None = None, name: str = "", lat: str = "30.259", lng: str = "120.130") -> Site:
    if org is None:
        n = next(_orgs)
        org = Org.objects.create(
            code=f"{school_.org.code}X{n:02d}", name=name or f"教学点{n}", kind=Org.Kind.STATION, parent=school_.org
        )
    return Site.objects.create(
        org=org, school=school_, name=name or org.name, latitude=Decimal(lat), longitude=Decimal(lng)
    )


def term(school_: School, *, mode: str = Term.Mode.FIRST_COME, open_now: bool = True, **values: Any) -> Term:
    now = timezone.now()
    seed, digest = new_seed()
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "name": "2027年春季学期",
        "starts": today + dt.timedelta(days=30),
        "ends": today + dt.timedelta(days=150),
        "apply_from": now - dt.timedelta(days=1) if open_now else now + dt.timedelta(days=1),
        "apply_until": now + dt.timedelta(days=7) if open_now else now + dt.timedelta(days=8),
        "mode": mode,
    }
    defaults.update(values)
    return Term.objects.create(school=school_, seed=seed, seed_sha256=digest, **defaults)


def course(school_: School, name: str = "书法入门", category: str = "calligraphy", **values: Any) -> Course:
    return Course.objects.create(school=school_, name=name, category=category, **values)


def section(
    term_: Term,
    site_: Site,
    course_: Course | None = None,
    *,
    capacity: int = 2,
    slots: tuple[tuple[int, str, str], ...] = ((1, "09:00", "11:00"),),
    **values: Any,
) -> Section:
    made = Section.objects.create(
        course=course_ or course(term_.school), term=term_, site=site_, capacity=capacity, **values
    )
    for weekday, start, end in slots:
        Slot.objects.create(
            section=made, weekday=weekday, start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end)
        )
    return made


def person(org: Org, *, age: int = 66, gender: str = "F", with_account: bool = True, **fields: Any) -> Retiree:
    retiree, _contacts = make_retiree(next(_counter), org, (org.division_id or "330106")[:6])
    today = timezone.localdate()
    retiree.birth_date = dt.date(today.year - age, 1, 1)
    retiree.gender = gender
    retiree.id_number = idcard.make(
        (org.division_id or "330106")[:6], retiree.birth_date, 200 + next(_counter) % 300, gender
    )
    retiree.status, retiree.deceased_on = "active", None
    for key, value in fields.items():
        setattr(retiree, key, value)
    retiree.save()
    if with_account:
        user = User.objects.create_user(
            username=f"c{retiree.pk:06d}",
            password=PASSWORD,
            kind=User.Kind.RETIREE,
            full_name=retiree.name,
            org=retiree.org,
            elder_mode=True,
        )
        Retiree.objects.filter(pk=retiree.pk).update(account=user)
        retiree.account = user
    return retiree
