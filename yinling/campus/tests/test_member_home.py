"""The home page's tile into the classes and the card of an offered seat waiting for an answer."""

from __future__ import annotations

import pytest

from yinling.campus.services import enrol
from yinling.campus.tests import factories as f
from yinling.testing.permissions import login_client

pytestmark = pytest.mark.django_db


def test_it_shows_retirees_the_tile_and_a_card_for_an_offered_seat(campus) -> None:
    org = campus.cast.tree.unit_a
    a, b, c = (f.person(org) for _ in range(3))
    for person in (a, b, c):
        enrol.do_enrol(by=person.account, section=campus.section, retiree=person)
    client = login_client(c.account)
    home = client.get("/").content.decode()
    assert 'href="/campus/classes/"' in home
    assert "确认或放弃" not in home  # waitlisted: nothing to answer yet
    enrol.do_withdraw(by=a.account, section=campus.section, retiree=a)  # the seat is offered to c
    home = client.get("/").content.decode()
    assert "确认或放弃" in home and campus.section.course.name in home
    assert 'href="/campus/me/"' in home


def test_it_shows_staff_no_class_tile(campus) -> None:
    home = login_client(campus.cast.clerk).get("/").content.decode()
    assert 'href="/campus/classes/"' not in home
