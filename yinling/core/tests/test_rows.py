"""core.rows.Joined: the instances it builds are the ones select_related builds (every concrete field, the
related instances cached), on SQLite and PostgreSQL alike (the fields' converters: dates, decimals, JSON,
encrypted text, booleans)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from yinling.accounts.models import User
from yinling.core import rows
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db

RETIREE_AND_ORG = rows.Joined([rows.Part(Retiree, "r"), rows.Part(Org, "o", "org", "r")], where="r.id = %s")


def values(instance: object) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}  # type: ignore[attr-defined]


def test_it_builds_what_select_related_builds(cast: Cast) -> None:
    record = cast.retiree_record
    record.contributions = ["memoir", "education"]
    record.disabled = True
    record.save()
    expected = Retiree.objects.unrestricted().select_related("org").get(pk=record.pk)
    got = RETIREE_AND_ORG.first([record.pk])
    assert isinstance(got, Retiree)
    assert values(got) == values(expected)
    assert isinstance(got.birth_date, dt.date) and got.disabled is True
    assert got.phone == expected.phone and got.phone  # decrypted by the field's own converter
    with CaptureQueriesContext(connection) as queries:
        assert values(got.org) == values(expected.org)
    assert len(queries) == 0  # the org came with the row
    assert not got._state.adding and got._state.db == "default"


def test_it_answers_none_and_empty_when_nothing_matches(cast: Cast) -> None:
    assert RETIREE_AND_ORG.first([10**12]) is None
    assert RETIREE_AND_ORG.all([10**12]) == []


def test_it_follows_a_key_to_another_app_and_keeps_the_timezone(cast: Cast) -> None:
    row, _token = AuthToken.objects.create(cast.clerk)
    joined = rows.Joined([rows.Part(AuthToken, "t"), rows.Part(User, "u", "user", "t")], where="t.token_key = %s")
    (got,) = joined.all([row.token_key])
    assert isinstance(got, AuthToken)
    assert got.digest == row.digest and got.user.username == "clerk"
    assert got.expiry == row.expiry and got.expiry is not None and got.expiry.tzinfo is not None
