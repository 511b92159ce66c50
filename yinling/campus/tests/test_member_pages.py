"""The retiree's class pages: who may open them, the one answer to every request (and every refusal's code),
acting for a relative, offers accepted and declined, withdrawing with a confirm page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from yinling.campus.models import Enrolment, SafetyPledge, Term
from yinling.campus.services import draw, enrol
from yinling.campus.tests import factories as f
from yinling.orgs.models import Org
from yinling.testing.permissions import login_client
from yinling.testing.personas import PERSONAS

pytestmark = pytest.mark.django_db

STAFF = [p for p in PERSONAS if p not in ("anonymous", "retiree", "family")]


def _pages(campus) -> list[str]:  # type: ignore[no-untyped-def]
    pk = campus.section.pk
    return [
        "/campus/classes/",
        f"/campus/classes/{pk}/",
        f"/campus/classes/{pk}/answer/",
        f"/campus/classes/{pk}/withdraw/",
        "/campus/me/",
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_member_pages_to_retirees_only(campus, persona) -> None:  # type: ignore[no-untyped-def]
    user = campus.cast.user(persona)
    client = login_client(user) if user is not None else Client()
    for url in _pages(campus):
        answer = client.get(url)
        if persona == "anonymous":
            assert answer.status_code == 302 and "/login" in answer["Location"], url
        elif persona in STAFF:
            assert answer.status_code == 404, url  # staff acting for nobody: these are a retiree's pages
        else:
            assert answer.status_code == 200, url
            assert 'class="elder"' in answer.content.decode(), url  # elder mode by default
    post = client.post(f"/campus/classes/{campus.section.pk}/enrol/")
    if persona == "anonymous":
        assert post.status_code == 302
    elif persona in STAFF:
        assert post.status_code == 404
    assert not Enrolment.objects.filter(retiree__account__isnull=True).exists()


def _post(client: Client, section, **data):  # type: ignore[no-untyped-def]
    return client.post(f"/campus/classes/{section.pk}/enrol/", data)


def _status(answer) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    import re

    html = answer.content.decode()
    match = re.search(r'id="campus-status" data-status="([a-z]+)"(?: data-code="([a-z_]+)")?', html)
    assert match, html[:2000]
    return match.group(1), match.group(2) or ""


def test_it_gives_the_one_answer_enrolled_then_waitlisted_with_the_position(campus) -> None:
    org = campus.cast.tree.unit_a
    a, b, c = (f.person(org) for _ in range(3))
    for person, expected in ((a, "enrolled"), (b, "enrolled"), (c, "waitlisted")):
        client = login_client(person.account)
        answer = _post(client, campus.section)
        assert answer.status_code == 302 and answer["Location"] == f"/campus/classes/{campus.section.pk}/answer/"
        page = client.get(answer["Location"])
        assert _status(page) == (expected, "")
    text = client.get(f"/campus/classes/{campus.section.pk}/answer/").content.decode()
    assert "候补第 1 位" in text or "第 1 位" in text
    assert "候补" in login_client(c.account).get("/campus/me/").content.decode()


def test_it_shows_the_fee_due_date_once_enrolled(campus) -> None:
    paying = f.section(campus.term, campus.site, fee=Decimal("120"), slots=((4, "14:00", "16:00"),))
    a = f.person(campus.cast.tree.unit_a)
    client = login_client(a.account)
    _post(client, paying)
    due = Enrolment.objects.get(retiree=a).fee_due_on
    assert due is not None
    assert due.strftime("%Y-%m-%d") in client.get("/campus/me/").content.decode()


def test_it_takes_a_lottery_application_with_the_chosen_rank(campus) -> None:
    term = f.term(campus.school, mode=Term.Mode.LOTTERY, choices=3)
    first = f.section(term, campus.site)
    second = f.section(term, campus.site, slots=((2, "09:00", "11:00"),))
    a = f.person(campus.cast.tree.unit_a)
    client = login_client(a.account)
    page = client.get(f"/campus/classes/{second.pk}/").content.decode()
    assert 'name="rank"' in page and "申请" in page
    client.post(f"/campus/classes/{second.pk}/enrol/", {"rank": "2"})
    answer = client.post(f"/campus/classes/{first.pk}/enrol/", {"rank": "2"})  # taken: the next free one
    assert _status(client.get(answer["Location"])) == ("applied", "")
    ranks = dict(Enrolment.objects.filter(retiree=a).values_list("section_id", "rank"))
    assert ranks == {second.pk: 2, first.pk: 1}
    mine = client.get("/campus/me/").content.decode()
    assert draw.applicant_key(term.pk, a.pk) in mine  # to find oneself in the public results


def _refusal_cases(campus):  # type: ignore[no-untyped-def]
    org = campus.cast.tree.unit_a
    yield "not_eligible", f.person(org, age=45), campus.section  # under 50
    a = f.person(org)
    enrol.do_enrol(by=a.account, section=campus.section, retiree=a)
    yield "duplicate", a, campus.section
    b = f.person(org)
    other = f.section(campus.term, campus.site, slots=((1, "10:00", "12:00"),))
    enrol.do_enrol(by=b.account, section=campus.section, retiree=b)
    yield "clash", b, other
    c = f.person(org)
    for day in (2, 3):
        enrol.do_enrol(
            by=c.account, section=f.section(campus.term, campus.site, slots=((day, "09:00", "10:00"),)), retiree=c
        )
    yield "limit", c, f.section(campus.term, campus.site, slots=((5, "09:00", "10:00"),))
    full = f.section(campus.term, campus.site, capacity=1, waitlist=False, slots=((6, "09:00", "10:00"),))
    enrol.do_enrol(by=a.account, section=full, retiree=a)
    yield "full", f.person(org), full
    closed_term = f.term(campus.school, open_now=False)
    yield "closed", f.person(org), f.section(closed_term, campus.site)


def test_it_shows_every_refusal_with_its_code_and_words(campus) -> None:
    seen = []
    for code, person, section in _refusal_cases(campus):
        answer = _post(login_client(person.account), section)
        assert answer.status_code == 409, code
        assert _status(answer) == ("refused", code)
        seen.append(code)
    assert seen == ["not_eligible", "duplicate", "clash", "limit", "full", "closed"]


def test_it_refuses_a_person_over_the_age_limit_until_a_pledge_is_on_file(campus) -> None:
    record = campus.cast.retiree_record  # 82 this year, above the school's 80
    client = login_client(campus.cast.retiree)
    answer = _post(client, campus.section)
    assert _status(answer) == ("refused", "not_eligible")
    SafetyPledge.objects.create(retiree=record, school=campus.school, signed_by="张秀英", signed_on="2026-01-01")
    answer = _post(client, campus.section)
    assert answer.status_code == 302
    assert Enrolment.objects.get(retiree=record).status == "enrolled"


def test_it_lets_family_act_for_a_recorded_relative_and_no_one_else(campus) -> None:
    cast = campus.cast
    client = login_client(cast.family)  # 张秀英, recorded as 张建国's daughter
    SafetyPledge.objects.create(
        retiree=cast.retiree_record, school=campus.school, signed_by="张秀英", signed_on="2026-01-01"
    )
    page = client.get(f"/campus/classes/?for={cast.retiree_record.pk}").content.decode()
    assert cast.retiree_record.name in page and 'aria-current="page"' in page
    answer = _post(client, campus.section, **{"for": str(cast.retiree_record.pk)})
    assert answer["Location"].endswith(f"?for={cast.retiree_record.pk}")
    made = Enrolment.objects.get(retiree=cast.retiree_record)
    assert made.on_behalf and made.by == cast.family
    stranger = f.person(cast.tree.unit_a)
    refused = _post(client, campus.section, **{"for": str(stranger.pk)})
    assert _status(refused) == ("refused", "not_relative")
    assert not Enrolment.objects.filter(retiree=stranger).exists()
    junk = client.get("/campus/me/?for=abc")
    assert junk.status_code == 200 and 'data-code="not_relative"' in junk.content.decode()


def test_it_lets_staff_acting_for_a_retiree_enrol_them_only_with_the_registrars_right(campus) -> None:
    from yinling.registry.accounts import ACTING_SESSION_KEY

    cast = campus.cast
    person = f.person(cast.tree.unit_a)
    for user, allowed in ((cast.clerk, True), (cast.leader, False)):
        client = login_client(user)
        session = client.session
        session[ACTING_SESSION_KEY] = {"id": person.pk, "name": person.name}
        session.save()
        page = client.get("/campus/classes/")
        if page.status_code == 404:  # this persona may not act for the person at all
            assert not allowed
            continue
        answer = _post(client, campus.section)
        assert (answer.status_code == 302) is allowed, user
    made = Enrolment.objects.get(retiree=person)
    assert made.on_behalf and made.by == cast.clerk


def test_it_offers_a_freed_seat_and_the_page_accepts_it(campus) -> None:
    org = campus.cast.tree.unit_a
    a, b, c, d = (f.person(org) for _ in range(4))
    for person in (a, b, c, d):
        enrol.do_enrol(by=person.account, section=campus.section, retiree=person)
    enrol.do_withdraw(by=a.account, section=campus.section, retiree=a)
    client = login_client(c.account)
    mine = client.get("/campus/me/").content.decode()
    assert 'data-status="offered"' in mine and "campus-accept" in mine
    answer = client.post(f"/campus/classes/{campus.section.pk}/accept/")
    assert answer.status_code == 302 and answer["Location"] == "/campus/me/"
    assert Enrolment.objects.get(retiree=c, status__in=["enrolled"]).section == campus.section
    # Declining passes the seat on: b leaves, d is offered it and declines.
    enrol.do_withdraw(by=b.account, section=campus.section, retiree=b)
    client_d = login_client(d.account)
    client_d.post(f"/campus/classes/{campus.section.pk}/decline/")
    assert Enrolment.objects.filter(retiree=d).latest("pk").status == "declined"
    # Nothing to accept any more: the refusal is flashed.
    again = client_d.post(f"/campus/classes/{campus.section.pk}/accept/")
    flashed = [(m.level_tag, m.message) for m in get_messages(again.wsgi_request)]
    assert flashed and flashed[-1][0] == "error", flashed
    assert Enrolment.objects.filter(retiree=d).latest("pk").status == "declined"


def test_it_asks_before_withdrawing_and_then_withdraws(campus) -> None:
    a = f.person(campus.cast.tree.unit_a)
    enrol.do_enrol(by=a.account, section=campus.section, retiree=a)
    client = login_client(a.account)
    page = client.get(f"/campus/classes/{campus.section.pk}/withdraw/")
    assert page.status_code == 200 and 'id="campus-withdraw"' in page.content.decode()
    assert Enrolment.objects.get(retiree=a).status == "enrolled"  # a GET changes nothing
    answer = client.post(f"/campus/classes/{campus.section.pk}/withdraw/")
    assert answer.status_code == 302
    assert Enrolment.objects.get(retiree=a).status == "withdrawn"


def test_it_lists_the_nearest_classes_first_with_distance_and_time(campus) -> None:
    home = Org.objects.create(
        code="330106S77",
        name="文新社区",
        kind=Org.Kind.STATION,
        parent=campus.cast.tree.county_a,
        latitude=Decimal("30.280000"),
        longitude=Decimal("120.120000"),
    )
    a = f.person(home)
    far_site = f.site(campus.school, lat="30.400000", lng="120.300000")  # about 22 km
    near_site = f.site(campus.school, lat="30.281000", lng="120.121000")  # about 150 m
    far = f.section(campus.term, far_site, f.course(campus.school, "远处的课"))
    near = f.section(
        campus.term, near_site, f.course(campus.school, "太极拳", "taichi"), slots=((3, "09:00", "11:00"),)
    )
    page = login_client(a.account).get("/campus/classes/").content.decode()
    assert page.index("太极拳") < page.index("远处的课")
    assert "每周三 9:00–11:00" in page
    assert f"/campus/classes/{near.pk}/" in page and f"/campus/classes/{far.pk}/" in page
    chips = login_client(a.account).get("/campus/classes/?category=taichi").content.decode()
    assert "太极拳" in chips and "远处的课" not in chips


def test_it_lists_classes_and_my_classes_in_a_fixed_number_of_queries(campus) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = f.person(campus.cast.tree.unit_a)
    client = login_client(a.account)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            assert client.get("/campus/classes/").status_code == 200
        with CaptureQueriesContext(connection) as mine:
            assert client.get("/campus/me/").status_code == 200
        return len(listing.captured_queries), len(mine.captured_queries)

    enrol.do_enrol(by=a.account, section=campus.section, retiree=a)
    counts()  # warm: the session and the user's grants
    few = counts()
    for day in range(2, 8):
        s = f.section(campus.term, f.site(campus.school), slots=((day, "09:00", "10:00"),))
        if day == 2:
            enrol.do_enrol(by=a.account, section=s, retiree=a)
    assert counts() == few
