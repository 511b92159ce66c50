"""The time bank speaks the user's language: English source messages, Chinese (the bureau's) by default.

Refusals, eligibility problems and choice labels follow the request's language (the `django_language`
cookie, see yinling/core/middleware.py); what the ledger stores as data (transfer reasons) stays in
the bureau's language whoever acts.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from yinling.registry.models import Retiree
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, ServiceRequest, Transfer
from yinling.timebank.tests.factories import person, sign_in_account

pytestmark = pytest.mark.django_db
H = Decimal
BASE = "/api/v1/timebank"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def api(user: Any, language: str | None = None) -> APIClient:
    client = APIClient()
    if language is not None:
        client.cookies["django_language"] = language
    client.force_authenticate(user)
    return client


def page(user: Any, language: str | None = None) -> Client:
    client = Client()
    if language is not None:
        client.cookies["django_language"] = language
    client.force_login(user)
    return client


@pytest.fixture
def elder(personas: Personas, funded: Account) -> Retiree:
    """A member aged 86 with 1.5 hours and a sign-in account."""
    r = person(personas.tree.unit_a, age=86, name="李秀英", living="alone")
    services.do_grant(by=personas.owner, retiree=r, hours=H("1.5"), reason="高龄")
    sign_in_account(r, elder_mode=False)
    return r


@pytest.fixture
def helper(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=63, name="王志强")
    services.do_join(by=personas.owner, retiree=r, as_provider=True)
    return r


# --- refusals -----------------------------------------------------------------------------------


def test_it_refuses_in_english_through_the_api_when_english_is_chosen(elder: Retiree) -> None:
    r = api(elder.account, "en").post(f"{BASE}/donations/", {"hours": "2"})
    assert r.status_code == 409
    assert r.json() == {"error": "insufficient_balance", "message": "Not enough hours: 1.50 available, 2.00 needed."}
    assert r["Content-Language"] == "en"


def test_it_refuses_in_chinese_through_the_api_by_default(elder: Retiree) -> None:
    r = api(elder.account).post(f"{BASE}/donations/", {"hours": "2"})
    assert r.status_code == 409
    assert r.json() == {"error": "insufficient_balance", "message": "余额不足：可用 1.50 小时，需要 2.00 小时"}


def test_it_keeps_the_error_code_whatever_the_language(elder: Retiree) -> None:
    english = api(elder.account, "en").post(f"{BASE}/donations/", {"hours": "0.3"})
    chinese = api(elder.account, "zh-hans").post(f"{BASE}/donations/", {"hours": "0.3"})
    assert english.status_code == chinese.status_code == 409
    assert english.json()["error"] == chinese.json()["error"] == "invalid_amount"
    assert english.json()["message"] == "The hours must be a whole multiple of 0.5 hours."
    assert chinese.json()["message"] == "时长须为 0.5 小时的整数倍"


def test_it_answers_a_non_member_in_the_chosen_language(personas: Personas) -> None:
    r = person(personas.tree.unit_a, age=70)
    sign_in_account(r)
    assert api(r.account, "en").get(f"{BASE}/accounts/me/").json()["message"] == "Not a member of the time bank yet."
    assert api(r.account).get(f"{BASE}/accounts/me/").json()["message"] == "尚未加入时间银行"


def test_it_raises_refusals_in_the_active_language(personas: Personas, helper: Retiree) -> None:
    with translation.override("en"), pytest.raises(Refused) as english:
        services.do_join(by=personas.owner, retiree=person(personas.tree.unit_a, age=82), as_provider=True)
    assert english.value.code == "not_eligible"
    assert english.value.message == "Helpers must be between 55 and 75 years old."
    with pytest.raises(Refused) as chinese:
        services.do_join(by=personas.owner, retiree=person(personas.tree.unit_a, age=82), as_provider=True)
    assert chinese.value.code == "not_eligible"
    assert chinese.value.message == "服务者年龄须在 55–75 岁之间"


def test_it_shows_a_page_refusal_in_english_when_english_is_chosen(personas: Personas) -> None:
    r = person(personas.tree.unit_a, age=82)
    sign_in_account(r)
    english = page(r.account, "en").post("/timebank/join/", {"as_provider": "on"}, follow=True)
    assert "Helpers must be between 55 and 75 years old." in english.content.decode()
    chinese = page(r.account).post("/timebank/join/", {"as_provider": "on"}, follow=True)
    assert "服务者年龄须在 55–75 岁之间" in chinese.content.decode()


# --- labels -------------------------------------------------------------------------------------


def test_it_labels_categories_in_english_when_english_is_active() -> None:
    need = ServiceRequest(category=ServiceRequest.Category.MEALS)
    with translation.override("en"):
        assert need.get_category_display() == "Meals"
        assert str(ServiceRequest.Category.SMARTPHONE.label) == "Smartphone lessons"
        assert not any(CHINESE.search(str(label)) for _value, label in ServiceRequest.Category.choices)


def test_it_labels_categories_in_chinese_by_default() -> None:
    assert ServiceRequest(category=ServiceRequest.Category.MEALS).get_category_display() == "助餐"
    assert [str(label) for _value, label in ServiceRequest.Category.choices] == [
        "陪伴聊天",
        "代购代办",
        "助餐",
        "助洁",
        "陪同就医",
        "理发",
        "智能手机教学",
        "其他",
    ]


def test_it_names_a_pool_in_the_active_language(personas: Personas, funded: Account) -> None:
    org = personas.tree.city_a
    assert str(funded) == f"{org} 互助池"
    with translation.override("en"):
        assert str(funded) == f"{org} mutual-aid pool"


def test_it_shows_the_need_form_in_the_chosen_language(elder: Retiree) -> None:
    english = page(elder.account, "en").get("/timebank/needs/new/").content.decode()
    assert "Escort to the doctor" in english and "1.5 hours" in english
    assert "陪同就医" not in english and "1.5 小时" not in english
    chinese = page(elder.account).get("/timebank/needs/new/").content.decode()
    assert "陪同就医" in chinese and "1.5 小时" in chinese


# --- data stays in the bureau's language ----------------------------------------------------------


def test_it_records_the_service_reason_in_chinese_whatever_the_language(
    personas: Personas, elder: Retiree, helper: Retiree
) -> None:
    start = timezone.now() - dt.timedelta(hours=3)
    with translation.override("en"):
        need = services.do_post_need(
            by=personas.owner,
            recipient=elder,
            category=ServiceRequest.Category.MEALS,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            expected_hours=H("1"),
        )
        need = services.do_accept(by=personas.owner, need=need, provider=helper)
        need = services.do_report(by=personas.owner, need=need, hours=H("1"))
        services.do_confirm(by=personas.owner, need=need, rating=5, on_behalf=True)
    payment = Transfer.objects.get(kind=Transfer.Kind.SERVICE, request=need)
    assert payment.reason == "助餐服务"
