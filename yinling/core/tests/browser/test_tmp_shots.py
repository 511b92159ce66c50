from typing import Any
from yinling.accounts.models import User
from yinling.core.tests.test_url_walk import _build
from .conftest import PHONE
from .helpers import attach_session

def test_shots(new_context: Any, live_server: Any) -> None:
    world = _build()
    from .test_elder_pages import add_movements
    add_movements(world)
    user = world.cast.retiree
    User.objects.filter(pk=user.pk).update(elder_mode=True)
    context = new_context(PHONE)
    attach_session(context, live_server.url, user)
    page = context.new_page()
    for i, path in enumerate(["/", "/timebank/", "/timebank/statement/?since=2000-01-01", "/accounts/me/", "/notifications/", "/timebank/offers/", "/timebank/needs/1/confirm/", "/timebank/needs/2/confirm/"]):
        page.goto(path)
        page.screenshot(path=f"/tmp/elder/shot{i}.png", full_page=True)
