"""Issue #9: stored values shown in the time bank's forms and pages are escaped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db

HOSTILE = "<xmp><script>alert(1)</script>"


def test_it_escapes_a_stored_name_in_the_grant_form_and_the_member_page(personas: Personas) -> None:
    tree, owner = personas.tree, personas.owner
    services.do_issue(by=owner, org=tree.city_a, hours=Decimal("10"), reason="年度发放", document_no="1号")
    member: Retiree = person(tree.unit_a, age=70)
    Retiree.objects.unrestricted().filter(pk=member.pk).update(name=HOSTILE, community=HOSTILE)
    services.do_join(by=owner, retiree=Retiree.objects.unrestricted().get(pk=member.pk))
    client = login_client(owner)
    pages = {
        reverse("timebank:pool", args=[tree.city_a.code]): False,
        reverse("timebank:member", args=[member.pk]): True,
    }
    for path, shows_name in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "<xmp>" not in body and "<script>alert" not in body, path
        assert ("&lt;xmp&gt;" in body) is shows_name, path
