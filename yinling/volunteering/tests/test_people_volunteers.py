"""Registering volunteers: the retiree on the phone, staff for a retiree in their scope; duplicates,
people not on register, withdrawing and registering again; the pages for every persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from yinling.audit.models import AuditRecord
from yinling.core.refusals import Refused
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, cast_clients
from yinling.volunteering.models import Membership, Volunteer
from yinling.volunteering.services import volunteers
from yinling.volunteering.tests.people_factories import member, person, team

pytestmark = pytest.mark.django_db


def test_it_registers_a_retiree_who_signs_up_on_the_phone(cast: Cast) -> None:
    v = volunteers.do_register_volunteer(
        by=cast.retiree,
        retiree=cast.retiree_record,
        skills=["policy", "culture"],
        insurance="insured",
        insurance_expires=dt.date(2030, 1, 1),
        returning_talent=True,
        home_village="梅家坞村",
    )
    assert v.skills == "|policy|culture|" and v.skill_list == ["policy", "culture"]
    assert v.returning_talent and v.home_village == "梅家坞村" and v.registered_by == cast.retiree
    record = AuditRecord.objects.unrestricted().filter(object_type="volunteering.volunteer").get()
    assert record.action == "create" and record.extra["on_behalf"] is False


def test_it_refuses_a_second_registration_as_duplicate(cast: Cast) -> None:
    volunteers.do_register_volunteer(by=cast.retiree, retiree=cast.retiree_record)
    with pytest.raises(Refused) as exc:
        volunteers.do_register_volunteer(by=cast.clerk, retiree=cast.retiree_record)
    assert exc.value.code == "duplicate"
    assert Volunteer.objects.count() == 1


@pytest.mark.parametrize("status", ["deceased", "moved_out"])
def test_it_refuses_people_not_on_register(cast: Cast, status: str) -> None:
    retiree = person(cast.tree.unit_a, status=status, deceased_on=dt.date(2025, 1, 1) if status == "deceased" else None)
    with pytest.raises(Refused) as exc:
        volunteers.do_register_volunteer(by=cast.clerk, retiree=retiree)
    assert exc.value.code == "not_eligible"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("clerk", True),
        ("bureau_admin", True),
        ("leader", False),
        ("outsider", False),
        ("family", False),
        ("system_admin", False),
        ("norole", False),
    ],
)
def test_it_lets_only_the_person_and_staff_in_scope_register(cast: Cast, who: str, allowed: bool) -> None:
    user = cast.user(who)
    if allowed:
        assert volunteers.do_register_volunteer(by=user, retiree=cast.retiree_record).pk
    else:
        with pytest.raises(PermissionDenied):
            volunteers.do_register_volunteer(by=user, retiree=cast.retiree_record)


@pytest.mark.parametrize(
    ("values", "message_has"),
    [({"skills": ["juggling"]}, "juggling"), ({"returning_talent": True, "home_village": ""}, "")],
)
def test_it_refuses_a_bad_profile(cast: Cast, values: dict, message_has: str) -> None:
    with pytest.raises(Refused) as exc:
        volunteers.do_register_volunteer(by=cast.retiree, retiree=cast.retiree_record, **values)
    assert exc.value.code == "invalid" and message_has in exc.value.message


def test_it_withdraws_ending_memberships_and_registers_again(cast: Cast) -> None:
    v = volunteers.do_register_volunteer(by=cast.retiree, retiree=cast.retiree_record, skills=["care"])
    m = member(team(cast.tree.county_a), v)
    volunteers.do_withdraw(by=cast.retiree, volunteer=v)
    v.refresh_from_db()
    m.refresh_from_db()
    assert not v.is_active and m.status == Membership.Status.LEFT
    with pytest.raises(Refused):
        volunteers.do_withdraw(by=cast.retiree, volunteer=v)
    again = volunteers.do_register_volunteer(by=cast.retiree, retiree=cast.retiree_record, skills=["legal"])
    assert again.pk == v.pk and again.is_active and again.skill_list == ["legal"]


def test_it_registers_on_the_phone_page_and_shows_the_home(cast: Cast) -> None:
    client = login_client(cast.retiree)
    response = client.get("/volunteering/me/")
    assert response.status_code == 302 and response["Location"].endswith("/volunteering/me/register/")
    page = client.get("/volunteering/me/register/")
    assert page.status_code == 200 and 'class="elder"' in page.content.decode()
    response = client.post(
        "/volunteering/me/register/",
        {"skills": ["policy", "mediation"], "insurance": "insured", "insurance_expires": "", "availability": "周二"},
    )
    assert response.status_code == 200  # insured without an expiry: the form again
    assert not Volunteer.objects.exists()
    response = client.post(
        "/volunteering/me/register/",
        {"skills": ["policy", "mediation"], "insurance": "none", "availability": "周二"},
    )
    assert response.status_code == 302
    v = Volunteer.objects.get()
    assert v.retiree == cast.retiree_record and v.skill_list == ["policy", "mediation"]
    home = client.get("/volunteering/me/")
    assert home.status_code == 200 and 'id="vp-credited"' in home.content.decode()


def test_it_lets_staff_register_a_retiree_of_their_area_with_the_picker(cast: Cast) -> None:
    outside = person(cast.tree.county_b)
    client = login_client(cast.clerk)
    assert client.get("/volunteering/volunteers/add/").status_code == 200
    response = client.post("/volunteering/volunteers/add/", {"retiree": outside.pk, "insurance": "none"})
    assert response.status_code == 200 and not Volunteer.objects.exists()  # not a choice for this clerk
    response = client.post(
        "/volunteering/volunteers/add/", {"retiree": cast.retiree_record.pk, "insurance": "none", "skills": ["care"]}
    )
    assert response.status_code == 302
    assert Volunteer.objects.get().registered_by == cast.clerk
    response = client.post("/volunteering/volunteers/add/", {"retiree": cast.retiree_record.pk, "insurance": "none"})
    assert response.status_code == 200 and Volunteer.objects.count() == 1  # duplicate shown on the form


# persona → the answer of the staff registration page and of the member's own registration page.
PAGES = {
    "anonymous": (302, 302),
    "norole": (403, 302),
    "outsider": (200, 302),
    "clerk": (200, 302),
    "bureau_admin": (200, 302),
    "leader": (403, 302),
    "system_admin": (403, 302),
    "security_admin": (403, 302),
    "audit_admin": (403, 302),
    "retiree": (403, 200),
    "family": (403, 200),
}


def test_it_answers_the_registration_pages_per_persona(cast: Cast) -> None:
    clients = cast_clients(cast)
    for who, (staff_page, own_page) in PAGES.items():
        assert clients[who].get("/volunteering/volunteers/add/").status_code == staff_page, who
        response = clients[who].get("/volunteering/me/register/")
        assert response.status_code in ((own_page,) if own_page == 200 else (302, 404)), who
