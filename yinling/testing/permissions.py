"""Generic permission tests: subclass once per scoped model and every view and endpoint is covered.

NetBox's ViewTestCases in pytest form. A subclass names the model's URLs, how to
make an object at an org, and valid form data; it inherits tests for anonymous
users, users without a role, users of another subtree (404), users whose role lacks
the action (403) and users who may (200/302), on list, detail, create, edit, delete,
export and the API.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

import pytest
from django.db import models
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from yinling.accounts import roles
from yinling.testing.personas import Personas, make_personas


def api_client(user: Any) -> APIClient:
    """An API client authenticated as `user` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def login_client(user: Any) -> Client:
    """A test client signed in as `user`, past two-factor sign-in when the user's roles need it."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    from yinling.accounts.permissions import needs_two_factor

    if needs_two_factor(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class ScopedViewPermissionTests:
    model: ClassVar[type[models.Model]]
    list_url: ClassVar[str]
    add_url: ClassVar[str | None] = None
    api_list_url: ClassVar[str | None] = None
    full_role: ClassVar[str] = roles.BUREAU_ADMIN  # may view, add, change, export
    limited_role: ClassVar[str] = roles.LEADER  # may view only
    delete_role: ClassVar[str | None] = None  # may delete (None: no delete view)
    export: ClassVar[bool] = True

    # --- hooks ------------------------------------------------------------------------------
    def make(self, p: Personas, where: str) -> models.Model:
        """An object in the owner's subtree (where="own") or the outsider's (where="other")."""
        raise NotImplementedError

    def detail_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def edit_url(self, obj: Any) -> str:
        return self.detail_url(obj) + "edit/"

    def delete_url(self, obj: Any) -> str:
        return self.detail_url(obj) + "delete/"

    def api_detail_url(self, obj: Any) -> str:
        raise NotImplementedError

    def form_data(self, p: Personas, obj: Any | None, where: str) -> dict[str, Any]:
        """Valid create (obj None) or edit data placing the object in `where`'s subtree."""
        raise NotImplementedError

    def marker(self, obj: Any) -> str:
        """Text that identifies the object in a list page."""
        return str(obj)

    # --- fixtures ---------------------------------------------------------------------------
    @pytest.fixture
    def p(self, db: None) -> Personas:
        return make_personas(full_role=self.full_role, limited_role=self.limited_role)

    def client_for(self, user: Any) -> Client:
        return login_client(user)

    # --- list -------------------------------------------------------------------------------
    def test_it_sends_anonymous_to_login(self, p: Personas) -> None:
        response = self.client_for(None).get(self.list_url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_it_forbids_the_list_without_a_role(self, p: Personas) -> None:
        assert self.client_for(p.norole).get(self.list_url).status_code == 403

    def test_it_lists_only_the_users_subtree(self, p: Personas) -> None:
        own, other = self.make(p, "own"), self.make(p, "other")
        body = self.client_for(p.owner).get(self.list_url).content.decode()
        assert self.marker(own) in body
        assert self.marker(other) not in body

    def test_it_lists_for_the_limited_role(self, p: Personas) -> None:
        own = self.make(p, "own")
        response = self.client_for(p.limited).get(self.list_url)
        assert response.status_code == 200
        assert self.marker(own) in response.content.decode()

    # --- detail -----------------------------------------------------------------------------
    def test_it_shows_detail_in_the_subtree(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert self.client_for(p.owner).get(self.detail_url(own)).status_code == 200
        assert self.client_for(p.limited).get(self.detail_url(own)).status_code == 200

    def test_it_hides_detail_outside_the_subtree(self, p: Personas) -> None:
        other = self.make(p, "other")
        assert self.client_for(p.owner).get(self.detail_url(other)).status_code == 404
        assert self.client_for(p.norole).get(self.detail_url(other)).status_code == 404

    # --- create -----------------------------------------------------------------------------
    def test_it_creates_in_the_subtree(self, p: Personas) -> None:
        if not self.add_url:
            pytest.skip("no create view for this model")
        before = self.model._default_manager.count()
        response = self.client_for(p.owner).post(self.add_url, self.form_data(p, None, "own"))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.model._default_manager.count() == before + 1

    def test_it_refuses_to_create_outside_the_subtree(self, p: Personas) -> None:
        if not self.add_url:
            pytest.skip("no create view for this model")
        before = self.model._default_manager.count()
        response = self.client_for(p.owner).post(self.add_url, self.form_data(p, None, "other"))
        assert response.status_code == 200  # the form again, with the org refused
        assert self.model._default_manager.count() == before

    def test_it_forbids_create_to_the_limited_role(self, p: Personas) -> None:
        if not self.add_url:
            pytest.skip("no create view for this model")
        assert self.client_for(p.limited).get(self.add_url).status_code == 403
        assert self.client_for(p.limited).post(self.add_url, self.form_data(p, None, "own")).status_code == 403

    # --- edit -------------------------------------------------------------------------------
    def test_it_edits_in_the_subtree(self, p: Personas) -> None:
        own = self.make(p, "own")
        client = self.client_for(p.owner)
        assert client.get(self.edit_url(own)).status_code == 200
        response = client.post(self.edit_url(own), self.form_data(p, own, "own"))
        assert response.status_code == 302, response.content.decode()[:3000]

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert self.client_for(p.limited).get(self.edit_url(own)).status_code == 403
        assert self.client_for(p.limited).post(self.edit_url(own), self.form_data(p, own, "own")).status_code == 403

    def test_it_hides_edit_outside_the_subtree(self, p: Personas) -> None:
        other = self.make(p, "other")
        assert self.client_for(p.owner).get(self.edit_url(other)).status_code == 404

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        own = self.make(p, "own")
        before = self.snapshot(own)
        response = self.client_for(p.owner).post(self.edit_url(own), self.form_data(p, own, "other"))
        assert response.status_code == 200
        own.refresh_from_db()
        assert self.snapshot(own) == before

    def snapshot(self, obj: Any) -> dict[str, Any]:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    # --- delete -----------------------------------------------------------------------------
    def test_it_deletes_with_the_delete_role(self, p: Personas) -> None:
        if self.delete_role is None:
            pytest.skip("no delete view for this model")
        from yinling.testing.personas import make_user

        deleter = make_user("deleter", p.tree.city_a, self.delete_role)
        obj = self.make(p, "own")
        response = self.client_for(deleter).post(self.delete_url(obj))
        assert response.status_code == 302
        assert not self.model._default_manager.filter(pk=obj.pk).exists()

    def test_it_forbids_delete_without_the_permission(self, p: Personas) -> None:
        if self.delete_role is None:
            pytest.skip("no delete view for this model")
        obj = self.make(p, "own")
        assert self.client_for(p.limited).post(self.delete_url(obj)).status_code == 403
        assert self.model._default_manager.filter(pk=obj.pk).exists()

    def test_it_hides_delete_outside_the_subtree(self, p: Personas) -> None:
        if self.delete_role is None:
            pytest.skip("no delete view for this model")
        from yinling.testing.personas import make_user

        deleter = make_user("deleter", p.tree.city_b, self.delete_role)
        obj = self.make(p, "own")
        assert self.client_for(deleter).post(self.delete_url(obj)).status_code == 404
        assert self.model._default_manager.filter(pk=obj.pk).exists()

    # --- export -----------------------------------------------------------------------------
    def test_it_exports_only_the_subtree(self, p: Personas) -> None:
        if not self.export:
            pytest.skip("no export for this model")
        own, other = self.make(p, "own"), self.make(p, "other")
        response = self.client_for(p.owner).get(self.list_url + "?export=xlsx")
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]
        text = "\n".join(
            " ".join(str(c) for c in row if c is not None) for row in wb.active.iter_rows(values_only=True)
        )
        assert self.marker(own) in text
        assert self.marker(other) not in text
        from yinling.audit.models import AuditRecord

        assert AuditRecord.objects.filter(action="export", actor_username="owner").exists()

    def test_it_forbids_export_without_the_permission(self, p: Personas) -> None:
        if not self.export:
            pytest.skip("no export for this model")
        assert self.client_for(p.limited).get(self.list_url + "?export=xlsx").status_code == 403

    # --- API --------------------------------------------------------------------------------
    def test_it_requires_authentication_on_the_api(self, p: Personas) -> None:
        if not self.api_list_url:
            pytest.skip("no API for this model")
        assert self.client_for(None).get(self.api_list_url).status_code in (401, 403)

    def test_it_scopes_the_api(self, p: Personas) -> None:
        if not self.api_list_url:
            pytest.skip("no API for this model")
        own, other = self.make(p, "own"), self.make(p, "other")
        client = self.client_for(p.owner)
        body = client.get(self.api_list_url).content.decode()
        assert self.marker(own) in body
        assert self.marker(other) not in body
        assert client.get(self.api_detail_url(own)).status_code == 200
        assert client.get(self.api_detail_url(other)).status_code == 404
        assert self.client_for(p.norole).get(self.api_list_url).status_code == 403
