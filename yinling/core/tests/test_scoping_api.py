"""The one scoping API: get_scoped_or_404, can_at, model rules inside restrict(), and the guard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from yinling.accounts import roles
from yinling.accounts.models import User
from yinling.audit.models import AuditRecord
from yinling.core.middleware import ScopeGuardMiddleware
from yinling.core.scoping import (
    UnrestrictedQuery,
    can,
    can_at,
    get_scoped_or_404,
    has_anywhere,
    orgs_where,
    scope_guard,
)
from yinling.orgs.models import Org
from yinling.registry.demo import make_retiree
from yinling.registry.models import Library, Retiree
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db


_serial = iter(range(70_000, 80_000))


def _person(org: Org, name: str = "张三", *, deleted: bool = False) -> Retiree:
    retiree, _contacts = make_retiree(next(_serial), org, "330106")
    retiree.name, retiree.is_deleted = name, deleted
    retiree.save()
    return retiree


def test_it_answers_404_outside_and_403_inside_without_the_action(personas: Personas) -> None:
    tree = personas.tree
    assert get_scoped_or_404(Org, personas.owner, "change", code="330106") == tree.county_a
    with pytest.raises(Http404):
        get_scoped_or_404(Org, personas.outsider, "change", code="330106")
    with pytest.raises(Http404):
        get_scoped_or_404(Org, personas.norole, "view", code="330106")
    with pytest.raises(PermissionDenied):
        get_scoped_or_404(Org, personas.limited, "change", code="330106")


@pytest.mark.parametrize("junk", ["abc", "", "1e9", "9" * 40, "-1", "１２"])
def test_it_answers_404_for_lookups_the_field_cannot_take(personas: Personas, junk: str) -> None:
    with pytest.raises(Http404):
        get_scoped_or_404(Org, personas.owner, "view", pk=junk)


def test_it_hides_soft_deleted_retirees_unless_asked(personas: Personas) -> None:
    live = _person(personas.tree.county_a, "张三")
    gone = _person(personas.tree.county_a, "李四", deleted=True)
    assert list(Retiree.objects.restrict(personas.owner, "view")) == [live]
    assert set(Retiree.objects.restrict(personas.owner, "view", deleted=True)) == {live, gone}
    with pytest.raises(Http404):
        get_scoped_or_404(Retiree, personas.owner, "view", pk=gone.pk)
    assert get_scoped_or_404(Retiree, personas.owner, "view", deleted=True, pk=gone.pk) == gone


def test_it_answers_may_this_user_act_at_this_org(personas: Personas) -> None:
    tree = personas.tree
    assert can_at(personas.owner, Retiree, "add", tree.unit_a)
    assert can_at(personas.owner, Retiree, "add", tree.city_a.path)
    assert not can_at(personas.owner, Retiree, "add", tree.city_b)
    assert not can_at(personas.owner, Retiree, "add", tree.province)  # above the grant
    assert not can_at(personas.limited, Retiree, "add", tree.county_a)  # a leader only reads
    assert can_at(personas.limited, Retiree, "view", tree.county_a)
    tree.unit_a.is_active = False
    tree.unit_a.save()
    assert not can_at(personas.owner, Retiree, "add", tree.unit_a)  # nothing is added to a closed org
    assert tree.unit_a not in orgs_where(personas.owner, Retiree, "add")
    assert set(orgs_where(personas.owner, Retiree, "add")) == {tree.city_a, tree.county_a}


def test_it_shows_shared_libraries_from_above_but_only_to_view(personas: Personas) -> None:
    tree = personas.tree
    clerk = make_user("clerk", tree.county_a, roles.CLERK)
    above = Library.objects.create(name="全市", org=tree.city_a, filters={}, shared=True)
    private = Library.objects.create(name="私有", org=tree.city_a, filters={}, shared=False)
    own = Library.objects.create(name="本区", org=tree.county_a, filters={})
    assert set(Library.objects.restrict(clerk, "view")) == {above, own}
    assert set(Library.objects.restrict(clerk, "delete")) == {own}
    assert not can(clerk, "delete", above)
    assert private not in Library.objects.restrict(clerk, "view")


def test_it_shows_records_without_an_org_only_at_a_root(personas: Personas) -> None:
    tree = personas.tree
    auditor_root = make_user("auditor_root", tree.province, roles.AUDIT_ADMIN)
    auditor_city = make_user("auditor_city", tree.city_a, roles.AUDIT_ADMIN)
    orphan = AuditRecord.objects.create(at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), action="login_failed")
    assert orphan in AuditRecord.objects.restrict(auditor_root, "view")
    assert orphan not in AuditRecord.objects.restrict(auditor_city, "view")
    assert can(auditor_root, "view", orphan)
    assert not can(auditor_city, "view", orphan)


def test_it_takes_grants_from_the_user_object_not_from_core() -> None:
    class Holder:
        is_authenticated = True
        is_active = True

        def scope_grants(self) -> list[tuple[str, frozenset[str]]]:
            return [("330000/330100/", frozenset({"orgs.view_org"}))]

    assert has_anywhere(Holder(), Org, "view")
    assert not has_anywhere(Holder(), Org, "change")


def test_it_fails_loudly_on_an_unrestricted_read_in_a_guarded_block(personas: Personas) -> None:
    with scope_guard():
        with pytest.raises(UnrestrictedQuery):
            list(Org.objects.all())
        with pytest.raises(UnrestrictedQuery):
            Org.objects.filter(code="330100").exists()
        with pytest.raises(UnrestrictedQuery):
            User.objects.count()
        # The sanctioned ways:
        assert list(Org.objects.restrict(personas.owner, "view").filter(code="330100"))
        assert Org.objects.unrestricted().filter(code="330100").exists()
        assert list(personas.tree.city_a.children.all())  # through an object in hand
        assert list(Org.objects.none()) == []
        narrowed = Org.objects.filter(is_active=True) & orgs_where(personas.owner, Retiree, "add")
        assert narrowed.count() == 3
    assert Org.objects.count() == 6  # outside a request nothing is checked


@override_settings(SCOPE_GUARD=True)
def test_it_guards_a_request_through_the_middleware(personas: Personas) -> None:
    def forgetful_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(Org.objects.count()))

    request = RequestFactory().get("/")
    request.user = personas.owner
    with pytest.raises(UnrestrictedQuery):
        ScopeGuardMiddleware(forgetful_view)(request)

    def careful_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(Org.objects.restrict(request.user, "view").count()))

    assert ScopeGuardMiddleware(careful_view)(request).content == b"3"
