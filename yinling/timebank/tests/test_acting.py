"""Who acts for whom, the same through the pages and the API: a member for themselves or a recorded
relative (family on their behalf), never for a stranger, and an unknown id answered like a stranger's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yinling.core.refusals import Refused
from yinling.registry.models import Retiree
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.models import Account, Offer, ServiceRequest
from yinling.timebank.services import offers as service_offers
from yinling.timebank.tests.factories import person, relate, sign_in_account

pytestmark = pytest.mark.django_db
API = "/api/v1/timebank"


def page(r: Retiree) -> Client:
    client = Client()
    client.force_login(r.account)
    return client


def api(r: Retiree) -> APIClient:
    client = APIClient()
    client.force_authenticate(r.account)
    return client


def need_form(**extra: Any) -> dict[str, Any]:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    return {"category": "meals", "day": tomorrow, "start": "10:00", "expected_hours": "1.5", **extra}


def need_body(**extra: Any) -> dict[str, Any]:
    start = timezone.now() + dt.timedelta(days=1)
    window = {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=3)).isoformat()}
    return {"category": "meals", "expected_hours": "1.5", **window, **extra}


def book_form(**extra: Any) -> dict[str, Any]:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    return {"day": tomorrow, "start": "10:00", "expected_hours": "1.5", **extra}


@pytest.fixture
def daughter(personas: Personas) -> Retiree:
    """A member with a sign-in account whose mother is recorded as her relative."""
    r = person(personas.tree.unit_a, age=62, name="李春梅")
    services.do_join(by=None, retiree=r)
    sign_in_account(r, elder_mode=False)
    return r


@pytest.fixture
def mother(personas: Personas, daughter: Retiree) -> Retiree:
    r = person(personas.tree.county_b, age=88, name="赵桂英")
    relate(daughter, r, "母亲")
    return r


@pytest.fixture
def stranger(personas: Personas) -> Retiree:
    return person(personas.tree.unit_a, age=85, name="孙建国")


@pytest.fixture
def offer(personas: Personas) -> Offer:
    helper = person(personas.tree.unit_a, age=64, name="王志强")
    services.do_join(by=None, retiree=helper, as_provider=True)
    return service_offers.publish(by=None, provider=helper, category="smartphone", skill="教用智能手机")


def needs_for(r: Retiree) -> list[ServiceRequest]:
    return list(ServiceRequest.objects.filter(recipient__retiree=r))


# --- posting a need for a relative ---------------------------------------------------------------------


def test_it_lets_a_member_post_a_need_for_a_relative_on_the_page(daughter: Retiree, mother: Retiree) -> None:
    form = page(daughter).get("/timebank/needs/new/").content.decode()
    assert f'value="{mother.pk}"' in form and "赵桂英" in form
    r = page(daughter).post("/timebank/needs/new/", need_form(for_whom=mother.pk))
    assert r.status_code == 302, r.content.decode()
    [need] = needs_for(mother)
    assert need.posted_by == daughter.account
    assert needs_for(daughter) == []


def test_it_lets_a_member_post_a_need_for_a_relative_through_the_api(daughter: Retiree, mother: Retiree) -> None:
    r = api(daughter).post(f"{API}/requests/", need_body(recipient=mother.pk), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["recipient"]["retiree"] == mother.pk


def test_it_refuses_a_need_for_a_stranger_on_the_page_and_through_the_api(
    daughter: Retiree, mother: Retiree, stranger: Retiree
) -> None:
    r = page(daughter).post("/timebank/needs/new/", need_form(for_whom=stranger.pk))
    assert r.status_code == 200 and "for_whom" in r.context["form"].errors
    r = api(daughter).post(f"{API}/requests/", need_body(recipient=stranger.pk), format="json")
    assert r.status_code == 409 and r.json()["error"] == "not_relative"
    assert needs_for(stranger) == []


def test_it_refuses_a_stranger_in_the_service_whoever_calls_it(daughter: Retiree, stranger: Retiree) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(Refused) as exc:
        services.do_post_need(
            by=daughter.account,
            recipient=stranger,
            poster=daughter,
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            expected_hours=Decimal("1"),
        )
    assert exc.value.code == "not_relative"


# --- booking an offer for a relative -------------------------------------------------------------------


def test_it_lets_a_member_book_an_offer_for_a_relative_on_the_page(
    daughter: Retiree, mother: Retiree, offer: Offer
) -> None:
    r = page(daughter).post(f"/timebank/offers/{offer.pk}/book/", book_form(for_whom=mother.pk))
    assert r.status_code == 302, r.content.decode()
    [need] = needs_for(mother)
    assert need.offer_id == offer.pk and need.status == "accepted"


def test_it_lets_a_member_book_an_offer_for_a_relative_through_the_api(
    daughter: Retiree, mother: Retiree, offer: Offer
) -> None:
    body = need_body(recipient=mother.pk)
    del body["category"]
    r = api(daughter).post(f"{API}/offers/{offer.pk}/book/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["recipient"]["retiree"] == mother.pk and r.json()["status"] == "accepted"


def test_it_refuses_to_book_for_a_stranger_through_the_api(daughter: Retiree, stranger: Retiree, offer: Offer) -> None:
    body = need_body(recipient=stranger.pk)
    del body["category"]
    r = api(daughter).post(f"{API}/offers/{offer.pk}/book/", body, format="json")
    assert r.status_code == 409 and r.json()["error"] == "not_relative"
    assert needs_for(stranger) == []


# --- the same offers on the page and in the API --------------------------------------------------------


def test_it_lists_the_same_offers_in_the_api_as_on_the_page(daughter: Retiree, offer: Offer) -> None:
    # The helper stops being a provider: the offer stays active, but neither list may show it.
    Account.objects.filter(pk=offer.provider_id).update(is_provider=False)
    on_page = page(daughter).get("/timebank/offers/")
    assert list(on_page.context["page"].object_list) == []
    in_api = api(daughter).get(f"{API}/offers/").json()
    rows = in_api["results"] if isinstance(in_api, dict) else in_api
    assert [row["id"] for row in rows] == []


def test_it_lists_an_offer_of_a_registered_helper_in_both(daughter: Retiree, offer: Offer) -> None:
    on_page = page(daughter).get("/timebank/offers/")
    assert [o.pk for o in on_page.context["page"].object_list] == [offer.pk]
    in_api = api(daughter).get(f"{API}/offers/").json()
    rows = in_api["results"] if isinstance(in_api, dict) else in_api
    assert [row["id"] for row in rows] == [offer.pk]


# --- ids cannot be probed ------------------------------------------------------------------------------


def test_it_answers_an_unknown_id_exactly_like_a_strangers(
    daughter: Retiree, stranger: Retiree, offer: Offer, personas: Personas
) -> None:
    deleted = person(personas.tree.unit_a, age=80, name="周德明")
    Retiree.objects.filter(pk=deleted.pk).update(is_deleted=True)
    missing = Retiree.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000  # type: ignore[operator]
    client = api(daughter)
    for url, body in (
        (f"{API}/requests/", need_body),
        (f"{API}/offers/{offer.pk}/book/", lambda **kw: {k: v for k, v in need_body(**kw).items() if k != "category"}),
    ):
        answers = []
        for pk in (stranger.pk, missing, deleted.pk):
            r = client.post(url, body(recipient=pk), format="json")
            answers.append((r.status_code, r.json()))
        assert answers[0][0] == 409 and answers[0] == answers[1] == answers[2], (url, answers)
    gifts = []
    for pk in (stranger.pk, missing, deleted.pk):
        r = client.post(f"{API}/gifts/", {"to": pk, "hours": "1"}, format="json")
        gifts.append((r.status_code, r.json()))
    assert gifts[0][0] == 409 and gifts[0] == gifts[1] == gifts[2], gifts
