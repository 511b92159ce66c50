"""The profile page in plain words for a retiree (issue #11): staff sections only where they mean something."""

from __future__ import annotations

import pytest
from django.utils import translation

from yinling.accounts.tokens import issue_token
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast


def _sections(user: object) -> tuple[bool, bool]:
    """(roles shown, API tokens shown) on the user's profile page."""
    body = login_client(user).get("/accounts/me/").content.decode()
    with translation.override("zh-hans"):
        roles, tokens = translation.gettext("My roles"), translation.gettext("API tokens")
    return roles in body, tokens in body


@pytest.mark.django_db
def test_it_keeps_staff_sections_off_a_retirees_profile(cast: Cast) -> None:
    assert _sections(cast.retiree) == (False, False)
    assert _sections(cast.family) == (False, False)


@pytest.mark.django_db
def test_it_shows_a_retiree_the_api_tokens_they_hold_so_they_can_revoke_them(cast: Cast) -> None:
    issue_token(cast.retiree)
    assert _sections(cast.retiree) == (False, True)
    assert _sections(cast.family) == (False, False)


@pytest.mark.django_db
def test_it_shows_staff_their_roles_and_tokens_even_when_they_have_none(cast: Cast) -> None:
    assert _sections(cast.norole) == (True, True)
    assert _sections(cast.clerk) == (True, True)
