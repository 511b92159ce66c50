"""Every people page and endpoint: anonymous → sign-in, outside the subtree → 404, without the permission → 403.

The generic ScopedViewPermissionTests cover volunteers (list, detail, edit, export, API) and teams (list,
detail, create, edit, soft delete, export, API); the remaining pages and actions are persona tables."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.testing.permissions import ScopedViewPermissionTests, login_client
from yinling.testing.personas import Cast, Personas, cast_clients, make_user
from yinling.volunteering.models import Certificate, Nomination, Pairing, Story, Target, Team, Volunteer
from yinling.volunteering.tests.people_factories import member, team, volunteer


class TestVolunteerPermissions(ScopedViewPermissionTests):
    model = Volunteer
    list_url = "/volunteering/volunteers/"
    api_list_url = "/api/v1/volunteering/volunteers/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER

    def make(self, p: Personas, where: str) -> Volunteer:
        org = p.tree.unit_a if where == "own" else p.tree.county_b
        return volunteer(org, name="本区志愿者" if where == "own" else "外区志愿者", skills="|care|")

    def marker(self, obj: Any) -> str:
        return obj.retiree.name

    def detail_url(self, obj: Any) -> str:
        return f"/volunteering/volunteers/{obj.pk}/"

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/volunteering/volunteers/{obj.pk}/"

    def form_data(self, p: Personas, obj: Any | None, where: str) -> dict[str, Any]:
        return {"skills": ["policy"], "insurance": "none", "availability": "周末"}

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        pytest.skip("a volunteer's org is the registry's: the profile form has none to move")

    def test_it_never_shows_an_id_number(self, p: Personas) -> None:
        own = self.make(p, "own")
        client = self.client_for(p.owner)
        for url in (self.list_url, self.detail_url(own), self.api_detail_url(own)):
            body = client.get(url).content.decode()
            assert own.retiree.id_number not in body and own.retiree.id_masked not in body, url
            assert own.retiree.phone not in body, url


class TestTeamPermissions(ScopedViewPermissionTests):
    model = Team
    list_url = "/volunteering/teams/"
    add_url = "/volunteering/teams/add/"
    api_list_url = "/api/v1/volunteering/teams/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER
    delete_role = roles.CLERK

    def make(self, p: Personas, where: str) -> Team:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        return team(org, name="本区队伍" if where == "own" else "外区队伍")

    def detail_url(self, obj: Any) -> str:
        return f"/volunteering/teams/{obj.pk}/"

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/volunteering/teams/{obj.pk}/"

    def form_data(self, p: Personas, obj: Any | None, where: str) -> dict[str, Any]:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        return {"org": org.pk, "name": "新队伍", "kind": "culture", "description": ""}

    # A team is soft-deleted: it stays, marked deleted, and leaves the lists.
    def test_it_deletes_with_the_delete_role(self, p: Personas) -> None:
        deleter = make_user("deleter", p.tree.city_a, roles.CLERK)
        obj = self.make(p, "own")
        assert self.client_for(deleter).post(self.delete_url(obj)).status_code == 302
        obj.refresh_from_db()
        assert obj.is_deleted
        assert obj.name not in self.client_for(p.owner).get(self.list_url).content.decode()

    def test_it_forbids_delete_without_the_permission(self, p: Personas) -> None:
        obj = self.make(p, "own")
        assert self.client_for(p.limited).post(self.delete_url(obj)).status_code == 403
        obj.refresh_from_db()
        assert not obj.is_deleted

    def test_it_hides_delete_outside_the_subtree(self, p: Personas) -> None:
        deleter = make_user("deleter", p.tree.city_b, roles.CLERK)
        obj = self.make(p, "own")
        assert self.client_for(deleter).post(self.delete_url(obj)).status_code == 404
        obj.refresh_from_db()
        assert not obj.is_deleted


STAFF_LISTS = [
    "/volunteering/volunteers/",
    "/volunteering/teams/",
    "/volunteering/pairings/",
    "/volunteering/certificates/",
    "/volunteering/nominations/",
    "/volunteering/targets/",
    "/volunteering/stories/review/",
]
# persona → answer of the staff lists above (pairings: leaders may not see them).
LIST_ANSWERS = {
    "anonymous": 302,
    "norole": 403,
    "outsider": 200,
    "clerk": 200,
    "bureau_admin": 200,
    "leader": 200,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "retiree": 403,
    "family": 403,
}


@pytest.mark.django_db
def test_it_answers_every_staff_list_per_persona(cast: Cast) -> None:
    clients = cast_clients(cast)
    for url in STAFF_LISTS:
        for who, expected in LIST_ANSWERS.items():
            if url == "/volunteering/pairings/" and who == "leader":
                expected = 403
            assert clients[who].get(url).status_code == expected, (url, who)


@pytest.mark.django_db
def test_it_gives_the_three_administrators_no_business_permission() -> None:
    from yinling.accounts.roles import ROLES

    for code in (roles.SYSTEM_ADMIN, roles.SECURITY_ADMIN, roles.AUDIT_ADMIN):
        assert not [p for p in ROLES[code].perms if p.startswith("volunteering.")], code


@pytest.mark.django_db
def test_it_lets_only_bureau_admins_set_targets(cast: Cast) -> None:
    clients = cast_clients(cast)
    data = {
        "org": cast.tree.county_a.pk,
        "year": 2026,
        "top_teams": 1,
        "stories": 5,
        "star_volunteers": 10,
        "volunteers": 100,
    }
    for who in ("clerk", "leader", "retiree", "system_admin"):
        assert clients[who].post("/volunteering/targets/add/", data).status_code in (302, 403), who
        assert not Target.objects.exists(), who
    assert clients["outsider"].post("/volunteering/targets/add/", data).status_code == 200  # not an org of theirs
    assert clients["bureau_admin"].post("/volunteering/targets/add/", data).status_code == 302
    target = Target.objects.get()
    assert clients["bureau_admin"].post("/volunteering/targets/add/", data).status_code == 200  # one per org and year
    edit = f"/volunteering/targets/{target.pk}/edit/"
    assert clients["outsider"].get(edit).status_code == 404
    assert clients["clerk"].get(edit).status_code == 403
    assert clients["bureau_admin"].post(edit, {**data, "volunteers": 300}).status_code == 302
    target.refresh_from_db()
    assert target.volunteers == 300


@pytest.mark.django_db
def test_it_scopes_the_detail_pages_of_records(cast: Cast) -> None:
    """Pairings, certificates and nominations: 404 outside the subtree, 200 inside with view."""
    from yinling.volunteering.services import recognition, teams

    own_team = team(cast.tree.county_a, kind=Team.Kind.WULAO)
    v = volunteer(cast.tree.unit_a)
    member(own_team, v)
    import datetime as dt

    pairing = teams.do_save_pairing(
        by=cast.clerk,
        pairing=Pairing(),
        team=own_team,
        volunteer=v,
        minor_name="王小明",
        village="梅家坞村",
        since=dt.date(2025, 3, 1),
    )
    certificate = recognition.do_issue_certificate(by=cast.clerk, volunteer=v)
    nomination = recognition.do_nominate(by=cast.clerk, kind="star", year=2026, materials="事迹", volunteer=v)
    clients = cast_clients(cast)
    for url in (
        f"/volunteering/pairings/{pairing.pk}/",
        f"/volunteering/certificates/{certificate.pk}/",
        f"/volunteering/nominations/{nomination.pk}/",
    ):
        assert clients["outsider"].get(url).status_code == 404, url
        assert clients["clerk"].get(url).status_code == 200, url
        assert clients["bureau_admin"].get(url).status_code == 200, url
        assert clients["anonymous"].get(url).status_code == 302, url
        assert clients["retiree"].get(url).status_code in (403, 404), url
    assert Certificate.objects.count() == 1 and Nomination.objects.count() == 1 and Story.objects.count() == 0


@pytest.mark.django_db
def test_it_never_500s_on_junk_ids(cast: Cast) -> None:
    client = login_client(cast.bureau_admin)
    for url in (
        "/volunteering/volunteers/99999999/",
        "/volunteering/teams/99999999/edit/",
        "/volunteering/stories/99999999/photo/",
        "/volunteering/memberships/99999999/approve/",
        "/volunteering/nominations/99999999/decline/",
        "/volunteering/verify/%00/",
    ):
        assert client.get(url).status_code in (404, 405, 400), url


@pytest.mark.django_db
def test_it_lists_related_volunteers_and_teams_on_an_org(cast: Cast) -> None:
    volunteer(cast.tree.unit_a, name="本区人")
    volunteer(cast.tree.county_b, name="外区人")
    team(cast.tree.county_a, "区队")
    body = login_client(cast.bureau_admin).get(f"/orgs/{cast.tree.county_a.code}/").content.decode()
    assert f"/volunteering/volunteers/?org={cast.tree.county_a.code}" in body
    assert f"/volunteering/teams/?org={cast.tree.county_a.code}" in body
    from yinling.core.related import related_for

    counts = {str(r["label"]): r["value"] for r in related_for(cast.bureau_admin, cast.tree.county_a)}
    assert counts["志愿者"] == 1 and counts["志愿服务队"] == 1


@pytest.mark.django_db
def test_it_puts_the_tile_on_a_retirees_home_and_the_menu_for_staff(cast: Cast) -> None:
    from yinling.core.navigation import nav_for
    from yinling.core.tiles import tiles_for

    tiles = {t["key"]: t for t in tiles_for(cast.retiree)}
    assert tiles["volunteering"]["url"] == "/volunteering/me/"
    staff_items = {i.url_name for i in nav_for(cast.clerk)}
    assert {"volunteering:volunteers", "volunteering:teams", "volunteering:pairings"} <= staff_items
    assert "volunteering:targets" in {i.url_name for i in nav_for(cast.leader)}
    assert not {i.url_name for i in nav_for(cast.system_admin)} & {"volunteering:volunteers", "volunteering:teams"}
    assert "volunteering:me" in {i.url_name for i in nav_for(cast.retiree)}
