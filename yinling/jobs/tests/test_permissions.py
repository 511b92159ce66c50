"""The generic permission tests, for jobs: subtree scope, the owner's own jobs, cancel as the 'edit'."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.jobs.models import Job
from yinling.testing.permissions import ScopedViewPermissionTests
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db


class TestJobPermissions(ScopedViewPermissionTests):
    model = Job
    list_url = "/jobs/"
    api_list_url = "/api/v1/jobs/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.CLERK  # sees and cancels its subtree's jobs too: "limited" has nothing to hold back
    export = False

    def make(self, p: Personas, where: str) -> Job:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        return Job.objects.create(kind="test.count", label=f"job-{where}-{org.code}", org=org, params={"chunks": 1})

    def marker(self, obj: Any) -> str:
        return obj.label  # type: ignore[no-any-return]

    def detail_url(self, obj: Any) -> str:
        return f"/jobs/{obj.pk}/"

    def edit_url(self, obj: Any) -> str:
        return f"/jobs/{obj.pk}/cancel/"

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/jobs/{obj.pk}/"

    def form_data(self, p: Personas, obj: Any | None, where: str) -> dict[str, Any]:
        return {}

    # Everyone has a jobs list (their own jobs): no role means an empty list, not a 403.
    def test_it_forbids_the_list_without_a_role(self, p: Personas) -> None:
        own = self.make(p, "own")
        response = self.client_for(p.norole).get(self.list_url)
        assert response.status_code == 200
        assert self.marker(own) not in response.content.decode()
        assert self.client_for(p.norole).get(self.api_list_url).json()["results"] == []

    def test_it_scopes_the_api(self, p: Personas) -> None:
        own, other = self.make(p, "own"), self.make(p, "other")
        client = self.client_for(p.owner)
        ids = [j["id"] for j in client.get(self.api_list_url).json()["results"]]
        assert own.pk in ids and other.pk not in ids
        assert client.get(self.api_detail_url(own)).status_code == 200
        assert client.get(self.api_detail_url(other)).status_code == 404

    # Cancel is a button (POST): no form page to GET.
    def test_it_edits_in_the_subtree(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert self.client_for(p.owner).get(self.edit_url(own)).status_code == 405
        assert self.client_for(p.owner).post(self.edit_url(own)).status_code == 302
        own.refresh_from_db()
        assert own.status == Job.Status.CANCELLED

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        # Staff without jobs.change_job (a leader) do not even see the job.
        from yinling.testing.personas import make_user

        leader = make_user("leader2", p.tree.city_a, roles.LEADER)
        own = self.make(p, "own")
        assert self.client_for(leader).post(self.edit_url(own)).status_code == 404
        own.refresh_from_db()
        assert own.status == Job.Status.QUEUED

    def test_it_hides_edit_outside_the_subtree(self, p: Personas) -> None:
        other = self.make(p, "other")
        assert self.client_for(p.owner).post(self.edit_url(other)).status_code == 404
        other.refresh_from_db()
        assert other.status == Job.Status.QUEUED

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        pytest.skip("a job's org is set when it starts; nothing edits it")
