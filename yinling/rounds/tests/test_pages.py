"""Every page and form as every persona (the 404/403 rule), the live round page, the one-tap answers, the
member's two buttons for themselves and for a parent, closing with the report, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yinling.audit.models import AuditRecord
from yinling.rounds.models import Round, RoundEntry
from yinling.rounds.services import do_close_round, do_record_entry
from yinling.rounds.tests.factories import entry_of, open_round
from yinling.testing.personas import PERSONAS, Cast, cast_clients

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page

# persona -> (list, detail, counts, report, xlsx, entry page, open page, close page)
GETS: dict[str, tuple[Any, ...]] = {
    "anonymous": (LOGIN,) * 8,
    "norole": (403, 404, 404, 404, 404, 404, 403, 404),
    "outsider": (200, 404, 404, 404, 404, 404, 200, 404),
    "clerk": (200, 200, 200, 200, 200, 200, 403, 403),
    "bureau_admin": (200, 200, 200, 200, 200, 200, 200, 200),
    "leader": (200, 200, 200, 200, 403, 403, 403, 403),
    "system_admin": (403, 403, 403, 403, 403, 403, 403, 403),
    "security_admin": (403, 403, 403, 403, 403, 403, 403, 403),
    "audit_admin": (403, 403, 403, 403, 403, 403, 403, 403),
    "retiree": (403, 404, 404, 404, 404, 404, 403, 404),
    "family": (403, 404, 404, 404, 404, 404, 403, 404),
}


def answer(response: Any) -> Any:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.fixture
def world(cast: Cast) -> tuple[Cast, Round, RoundEntry, dict[str, Client]]:
    found = open_round(cast)
    return cast, found, entry_of(found, cast.retiree_record), cast_clients(cast)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_every_staff_page_by_the_scope_rule(world: Any, persona: str) -> None:
    _cast, found, entry, clients = world
    client = clients[persona]
    base = f"/rounds/{found.pk}/"
    urls = [
        "/rounds/",
        base,
        f"{base}counts/",
        f"{base}report/",
        f"{base}report/?export=xlsx",
        f"{base}entries/{entry.pk}/",
        "/rounds/open/",
        f"{base}close/",
    ]
    got = tuple(answer(client.get(url)) for url in urls)
    assert got == GETS[persona]


# persona -> (quick POST, entry POST, close POST, open POST)
POSTS: dict[str, tuple[Any, ...]] = {
    "anonymous": (LOGIN,) * 4,
    "norole": (404, 404, 404, 403),
    "outsider": (404, 404, 404, 200),  # the form again: city A is not an org they may choose
    "clerk": (302, 302, 403, 403),
    "bureau_admin": (302, 302, 302, 302),
    "leader": (403, 403, 403, 403),
    "system_admin": (403, 403, 403, 403),
    "security_admin": (403, 403, 403, 403),
    "audit_admin": (403, 403, 403, 403),
    "retiree": (404, 404, 404, 403),
    "family": (404, 404, 404, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_takes_the_staff_forms_only_from_those_with_the_right(world: Any, persona: str) -> None:
    cast, found, entry, clients = world
    client = clients[persona]
    base = f"/rounds/{found.pk}/"
    got = (
        answer(client.post(f"{base}entries/{entry.pk}/quick/", {"status": "safe"})),
        answer(client.post(f"{base}entries/{entry.pk}/", {"status": "needs_help", "source": "visit", "needs": "药"})),
        answer(client.post(f"{base}close/", {"report": "已结束"})),
        answer(client.post("/rounds/open/", {"org": cast.tree.county_a.code, "title": "暴雨平安报"})),
    )
    assert got == POSTS[persona]
    recorded = RoundEntry.objects.unrestricted().get(pk=entry.pk)
    assert (recorded.version > 0) == (persona in ("clerk", "bureau_admin"))


# persona -> (my page, the retiree's question, POST 我平安, the help page, POST needs)
MEMBER: dict[str, tuple[Any, ...]] = {
    "anonymous": (LOGIN,) * 5,
    "retiree": (200, 200, 302, 200, 302),
    "family": (200, 200, 302, 200, 302),
    **{p: (302, 404, 404, 404, 404) for p in PERSONAS if p not in ("anonymous", "retiree", "family")},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_person_and_their_relative_answer_on_the_member_pages(world: Any, persona: str) -> None:
    _cast, _found, entry, clients = world
    client = clients[persona]
    got = (
        answer(client.get("/rounds/me/")),
        answer(client.get(f"/rounds/me/{entry.pk}/")),
        answer(client.post(f"/rounds/me/{entry.pk}/")),
        answer(client.get(f"/rounds/me/{entry.pk}/help/")),
        answer(client.post(f"/rounds/me/{entry.pk}/help/", {"needs": "停电了"})),
    )
    assert got == MEMBER[persona]


def test_it_asks_the_retiree_and_records_their_own_answer(world: Any) -> None:
    cast, found, entry, clients = world
    client = clients["retiree"]
    home = client.get("/rounds/me/").content.decode()
    assert found.title in home and f"/rounds/me/{entry.pk}/" in home
    page = client.get(f"/rounds/me/{entry.pk}/").content.decode()
    assert "round-safe" in page and f"/rounds/me/{entry.pk}/help/" in page
    client.post(f"/rounds/me/{entry.pk}/help/", {"needs": "降压药快吃完了"})
    saved = RoundEntry.objects.unrestricted().get(pk=entry.pk)
    assert (saved.status, saved.needs, saved.source, saved.recorded_by) == (
        "needs_help",
        "降压药快吃完了",
        "self",
        cast.retiree,
    )


def test_it_lets_the_daughter_answer_for_her_father(world: Any) -> None:
    cast, _found, entry, clients = world
    client = clients["family"]
    page = client.get("/rounds/me/").content.decode()
    assert cast.retiree_record.name in page  # her own question and her father's
    assert client.post(f"/rounds/me/{entry.pk}/").status_code == 302
    saved = RoundEntry.objects.unrestricted().get(pk=entry.pk)
    assert (saved.status, saved.source, saved.recorded_by) == ("safe", "family", cast.family)


def test_it_asks_for_the_needs_and_never_fails_on_bad_input(world: Any) -> None:
    _cast, found, entry, clients = world
    member = clients["retiree"]
    empty = member.post(f"/rounds/me/{entry.pk}/help/", {"needs": "  "})
    assert empty.status_code == 200 and "rn-needs" in empty.content.decode()
    long = member.post(f"/rounds/me/{entry.pk}/help/", {"needs": "x" * 1001})
    assert long.status_code == 200
    staff = clients["clerk"]
    base = f"/rounds/{found.pk}/entries/{entry.pk}/"
    for data in (
        {"status": "needs_help", "source": "call", "needs": ""},
        {"status": "lost", "source": "call"},
        {"status": "safe", "source": "telepathy"},
        {"status": "safe", "source": "call", "version": "abc"},
        {"status": "safe", "source": "call", "version": "99999999999999999999"},
    ):
        assert staff.post(base, data).status_code == 200, data  # the form again, with the field named
    assert staff.post(f"{base}quick/", {"status": "needs_help"}).status_code == 302
    assert staff.get(f"/rounds/{found.pk}/?status=bogus&org=nope&page=x").status_code == 200
    assert staff.get(f"/rounds/{found.pk}/entries/99999999/").status_code == 404
    assert RoundEntry.objects.unrestricted().get(pk=entry.pk).version == 0


def test_it_shows_the_round_live_and_who_is_not_reached_yet(world: Any) -> None:
    cast, found, entry, clients = world
    client = clients["bureau_admin"]
    page = client.get(f"/rounds/{found.pk}/").content.decode()
    assert f'hx-get="/rounds/{found.pk}/counts/"' in page and 'hx-trigger="every 5s"' in page
    assert cast.retiree_record.name in page and cast.family_record.name in page
    client.post(f"/rounds/{found.pk}/entries/{entry.pk}/quick/", {"status": "safe", "version": "0"})
    page = client.get(f"/rounds/{found.pk}/").content.decode()
    assert f'data-entry="{entry.pk}"' not in page  # reached: gone from the default list
    counts = client.get(f"/rounds/{found.pk}/counts/").content.decode()
    assert 'data-status="safe">1<' in counts and 'data-not-reached="1"' in counts
    # Filtered by org (the unit only) and by status.
    unit = client.get(f"/rounds/{found.pk}/?status=safe&org={cast.tree.unit_a.code}").content.decode()
    assert f'data-entry="{entry.pk}"' in unit
    # A stale one-tap (someone answered since the list was shown) is refused, not applied.
    client.post(f"/rounds/{found.pk}/entries/{entry.pk}/quick/", {"status": "unreachable", "version": "0"})
    assert RoundEntry.objects.unrestricted().get(pk=entry.pk).status == "safe"


def test_it_closes_with_a_report_page_an_xlsx_and_stops_polling(world: Any) -> None:
    cast, found, entry, clients = world
    do_record_entry(by=cast.clerk, entry=entry, status="needs_help", needs="需要送水")
    client = clients["bureau_admin"]
    assert client.post(f"/rounds/{found.pk}/close/", {"report": "台风已过境"}).status_code == 302
    report = client.get(f"/rounds/{found.pk}/report/").content.decode()
    assert "台风已过境" in report and "需要送水" in report and cast.retiree_record.name in report
    detail = client.get(f"/rounds/{found.pk}/").content.decode()
    assert 'hx-trigger="every 5s"' not in detail and "/quick/" not in detail
    sheet = client.get(f"/rounds/{found.pk}/report/?export=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditRecord.objects.filter(action="export", object_type="rounds.round").count() == 1
    again = client.post(f"/rounds/{found.pk}/close/", {"report": "x"})
    assert again.status_code == 200  # the form again, with the refusal on it
    assert Round.objects.unrestricted().get(pk=found.pk).report == "台风已过境"


def test_it_refuses_a_late_answer_on_the_member_page_with_a_message(world: Any) -> None:
    cast, found, entry, clients = world
    do_close_round(by=cast.bureau_admin, round_=found)
    # A closed round asks nothing: the question is gone.
    assert clients["retiree"].get(f"/rounds/me/{entry.pk}/").status_code == 404


def test_it_puts_the_question_first_on_the_retirees_home(world: Any) -> None:
    cast, found, entry, clients = world
    home = clients["retiree"].get("/").content.decode()
    assert f"/rounds/me/{entry.pk}/" in home and found.title in home
    do_record_entry(by=cast.retiree, entry=entry, status="safe")
    assert f"/rounds/me/{entry.pk}/" not in clients["retiree"].get("/").content.decode()


def test_it_keeps_the_default_list_when_paging(world: Any) -> None:
    cast, found, entry, clients = world
    do_record_entry(by=cast.clerk, entry=entry, status="safe")
    page = clients["bureau_admin"].get(f"/rounds/{found.pk}/?page=1").content.decode()
    assert f'data-entry="{entry.pk}"' not in page  # still "not reached yet" only
    everyone = clients["bureau_admin"].get(f"/rounds/{found.pk}/?status=&page=1").content.decode()
    assert f'data-entry="{entry.pk}"' in everyone


def test_it_lets_a_clerk_acting_for_the_retiree_answer_on_their_pages(world: Any) -> None:
    cast, _found, entry, clients = world
    clerk = clients["clerk"]
    assert clerk.post(f"/registry/{cast.retiree_record.pk}/act/").status_code == 302
    page = clerk.get("/rounds/me/").content.decode()
    assert f"/rounds/me/{entry.pk}/" in page and cast.retiree_record.name in page
    assert clerk.post(f"/rounds/me/{entry.pk}/").status_code == 302
    saved = RoundEntry.objects.unrestricted().get(pk=entry.pk)
    assert (saved.status, saved.source, saved.recorded_by) == ("safe", "call", cast.clerk)
    record = AuditRecord.objects.filter(object_type="rounds.roundentry").get()
    assert record.on_behalf_of.startswith(f"retiree:{cast.retiree_record.pk}")


def test_the_live_page_offers_the_taps_only_for_people_the_user_may_record(cast: Cast) -> None:
    """A leader of the city who is also a clerk of county A1 sees the whole city but records only the county's
    people: the buttons follow the rule the tap and the API apply (the person's org)."""
    from yinling.accounts import roles
    from yinling.accounts.models import RoleAssignment
    from yinling.rounds.tests.factories import person

    city_person = person(cast.tree.city_a, "王城市", 90)
    found = open_round(cast)
    mixed = cast.leader
    RoleAssignment.objects.filter(user=mixed).delete()
    RoleAssignment.objects.create(user=mixed, role=roles.LEADER, org=cast.tree.city_a)
    RoleAssignment.objects.create(user=mixed, role=roles.CLERK, org=cast.tree.county_a)
    client = Client()
    client.force_login(mixed)
    page = client.get(f"/rounds/{found.pk}/?status=not_reached").content.decode()
    county_entry = entry_of(found, cast.retiree_record)
    city_entry = entry_of(found, city_person)
    assert f"/entries/{county_entry.pk}/quick/" in page
    assert f"/entries/{city_entry.pk}/quick/" not in page
    assert f'data-entry="{city_entry.pk}"' in page
