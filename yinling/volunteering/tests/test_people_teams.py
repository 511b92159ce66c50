"""Teams: nesting inside the tree without cycles, joining with the leader's approval (and its notices),
leaving, several teams at once, roles; 五老 pairings with the child's name masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from yinling.core.refusals import Refused
from yinling.notifications.models import Notification
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_user
from yinling.volunteering.models import Membership, Pairing, Team
from yinling.volunteering.services import teams
from yinling.volunteering.tests.people_factories import member, team, volunteer

pytestmark = pytest.mark.django_db


# --- nesting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent_at", "child_at", "ok"),
    [
        ("county_a", "county_a", True),  # the same org
        ("county_a", "unit_a", True),  # an org below
        ("city_a", "unit_a", True),  # two levels below
        ("unit_a", "county_a", False),  # above the parent's org
        ("county_a", "county_b", False),  # another subtree
        ("city_a", "province", False),
    ],
)
def test_it_keeps_a_sub_team_inside_the_parent_teams_subtree(
    cast: Cast, parent_at: str, child_at: str, ok: bool
) -> None:
    admin = make_user("prov", cast.tree.province, "bureau_admin")
    parent = team(getattr(cast.tree, parent_at), "上级队")
    org = getattr(cast.tree, child_at)
    if ok:
        child = teams.do_save_team(by=admin, team=Team(), org=org, parent=parent, name="小分队", kind="community")
        assert child.parent == parent
    else:
        with pytest.raises(Refused) as exc:
            teams.do_save_team(by=admin, team=Team(), org=org, parent=parent, name="小分队", kind="community")
        assert exc.value.code == "nesting"


def test_it_never_forms_a_cycle(cast: Cast) -> None:
    admin = cast.bureau_admin
    top = team(cast.tree.county_a, "区队")
    middle = team(cast.tree.county_a, "街道队", parent=top)
    bottom = team(cast.tree.unit_a, "小分队", parent=middle)
    for new_parent in (top, middle, bottom):  # the top team under itself or anything below it
        with pytest.raises(Refused) as exc:
            teams.do_save_team(by=admin, team=top, org=top.org, parent=new_parent, name=top.name, kind=top.kind)
        assert exc.value.code == "nesting"
    with pytest.raises(Refused):  # the middle team under its own sub-team
        teams.do_save_team(by=admin, team=middle, org=cast.tree.county_a, parent=bottom, name="街道队", kind="general")


def test_it_refuses_to_move_a_team_away_from_its_sub_teams(cast: Cast) -> None:
    top = team(cast.tree.county_a, "区队")
    team(cast.tree.county_a, "小分队", parent=top)
    with pytest.raises(Refused):  # down to the unit, leaving its county-level sub-team above it
        teams.do_save_team(
            by=cast.bureau_admin, team=top, org=cast.tree.unit_a, parent=None, name="区队", kind="general"
        )
    with pytest.raises(Refused):  # deleting it while a sub-team lives
        teams.do_delete_team(by=cast.bureau_admin, team=top)


def test_it_shows_a_nesting_refusal_on_the_form(cast: Cast) -> None:
    top = team(cast.tree.unit_a, "单位队")
    client = login_client(cast.bureau_admin)
    response = client.post(
        "/volunteering/teams/add/",
        {"org": cast.tree.county_a.pk, "name": "区队", "kind": "general", "parent": top.pk},
    )
    assert response.status_code == 200 and Team.objects.count() == 1


# --- joining ---------------------------------------------------------------------------------------


@pytest.fixture
def squad(cast: Cast) -> dict:
    t = team(cast.tree.county_a, "西湖区银龄志愿服务队")
    leader = volunteer(cast.tree.unit_a, name="蔡忠宝", with_account=True)
    deputy = volunteer(cast.tree.unit_a, name="周卫国", with_account=True)
    member(t, leader, Membership.Role.LEADER)
    member(t, deputy, Membership.Role.DEPUTY)
    joiner = volunteer(cast.tree.unit_a, name="林光庆", with_account=True)
    plain = volunteer(cast.tree.unit_a, name="王平", with_account=True)
    member(t, plain)
    return {"team": t, "leader": leader, "deputy": deputy, "joiner": joiner, "plain": plain}


def _user(v):  # type: ignore[no-untyped-def]
    return v.retiree.account


@pytest.mark.parametrize("decider", ["leader", "deputy", "clerk", "bureau_admin"])
def test_it_lets_the_leader_a_deputy_or_staff_approve_a_request(cast: Cast, squad: dict, decider: str) -> None:
    m = teams.do_request_join(by=_user(squad["joiner"]), team=squad["team"], volunteer=squad["joiner"])
    assert m.status == Membership.Status.PENDING
    assert Notification.objects.filter(recipient=_user(squad["leader"]), kind="volunteering.join_request").exists()
    by = _user(squad[decider]) if decider in squad else cast.user(decider)
    done = teams.do_approve_join(by=by, membership=m)
    assert done.status == Membership.Status.ACTIVE and done.decided_by == by
    note = Notification.objects.get(recipient=_user(squad["joiner"]), kind="volunteering.join_approved")
    assert squad["team"].name in note.text


@pytest.mark.parametrize("decider", ["plain", "outsider", "leader_role", "joiner"])
def test_it_refuses_anyone_else_to_decide(cast: Cast, squad: dict, decider: str) -> None:
    m = teams.do_request_join(by=_user(squad["joiner"]), team=squad["team"], volunteer=squad["joiner"])
    by = {
        "plain": _user(squad["plain"]),
        "joiner": _user(squad["joiner"]),
        "outsider": cast.outsider,
        "leader_role": cast.leader,  # the 领导 role reads, it does not decide
    }[decider]
    with pytest.raises(PermissionDenied):
        teams.do_approve_join(by=by, membership=m)
    with pytest.raises(PermissionDenied):
        teams.do_reject_join(by=by, membership=m)


def test_it_rejects_with_a_note_and_tells_the_volunteer(squad: dict) -> None:
    m = teams.do_request_join(by=_user(squad["joiner"]), team=squad["team"], volunteer=squad["joiner"])
    teams.do_reject_join(by=_user(squad["leader"]), membership=m, note="队伍已满")
    note = Notification.objects.get(recipient=_user(squad["joiner"]), kind="volunteering.join_rejected")
    assert "队伍已满" in note.text
    with pytest.raises(Refused):  # answered once
        teams.do_approve_join(by=_user(squad["leader"]), membership=m)
    again = teams.do_request_join(by=_user(squad["joiner"]), team=squad["team"], volunteer=squad["joiner"])
    assert again.pk != m.pk  # asking again after a refusal is allowed


def test_it_refuses_a_second_request_and_lets_a_person_be_in_several_teams(cast: Cast, squad: dict) -> None:
    joiner = squad["joiner"]
    teams.do_request_join(by=_user(joiner), team=squad["team"], volunteer=joiner)
    with pytest.raises(Refused) as exc:
        teams.do_request_join(by=_user(joiner), team=squad["team"], volunteer=joiner)
    assert exc.value.code == "duplicate"
    other = team(cast.tree.unit_a, "单位文艺队", kind="culture")
    teams.do_request_join(by=_user(joiner), team=other, volunteer=joiner)
    assert Membership.objects.filter(volunteer=joiner).count() == 2
    with pytest.raises(PermissionDenied):  # nobody asks for someone else
        teams.do_request_join(by=_user(squad["plain"]), team=other, volunteer=squad["deputy"])


def test_it_lets_a_member_leave_freely(squad: dict) -> None:
    m = Membership.objects.get(volunteer=squad["plain"])
    teams.do_leave(by=_user(squad["plain"]), membership=m)
    m.refresh_from_db()
    assert m.status == Membership.Status.LEFT
    with pytest.raises(Refused):
        teams.do_leave(by=_user(squad["plain"]), membership=m)


def test_it_runs_the_join_flow_through_the_member_pages(squad: dict) -> None:
    joiner, leader = login_client(_user(squad["joiner"])), login_client(_user(squad["leader"]))
    t = squad["team"]
    assert joiner.get("/volunteering/me/teams/").status_code == 200
    assert joiner.post(f"/volunteering/me/teams/{t.pk}/join/").status_code == 302
    m = Membership.objects.get(volunteer=squad["joiner"], team=t)
    page = leader.get(f"/volunteering/me/teams/{t.pk}/").content.decode()
    assert "林光庆" in page and f"/volunteering/memberships/{m.pk}/approve/" in page
    plain = login_client(_user(squad["plain"]))
    assert f"/memberships/{m.pk}/approve/" not in plain.get(f"/volunteering/me/teams/{t.pk}/").content.decode()
    assert plain.post(f"/volunteering/memberships/{m.pk}/approve/").status_code == 404
    assert leader.post(f"/volunteering/memberships/{m.pk}/approve/").status_code == 302
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE
    assert joiner.post(f"/volunteering/me/memberships/{m.pk}/leave/").status_code == 302
    m.refresh_from_db()
    assert m.status == Membership.Status.LEFT


def test_it_keeps_one_leader(cast: Cast, squad: dict) -> None:
    plain = Membership.objects.get(volunteer=squad["plain"])
    teams.do_set_role(by=cast.clerk, membership=plain, role=Membership.Role.LEADER)
    leaders = Membership.objects.filter(team=squad["team"], role=Membership.Role.LEADER)
    assert [m.volunteer for m in leaders] == [squad["plain"]]
    with pytest.raises(PermissionDenied):
        teams.do_set_role(by=cast.leader, membership=plain, role=Membership.Role.MEMBER)


# --- 五老 pairings ---------------------------------------------------------------------------------


@pytest.fixture
def pairing(cast: Cast) -> Pairing:
    t = team(cast.tree.county_a, "五老关爱结对队", kind=Team.Kind.WULAO)
    v = volunteer(cast.tree.unit_a, name="郑志强", with_account=True)
    member(t, v)
    return teams.do_save_pairing(
        by=cast.clerk,
        pairing=Pairing(),
        team=t,
        volunteer=v,
        minor_name="王小明",
        village="梅家坞村",
        since=dt.date(2025, 3, 1),
    )


@pytest.mark.parametrize(
    ("name", "masked"), [("王小明", "王*明"), ("王明", "王*"), ("欧阳小明", "欧**明"), ("王", "王*"), ("", "")]
)
def test_it_masks_names(name: str, masked: str) -> None:
    assert teams.mask_name(name) == masked


def test_it_stores_the_childs_name_encrypted_and_masked(pairing: Pairing) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT minor_name, minor_masked FROM volunteering_pairing WHERE id = %s", [pairing.pk])
        raw, masked = cur.fetchone()
    assert "王小明" not in raw and masked == "王*明"


def test_it_shows_the_childs_name_only_to_staff_who_may_change_the_pairing(cast: Cast, pairing: Pairing) -> None:
    url = f"/volunteering/pairings/{pairing.pk}/"
    for who, shown in (("clerk", True), ("bureau_admin", True)):
        body = login_client(cast.user(who)).get(url).content.decode()
        assert ("王小明" in body) is shown, who
    viewer = make_user("viewer", cast.tree.city_a)
    from yinling.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=viewer, role="leader", org=cast.tree.city_a)
    assert login_client(viewer).get(url).status_code == 403  # leaders do not see pairings at all
    body = login_client(cast.clerk).get("/volunteering/pairings/").content.decode()
    assert "王*明" in body and "王小明" not in body  # the list shows the mask to everyone


def test_it_refuses_a_pairing_outside_a_wulao_team_or_for_a_non_member(cast: Cast) -> None:
    general = team(cast.tree.county_a, "综合队")
    v = volunteer(cast.tree.unit_a)
    member(general, v)
    with pytest.raises(Refused):
        teams.do_save_pairing(
            by=cast.clerk,
            pairing=Pairing(),
            team=general,
            volunteer=v,
            minor_name="李四",
            village="村",
            since=dt.date(2025, 1, 1),
        )
    wulao = team(cast.tree.county_a, "五老队", kind=Team.Kind.WULAO)
    with pytest.raises(Refused):
        teams.do_save_pairing(
            by=cast.clerk,
            pairing=Pairing(),
            team=wulao,
            volunteer=v,
            minor_name="李四",
            village="村",
            since=dt.date(2025, 1, 1),
        )


def test_it_records_visits_by_the_paired_volunteer_or_staff(cast: Cast, pairing: Pairing) -> None:
    teams.do_record_visit(by=pairing.volunteer.retiree.account, pairing=pairing, visited_on=dt.date(2025, 4, 1))
    teams.do_record_visit(by=cast.clerk, pairing=pairing, visited_on=dt.date(2025, 5, 1), note="辅导作业")
    with pytest.raises(Refused):
        teams.do_record_visit(by=cast.clerk, pairing=pairing, visited_on=dt.date(2025, 2, 1))  # before the start
    with pytest.raises(PermissionDenied):
        teams.do_record_visit(by=cast.outsider, pairing=pairing, visited_on=dt.date(2025, 6, 1))
    assert pairing.visits.count() == 2


def test_it_counts_the_requests_a_leader_must_answer_on_the_home_tile(squad: dict) -> None:
    from yinling.core.tiles import tiles_for

    def count(v) -> int:  # type: ignore[no-untyped-def]
        user = type(_user(v)).objects.get(pk=_user(v).pk)  # a fresh user: the tile's count is kept per request
        return {t["key"]: t for t in tiles_for(user)}["volunteering"]["count"]

    assert count(squad["leader"]) == 0
    teams.do_request_join(by=_user(squad["joiner"]), team=squad["team"], volunteer=squad["joiner"])
    assert count(squad["leader"]) == 1 and count(squad["deputy"]) == 1 and count(squad["plain"]) == 0


def test_it_lets_staff_add_a_member_with_the_picker(cast: Cast, squad: dict) -> None:
    client = login_client(cast.clerk)
    page = client.get(f"/volunteering/teams/{squad['team'].pk}/").content.decode()
    assert "/registry/lookup/" in page  # a search picker, never a list of every volunteer
    outside = volunteer(cast.tree.county_b, name="外区人")
    url = f"/volunteering/teams/{squad['team'].pk}/members/"
    assert client.post(url, {"volunteer": outside.retiree_id, "role": "member"}).status_code == 302
    assert not Membership.objects.filter(volunteer=outside).exists()
    assert client.post(url, {"volunteer": squad["joiner"].retiree_id, "role": "deputy"}).status_code == 302
    assert Membership.objects.get(volunteer=squad["joiner"]).role == Membership.Role.DEPUTY


def test_it_adds_and_edits_a_pairing_through_the_pages(cast: Cast) -> None:
    wulao = team(cast.tree.county_a, "五老关爱结对队", kind=Team.Kind.WULAO)
    v = volunteer(cast.tree.unit_a, name="郑志强")
    member(wulao, v)
    client = login_client(cast.clerk)
    data = {
        "team": wulao.pk,
        "volunteer": v.retiree_id,
        "minor_name": "李思雨",
        "village": "龙坞村",
        "since": "2025-09-01",
    }
    assert client.get("/volunteering/pairings/add/").status_code == 200
    assert login_client(cast.leader).get("/volunteering/pairings/add/").status_code == 403
    response = client.post("/volunteering/pairings/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pairing = Pairing.objects.get()
    assert pairing.minor_masked == "李*雨"
    edit = f"/volunteering/pairings/{pairing.pk}/edit/"
    assert "李思雨" in client.get(edit).content.decode()
    assert client.post(edit, {**data, "ended_on": "2025-08-01"}).status_code == 200  # ends before it began
    assert client.post(edit, {**data, "ended_on": "2026-06-30"}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.ended_on == dt.date(2026, 6, 30)
    assert login_client(cast.outsider).get(edit).status_code == 404
