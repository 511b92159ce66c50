from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.core.permission_tests import login_client
from yinling.core.testing import Personas, make_user
from yinling.registry import services
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(personas: Personas) -> Retiree:
    r, _c = make_retiree(3, personas.tree.unit_a, "330106")
    r.status, r.deceased_on = "active", None
    r.save()
    return r


def edit_form(r: Retiree, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "org": r.org_id,
        "name": r.name,
        "category": r.category,
        "ethnic": r.ethnic,
        "version": r.version,
        "gender": r.gender,
        "birth_date": r.birth_date.isoformat(),
        "work_started": r.work_started,
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_it_records_a_death_and_keeps_the_record(personas: Personas, person: Retiree) -> None:
    services.do_record_death(by=personas.owner, retiree=person, date=dt.date(2026, 2, 1))
    person.refresh_from_db()
    assert person.status == "deceased" and person.deceased_on == dt.date(2026, 2, 1)
    with pytest.raises(ValidationError):
        services.do_record_death(by=personas.owner, retiree=person, date=dt.date.today() + dt.timedelta(days=3))
    assert login_client(personas.owner).get(f"/registry/{person.pk}/").status_code == 200


def test_it_moves_a_person_and_both_sides_see_it(personas: Personas, person: Retiree) -> None:
    services.do_transfer(by=personas.owner, retiree=person, to_org=personas.tree.county_b, reason="随子女迁居")
    old_side, new_side = login_client(personas.owner), login_client(personas.outsider)
    assert person.name in old_side.get("/registry/moves/").content.decode()
    assert old_side.get(f"/registry/{person.pk}/").status_code == 404
    page = new_side.get(f"/registry/{person.pk}/").content.decode()
    assert "随子女迁居" in page
    assert AuditRecord.objects.filter(
        object_id=str(person.pk), org_path=personas.tree.unit_a.path, changes__org=["330106U01", "330212"]
    ).exists()


def test_it_tells_the_second_editor_of_a_conflict(personas: Personas, person: Retiree) -> None:
    first, second = (
        login_client(personas.owner),
        login_client(make_user("b2", personas.tree.city_a, roles.BUREAU_ADMIN)),
    )
    stale = edit_form(person, skills="书法")
    assert first.post(f"/registry/{person.pk}/edit/", edit_form(person, skills="太极")).status_code == 302
    response = second.post(f"/registry/{person.pk}/edit/", stale)
    assert response.status_code == 200
    assert "reload" in response.content.decode() or "重新" in response.content.decode()
    assert Retiree.objects.get(pk=person.pk).skills == "太极"


def test_it_refuses_a_duplicate_id_number(personas: Personas, person: Retiree) -> None:
    with pytest.raises(ValidationError):
        services.do_create_retiree(
            by=personas.owner,
            org=personas.tree.unit_a,
            values={
                "name": "重复",
                "id_number": person.id_number,
                "gender": person.gender,
                "birth_date": person.birth_date,
                "category": "tuixiu",
            },
        )


def test_it_audits_unmasked_views_and_masks_for_clerks(personas: Personas, person: Retiree) -> None:
    owner_page = login_client(personas.owner).get(f"/registry/{person.pk}/?reveal=1").content.decode()
    assert person.id_number in owner_page
    assert AuditRecord.objects.filter(action="view_sensitive", object_id=str(person.pk)).count() == 1
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)
    clerk_client = login_client(clerk)
    page = clerk_client.get(f"/registry/{person.pk}/?reveal=1").content.decode()
    assert person.id_number not in page and person.id_masked in page
    edit = clerk_client.get(f"/registry/{person.pk}/edit/").content.decode()
    assert person.id_number not in edit and person.phone not in edit
    # An edit without re-typing the hidden values keeps them.
    response = clerk_client.post(f"/registry/{person.pk}/edit/", edit_form(person, skills="园艺"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Retiree.objects.get(pk=person.pk).id_number == person.id_number
