"""The services' rules: refusals, campaign lists by rule, assigning, campaign visits, 一人一策 and its overdue
reviews, and the audit record each action writes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yinling.audit.models import AuditRecord
from yinling.care.models import CampaignTarget, CarePlan, Plan1P1C, Visit
from yinling.care.services import campaigns, plans, policies, visits
from yinling.care.tests.factories import campaign_at, person, plan_for, policy_for, visit_to
from yinling.core.refusals import Refused
from yinling.testing.personas import Cast, make_user


def events(obj: object) -> list[str]:
    return [
        r.extra.get("event", "")
        for r in AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))  # type: ignore[attr-defined]
    ]


def test_it_records_a_visit_and_audits_it(cast: Cast) -> None:
    who = person(cast.tree.unit_a)
    visit = visit_to(cast.clerk, who, "home", given="米、油", needs="想学书法", follow_up="联系老年大学")
    assert events(visit) == ["care_visit"]
    plan = CarePlan.objects.unrestricted().get(retiree=who)
    assert plan.last_visit_on == timezone.localdate()
    assert events(plan) == ["care_plan_opened"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"visited_on": "future"}, "invalid"),
        ({"visited_on": "old"}, "invalid"),
        ({"visitors": "   "}, "invalid"),
        ({"kind": "teleport"}, "invalid"),
    ],
)
def test_it_refuses_bad_visits(cast: Cast, change: dict[str, str], code: str) -> None:
    who = person(cast.tree.unit_a)
    today = timezone.localdate()
    values = {"kind": "home", "visited_on": today, "visitors": "王科长"}
    values.update(change)
    if values["visited_on"] == "future":
        values["visited_on"] = today + dt.timedelta(days=1)
    if values["visited_on"] == "old":
        values["visited_on"] = today - dt.timedelta(days=400)
    with pytest.raises(Refused) as exc:
        visits.do_record_visit(by=cast.clerk, retiree=who, **values)  # type: ignore[arg-type]
    assert exc.value.code == code
    assert not Visit.objects.unrestricted().filter(retiree=who).exists()


def test_it_refuses_the_same_visit_twice_and_the_deceased(cast: Cast) -> None:
    who = person(cast.tree.unit_a)
    visit_to(cast.clerk, who)
    with pytest.raises(Refused) as exc:
        visit_to(cast.clerk, who)
    assert exc.value.code == "duplicate"
    visit_to(cast.clerk, who, "phone")  # another kind the same day is fine
    gone = person(cast.tree.unit_a, status="deceased", deceased_on=dt.date(2020, 1, 1))
    with pytest.raises(Refused) as exc:
        visit_to(cast.clerk, gone)
    assert exc.value.code == "not_eligible"


def test_it_refuses_a_photo_that_is_not_a_picture(cast: Cast) -> None:
    who = person(cast.tree.unit_a)
    fake = SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")
    with pytest.raises(Refused) as exc:
        visit_to(cast.clerk, who, photo=fake)
    assert exc.value.code == "invalid"


def test_it_keeps_a_real_photo(cast: Cast, settings: object, tmp_path: object) -> None:
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    visit = visit_to(cast.clerk, person(cast.tree.unit_a), photo=photo)
    assert visit.photo.name.startswith("care/visits/")


def test_it_refuses_staff_without_the_right_or_outside(cast: Cast) -> None:
    who = person(cast.tree.unit_a)
    for user in (cast.leader, cast.outsider, cast.system_admin, cast.retiree):
        with pytest.raises(PermissionDenied):
            visit_to(user, who)


def test_it_refuses_a_stale_plan_and_a_worker_who_may_not_visit(cast: Cast) -> None:
    who = person(cast.tree.unit_a)
    plan = plan_for(cast.bureau_admin, who, "key", worker=cast.clerk)
    plans.do_set_plan(by=cast.bureau_admin, retiree=who, risk="high", version=plan.version)
    with pytest.raises(Refused) as exc:
        plans.do_set_plan(by=cast.bureau_admin, retiree=who, risk="normal", version=plan.version)
    assert exc.value.code == "stale"
    for worker in (cast.leader, cast.outsider, cast.retiree):
        with pytest.raises(Refused) as exc:
            plans.do_set_plan(by=cast.bureau_admin, retiree=who, risk="high", worker=worker)
        assert exc.value.code == "not_eligible"
    assert CarePlan.objects.unrestricted().get(retiree=who).risk == "high"


def test_it_opens_default_plans_for_an_org(cast: Cast) -> None:
    old = person(cast.tree.unit_a, "高龄", age=92)
    young = person(cast.tree.county_a, "年轻", age=65)
    person(cast.tree.county_b, "外地", age=92)
    created = plans.do_open_default_plans(by=cast.bureau_admin, org=cast.tree.city_a)
    risks = dict(CarePlan.objects.unrestricted().values_list("retiree__name", "risk"))
    assert risks["高龄"] == "high" and risks["年轻"] == "normal" and "外地" not in risks
    assert created == len(risks)
    assert plans.do_open_default_plans(by=cast.bureau_admin, org=cast.tree.city_a) == 0
    assert events(CarePlan.objects.unrestricted().get(retiree=old)) == ["care_plan_opened"]
    assert young.pk


def test_it_builds_a_campaign_list_by_rules(cast: Cast) -> None:
    today = timezone.localdate()
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    leader = person(cast.tree.unit_a, "乙老领导", special_flags=["former_leader"])
    poor = person(cast.tree.county_a, "丙困难", special_flags=["hardship"])
    widow = person(cast.tree.county_a, "丁丧偶", special_flags=["widowed"])
    ill = person(cast.tree.county_a, "戊住院")
    plans.do_record_event(by=cast.clerk, retiree=ill, kind="hospital", happened_at=timezone.now())
    plain = person(cast.tree.county_a, "己普通")
    far = person(cast.tree.county_b, "庚外地", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(
        cast.bureau_admin, cast.tree.city_a, ["lixiu", "former_leader", "hardship", "widowed", "hospitalised"]
    )
    assert campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign) == 5
    found = dict(CampaignTarget.objects.unrestricted().filter(campaign=campaign).values_list("retiree_id", "reasons"))
    assert found == {
        lixiu.pk: "|lixiu|",
        leader.pk: "|former_leader|",
        poor.pk: "|hardship|",
        widow.pk: "|widowed|",
        ill.pk: "|hospitalised|",
    }
    assert plain.pk not in found and far.pk not in found
    assert campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign) == 0  # building again adds nobody
    assert today


def test_it_finds_milestone_birthdays_inside_the_campaign(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        turning = person(cast.tree.unit_a, "八十寿", age=79)  # 80 on 1 January 2027
        person(cast.tree.unit_a, "七十八", age=77)
        campaign = campaign_at(cast.bureau_admin, cast.tree.city_a, ["milestone"])
        campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
        assert list(CampaignTarget.objects.unrestricted().values_list("retiree_id", flat=True)) == [turning.pk]


def test_it_assigns_records_and_closes_a_campaign(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().get(campaign=campaign)
    with pytest.raises(Refused) as exc:
        campaigns.do_assign(by=cast.bureau_admin, targets=[target], worker=cast.leader)
    assert exc.value.code == "not_eligible"
    assert campaigns.do_assign(by=cast.bureau_admin, targets=[target], worker=cast.clerk) == 1
    with pytest.raises(PermissionDenied):
        campaigns.do_assign(by=cast.outsider, targets=[target], worker=cast.clerk)
    visit = visit_to(cast.clerk, lixiu, target=target)
    target.refresh_from_db()
    assert target.visit == visit and target.done_on == visit.visited_on and visit.occasion == "festival"
    with pytest.raises(Refused) as exc:
        visit_to(cast.clerk, lixiu, "talk", target=target)
    assert exc.value.code == "duplicate"
    campaigns.do_close_campaign(by=cast.bureau_admin, campaign=campaign)
    with pytest.raises(Refused) as exc:
        campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    assert exc.value.code == "closed"
    other = person(cast.tree.unit_a, "乙")
    with pytest.raises(Refused) as exc:
        visit_to(cast.clerk, other, target=target)
    assert exc.value.code == "not_eligible"


def test_it_refuses_a_campaign_visit_once_closed(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().get(campaign=campaign)
    campaigns.do_close_campaign(by=cast.bureau_admin, campaign=campaign)
    with pytest.raises(Refused) as exc:
        visit_to(cast.clerk, lixiu, target=target)
    assert exc.value.code == "closed"
    assert not Visit.objects.unrestricted().filter(retiree=lixiu).exists()


@pytest.mark.parametrize(
    ("values", "field_word"),
    [
        ({"name": ""}, "name"),
        ({"ends_on": "before"}, "ends"),
        ({"codes": []}, "Choose"),
        ({"codes": ["aliens"]}, "Choose"),
    ],
)
def test_it_refuses_a_bad_campaign(cast: Cast, values: dict[str, object], field_word: str) -> None:
    today = timezone.localdate()
    args: dict[str, object] = {
        "name": "重阳",
        "kind": "double_ninth",
        "starts_on": today,
        "ends_on": today,
        "codes": ["lixiu"],
    }
    args.update(values)
    if args["ends_on"] == "before":
        args["ends_on"] = today - dt.timedelta(days=1)
    with pytest.raises(Refused) as exc:
        campaigns.do_create_campaign(by=cast.bureau_admin, org=cast.tree.city_a, **args)  # type: ignore[arg-type]
    assert exc.value.code == "invalid"


def test_it_writes_a_policy_only_for_lixiu_cadres_and_refuses_stale_edits(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    with pytest.raises(Refused) as exc:
        policy_for(cast.clerk, person(cast.tree.unit_a, "乙退休"))
    assert exc.value.code == "not_eligible"
    plan = policy_for(cast.clerk, lixiu)
    assert plan.next_review_on > timezone.localdate()
    policies.do_write_policy(by=cast.clerk, retiree=lixiu, needs="新需求", measures="新措施", version=plan.version)
    with pytest.raises(Refused) as exc:
        policies.do_write_policy(by=cast.clerk, retiree=lixiu, needs="旧", measures="旧", version=plan.version)
    assert exc.value.code == "stale"
    with pytest.raises(PermissionDenied):
        policy_for(cast.leader, lixiu)
    assert events(plan) == ["care_policy_written", "care_policy_written"]


def test_it_flags_overdue_reviews_and_a_review_clears_the_flag(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    start = dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(start, tick=False):
        plan = policy_for(cast.clerk, lixiu)
    assert plan.next_review_on == dt.date(2026, 7, 10)
    with time_machine.travel(start + dt.timedelta(days=200), tick=False):
        overdue = Plan1P1C.objects.restrict(cast.clerk).filter(next_review_on__lt=timezone.localdate())
        assert list(overdue) == [plan]
        policies.do_review_policy(by=cast.clerk, plan=plan, notes="情况稳定", version=plan.version)
        plan.refresh_from_db()
        assert plan.next_review_on == dt.date(2027, 1, 29)
        assert not Plan1P1C.objects.restrict(cast.clerk).filter(next_review_on__lt=timezone.localdate()).exists()
        with pytest.raises(Refused) as exc:
            policies.do_review_policy(by=cast.clerk, plan=plan, notes="again", version=1)
        assert exc.value.code == "stale"


def test_a_move_takes_the_plan_along(cast: Cast) -> None:
    from yinling.registry.services import do_transfer

    who = person(cast.tree.unit_a)
    plan_for(cast.bureau_admin, who)
    admin = make_user("provadmin", cast.tree.province, "bureau_admin")
    do_transfer(by=admin, retiree=who, to_org=cast.tree.county_b, reason="异地安置")
    assert CarePlan.objects.unrestricted().get(retiree=who).org == cast.tree.county_b


def test_the_command_opens_plans_in_batches_as_a_user(cast: Cast) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    for i in range(3):
        person(cast.tree.county_a, f"人{i}")
    out = io.StringIO()
    call_command("care_open_plans", "330100", "--as", cast.bureau_admin.username, "--batch", "2", stdout=out)
    assert CarePlan.objects.unrestricted().count() == 5  # the three, and the cast's two
    assert "opened 5" in out.getvalue()
    assert (
        AuditRecord.objects.filter(actor_username=cast.bureau_admin.username, extra__event="care_plan_opened").count()
        == 5
    )
    with pytest.raises(CommandError):
        call_command("care_open_plans", "999999", "--as", cast.bureau_admin.username)
    with pytest.raises(PermissionDenied):
        call_command("care_open_plans", "330100", "--as", cast.leader.username)


def test_the_open_plans_command_ends_with_a_zero_batch(cast: Cast) -> None:
    import io

    from django.core.management import call_command

    for i in range(2):
        person(cast.tree.county_a, f"人{i}")
    out = io.StringIO()
    call_command("care_open_plans", "330100", "--as", cast.bureau_admin.username, "--batch", "0", stdout=out)
    assert "opened 4" in out.getvalue()
    assert CarePlan.objects.unrestricted().count() == 4
