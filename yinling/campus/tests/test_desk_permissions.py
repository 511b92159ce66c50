"""Every desk page and action, as every persona: 404 outside scope, 403 inside without the right,
decided before any form is read (the POSTs carry no form data at all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yinling.campus.models import SafetyPledge, Term
from yinling.campus.tests import factories as f
from yinling.campus.tests.conftest import Campus
from yinling.testing.personas import PERSONAS, cast_clients

pytestmark = pytest.mark.django_db

ADMINS = {"system_admin": 403, "security_admin": 403, "audit_admin": 403}
LIST = {"anonymous": 302, "norole": 403, "outsider": 200, "clerk": 200, "bureau_admin": 200, "leader": 200,
        **ADMINS, "retiree": 403, "family": 403}  # fmt: skip
DETAIL = {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200, "leader": 200,
          **ADMINS, "retiree": 404, "family": 404}  # fmt: skip
ADD = {**LIST, "leader": 403}
EDIT = {**DETAIL, "leader": 403}
# Pledges are the registrars' own (the leader sees none of them).
PLEDGE_LIST = {**LIST, "leader": 403}
PLEDGE_DETAIL = {**DETAIL, "leader": 403}
# Actions posted from the section and term pages: a redirect back (with a message) once allowed.
ACTION = {**EDIT, "clerk": 302, "bureau_admin": 302}

PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "school_list": ("/campus/desk/schools/", LIST),
    "school_detail": ("/campus/desk/schools/{school}/", DETAIL),
    "school_add": ("/campus/desk/schools/add/", {**ADD, "clerk": 200}),
    "school_edit": ("/campus/desk/schools/{school}/edit/", EDIT),
    "site_list": ("/campus/desk/sites/", LIST),
    "site_detail": ("/campus/desk/sites/{site}/", DETAIL),
    "site_add": ("/campus/desk/sites/add/", ADD),
    "site_edit": ("/campus/desk/sites/{site}/edit/", EDIT),
    "course_list": ("/campus/desk/courses/", LIST),
    "course_detail": ("/campus/desk/courses/{course}/", DETAIL),
    "course_add": ("/campus/desk/courses/add/", ADD),
    "course_edit": ("/campus/desk/courses/{course}/edit/", EDIT),
    "term_list": ("/campus/desk/terms/", LIST),
    "term_detail": ("/campus/desk/terms/{term}/", DETAIL),
    "term_add": ("/campus/desk/terms/add/", ADD),
    "section_list": ("/campus/desk/classes/", LIST),
    "section_detail": ("/campus/desk/classes/{section}/", DETAIL),
    "section_add": ("/campus/desk/classes/add/", ADD),
    "section_edit": ("/campus/desk/classes/{section}/edit/", EDIT),
    "enrolment_list": ("/campus/desk/enrolments/", LIST),
    "pledge_list": ("/campus/desk/pledges/", PLEDGE_LIST),
    "pledge_detail": ("/campus/desk/pledges/{pledge}/", PLEDGE_DETAIL),
    "pledge_add": ("/campus/desk/pledges/add/", PLEDGE_LIST),
    "pledge_edit": ("/campus/desk/pledges/{pledge}/edit/", PLEDGE_DETAIL),
}
EXPORTS = {
    "school_list": LIST,
    "site_list": LIST,
    "course_list": LIST,
    "section_list": LIST,
    "enrolment_list": LIST,
}
# Only leaders lack the export right of what they may view.
EXPORT_EXPECTED = {name: {**LIST, "leader": 403} for name in EXPORTS}

ACTIONS: dict[str, tuple[str, dict[str, int]]] = {
    "term_draw": ("/campus/desk/terms/{lottery}/draw/", ACTION),
    "section_enrol": ("/campus/desk/classes/{section}/enrol/", ACTION),
    "section_fee": ("/campus/desk/classes/{section}/enrolments/{enrolment}/fee/", ACTION),
    "section_withdraw": ("/campus/desk/classes/{section}/enrolments/{enrolment}/withdraw/", ACTION),
}


@pytest.fixture
def scene(campus: Campus) -> tuple[dict[str, Any], dict[str, Any]]:
    cast = campus.cast
    student = f.person(cast.tree.unit_a)
    from yinling.campus.services import enrol

    answer = enrol.do_enrol(by=cast.clerk, section=campus.section, retiree=student, on_behalf=True)
    assert answer.enrolment is not None
    now = timezone.now()
    lottery = f.term(
        campus.school,
        mode=Term.Mode.LOTTERY,
        apply_from=now - dt.timedelta(days=9),
        apply_until=now - dt.timedelta(days=1),
    )
    pledge = SafetyPledge.objects.create(
        retiree=cast.retiree_record, school=campus.school, signed_by="张秀英", signed_on=timezone.localdate()
    )
    ids = {
        "school": campus.school.pk,
        "site": campus.site.pk,
        "course": campus.section.course_id,
        "term": campus.term.pk,
        "lottery": lottery.pk,
        "section": campus.section.pk,
        "enrolment": answer.enrolment.pk,
        "pledge": pledge.pk,
    }
    return ids, cast_clients(cast)


@pytest.mark.parametrize("page", list(PAGES))
def test_it_answers_each_persona_on_each_desk_page(scene: Any, page: str) -> None:
    ids, clients = scene
    url, expected = PAGES[page]
    url = url.format(**ids)
    got = {name: clients[name].get(url).status_code for name in PERSONAS}
    assert got == expected


@pytest.mark.parametrize("page", list(EXPORTS))
def test_it_exports_only_to_those_with_the_export_right(scene: Any, page: str) -> None:
    _ids, clients = scene
    url = PAGES[page][0] + "?export=xlsx"
    got = {name: clients[name].get(url).status_code for name in PERSONAS}
    assert got == EXPORT_EXPECTED[page]


@pytest.mark.parametrize("action", list(ACTIONS))
def test_it_answers_each_persona_on_each_desk_action_before_reading_the_form(scene: Any, action: str) -> None:
    ids, clients = scene
    url, expected = ACTIONS[action]
    url = url.format(**ids)
    got = {name: clients[name].post(url, {}).status_code for name in PERSONAS}
    assert got == expected


def test_it_refuses_get_on_actions_and_unknown_ids(scene: Any) -> None:
    ids, clients = scene
    assert clients["clerk"].get(f"/campus/desk/classes/{ids['section']}/enrol/").status_code == 405
    assert clients["clerk"].get("/campus/desk/classes/999999/").status_code == 404
    assert clients["clerk"].post("/campus/desk/classes/999999/enrol/").status_code == 404


def test_it_shows_the_desk_in_the_navigation_only_to_those_who_may_use_it(campus: Campus) -> None:
    from yinling.core.navigation import nav_for

    cast = campus.cast
    desk = {
        "campus:section_list",
        "campus:enrolment_list",
        "campus:term_list",
        "campus:course_list",
        "campus:school_list",
        "campus:site_list",
        "campus:pledge_list",
    }

    def shown(user: Any) -> set[str]:
        return {item.url_name for item in nav_for(user) if item.url_name in desk}

    assert shown(cast.clerk) == desk
    assert shown(cast.bureau_admin) == desk
    assert shown(cast.leader) == desk - {"campus:pledge_list"}
    for persona in ("norole", "system_admin", "audit_admin", "retiree", "family"):
        assert shown(cast.user(persona)) == set(), persona
    assert all(item.group == "campus" for item in nav_for(cast.clerk) if item.url_name in desk)
