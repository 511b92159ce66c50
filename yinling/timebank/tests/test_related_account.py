"""A retiree's record shows their time bank account (#11, core/related.py): the balance and a link to the account
page for staff who may view accounts there; nothing for a role without that right, nor for a retiree without one."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def related(client: object, pk: int) -> dict[str, tuple[str, str]]:
    response = client.get(f"/registry/{pk}/")  # type: ignore[attr-defined]
    assert response.status_code == 200
    found = re.findall(
        r'<a class="yl-related-item" href="([^"]*)"><span class="yl-related-value">([^<]*)</span> '
        r'<span class="yl-related-label">([^<]*)</span>',
        response.content.decode(),
    )
    return {unescape(label): (unescape(value), unescape(href)) for href, value, label in found}


def _member(cast: Cast) -> None:
    from yinling.timebank import services

    by = cast.bureau_admin
    services.do_issue(by=by, org=cast.tree.city_a, hours=Decimal("100"), reason="年度发放", document_no="1号")
    services.do_join(by=by, retiree=cast.retiree_record)
    services.do_grant(by=by, retiree=cast.retiree_record, hours=Decimal("3.5"), reason="慰问")


def test_it_shows_the_account_with_its_balance_and_link_to_a_clerk_in_scope(cast: Cast) -> None:
    from yinling.timebank.models import Account

    _member(cast)
    balance = Account.objects.unrestricted().get(retiree=cast.retiree_record).balance
    assert balance >= Decimal("3.5")
    shown = related(login_client(cast.clerk), cast.retiree_record.pk)
    assert shown["时间银行账户"] == (f"{balance} 小时", f"/timebank/members/{cast.retiree_record.pk}/")
    client = login_client(cast.clerk)
    assert client.get(f"/timebank/members/{cast.retiree_record.pk}/").status_code == 200  # the link opens


def test_it_hides_the_account_from_a_role_without_the_time_bank(cast: Cast) -> None:
    _member(cast)
    # The system admin sees the record (masked) but holds no time bank right.
    shown = related(login_client(cast.system_admin), cast.retiree_record.pk)
    assert "时间银行账户" not in shown


def test_it_shows_nothing_for_a_retiree_without_an_account(cast: Cast) -> None:
    _member(cast)
    assert "时间银行账户" in related(login_client(cast.clerk), cast.retiree_record.pk)
    assert "时间银行账户" not in related(login_client(cast.clerk), cast.family_record.pk)
