"""Issue #9: help texts and messages that carry stored values escape them (a stored <xmp> broke the edit form)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from yinling.accounts import roles
from yinling.core.templatetags.yinling import form_field
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db

HOSTILE = "<xmp><script>alert(1)</script>"


@pytest.fixture
def hostile(personas: Personas) -> Retiree:
    r, _contacts = make_retiree(3, personas.tree.unit_a, "330106")
    r.status, r.deceased_on = "active", None
    r.address = HOSTILE + "西湖区"
    r.save()
    return r


def test_it_escapes_a_stored_value_in_the_edit_forms_help_text(personas: Personas, hostile: Retiree) -> None:
    # A clerk may not see the address: the form hints at it masked ("Stored: <first characters>****").
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)
    page = login_client(clerk).get(f"/registry/{hostile.pk}/edit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "&lt;xmp&gt;" in body
    assert "<xmp>" not in body and "<script>alert" not in body


class _Form(forms.Form):
    note = forms.CharField()

    def __init__(self, *args: Any, help_text: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = help_text


def test_it_escapes_plain_help_texts_and_keeps_the_ones_built_as_html() -> None:
    plain = str(form_field(_Form(help_text=f"Stored: {HOSTILE}")["note"]))
    assert "Stored: &lt;xmp&gt;&lt;script&gt;" in plain and "<xmp>" not in plain
    # Django's password rules are a list built with format_html: still a list.
    rules = str(form_field(_Form(help_text=password_validators_help_text_html())["note"]))
    assert "<ul><li>" in rules
