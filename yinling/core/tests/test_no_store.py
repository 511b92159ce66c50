"""Answers that carry personal data are never stored by a cache: Cache-Control no-store for signed-in users.

The URL walk (test_url_walk) checks it on every page and API route for every persona; these tests pin the
cases that matter most and the one that must stay cacheable."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from yinling.registry.demo import make_retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_it_sends_no_store_on_pages_exports_and_api_answers(personas: Personas) -> None:
    person, _contacts = make_retiree(1, personas.tree.county_a, "330106")
    person.status, person.deceased_on, person.is_deleted = "active", None, False
    person.save()
    client = login_client(personas.owner)
    for url in ("/", "/registry/", f"/registry/{person.pk}/", "/registry/?export=xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
    api = APIClient()
    api.force_authenticate(personas.owner)
    response = api.get("/api/v1/retirees/")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]


def test_it_adds_nothing_for_anonymous_visitors(db: None) -> None:
    from django.test import Client

    response = Client().get("/healthz/")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
