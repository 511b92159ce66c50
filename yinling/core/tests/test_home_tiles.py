"""A retiree's home (core/tiles.py): cards for what waits for them first, module tiles with their counts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import make_personas
from yinling.timebank import services
from yinling.timebank.tests.factories import person, service_to_confirm, sign_in_account

pytestmark = pytest.mark.django_db
H = Decimal


def tiles(page: str) -> list[str]:
    return re.findall(r'<span class="yl-tile-label">([^<]+)</span>', page)


def test_it_puts_a_service_to_confirm_first_and_counts_it_on_the_tile() -> None:
    elder, helper, need = service_to_confirm(make_personas())
    sign_in_account(elder)
    page = login_client(elder.account).get("/").content.decode()
    assert "等您处理" in page and "有一项服务等您确认" in page and "王志强" in page
    assert f'href="/timebank/needs/{need.pk}/confirm/"' in page
    assert tiles(page)[:1] == ["时间银行"] and "我的档案" in tiles(page)
    assert "1 项待办" in page
    # The helper has nothing to confirm: no card, no count.
    sign_in_account(helper)
    theirs = login_client(helper.account).get("/").content.decode()
    assert "等您处理" not in theirs and "项待办" not in theirs and "时间银行" in tiles(theirs)
    # Once confirmed, the card is gone.
    services.do_confirm(by=None, need=need, rating=5)
    assert "有一项服务等您确认" not in login_client(elder.account).get("/").content.decode()


def test_it_shows_a_newcomer_the_tiles_without_cards() -> None:
    p = make_personas()
    elder = person(p.tree.unit_a, age=70, name="赵新")
    sign_in_account(elder)
    page = login_client(elder.account).get("/").content.decode()
    assert "等您处理" not in page
    assert tiles(page) == ["时间银行", "我的志愿服务", "老年大学", "网上办事", "其他网上服务", "通知", "我的档案"]


def test_it_puts_the_newest_unread_notice_first_and_counts_them() -> None:
    from yinling.notifications.services import notify

    p = make_personas()
    elder = person(p.tree.unit_a, age=70, name="赵新")
    sign_in_account(elder)
    notify(elder.account, "test", "重阳节活动改在周五举行。", "/timebank/")
    newest = notify(elder.account, "test", "本月慰问金已发放。", "/timebank/")[0]
    page = login_client(elder.account).get("/").content.decode()
    assert "新通知" in page and "本月慰问金已发放。" in page and "重阳节活动" not in page
    assert f'href="/notifications/{newest.pk}/"' in page and "2 项待办" in page
    login_client(elder.account).get(f"/notifications/{newest.pk}/")  # opening it marks it read
    again = login_client(elder.account).get("/").content.decode()
    assert "重阳节活动改在周五举行。" in again and "1 项待办" in again
