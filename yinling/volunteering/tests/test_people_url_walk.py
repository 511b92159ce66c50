"""The URL walk (core/tests/test_url_walk.py) for the people half's pages and endpoints: every persona, a GET,
an empty POST and a POST of junk, never a 500; anonymous visitors see only the public certificate check.

Its objects (a volunteer, a team and a membership, a pairing, a certificate, a story, a nomination, a target)
are built here, since the core walk has fixtures for the platform's own routes only."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from yinling.core.tests.test_url_walk import API_OK, PAGE_OK, POSTS_API, POSTS_PAGE, ROUTES, Route, _answer
from yinling.testing.personas import PERSONAS, make_cast
from yinling.volunteering import urls_people

OURS = {f"volunteering:{p.name}" for p in urls_people.urlpatterns} | {
    "api:volunteering-volunteer-list",
    "api:volunteering-volunteer-detail",
    "api:volunteering-team-list",
    "api:volunteering-team-detail",
    "api:volunteering-me",
}
PUBLIC = {"volunteering:verify", "volunteering:verify_code"}
# The object behind a route's pk, by route name (first match wins).
PK_BY_ROUTE = [
    ("volunteering:volunteer*", "volunteer"),
    ("api:volunteering-volunteer-*", "volunteer"),
    ("volunteering:member_team", "team"),
    ("volunteering:join", "team"),
    ("volunteering:team*", "team"),
    ("api:volunteering-team-*", "team"),
    ("volunteering:leave", "membership"),
    ("volunteering:*_join", "membership"),
    ("volunteering:membership_role", "membership"),
    ("volunteering:stor*", "story"),
    ("volunteering:pairing*", "pairing"),
    ("volunteering:certificate*", "certificate"),
    ("volunteering:nomination*", "nomination"),
    ("volunteering:target*", "target"),
]


def _build() -> tuple[dict[str, models.Model], dict[str, str]]:
    from yinling.testing.permissions import login_client
    from yinling.volunteering.tests.people_factories import walk_objects

    cast = make_cast()
    objects: dict[str, models.Model] = walk_objects(cast)
    sessions = {}
    for persona in PERSONAS:
        client = login_client(cast.user(persona))
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value if persona != "anonymous" else ""
    return objects, sessions


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[dict[str, models.Model], dict[str, str]]]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def url_of(objects: dict[str, models.Model], route: Route) -> str:
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if name == "code":
            kwargs[name] = objects["certificate"].code  # type: ignore[attr-defined]
            continue
        key = next(k for pattern, k in PK_BY_ROUTE if fnmatch.fnmatchcase(route.name, pattern))
        kwargs[name] = objects[key].pk
    return reverse(route.name, kwargs=kwargs)


WALKED = [r for r in ROUTES if r.name in OURS and "format" not in r.kwargs]


def test_it_walks_every_route_of_the_half() -> None:
    assert {r.name for r in WALKED} == OURS


@pytest.mark.parametrize("route", WALKED, ids=lambda r: r.id)
def test_it_answers_every_persona_without_a_500(world: Any, db: None, route: Route) -> None:
    objects, sessions = world
    url = url_of(objects, route)
    allowed = API_OK if route.api else PAGE_OK
    problems = []
    for persona in PERSONAS:
        sid = transaction.savepoint()
        client = Client(raise_request_exception=True)
        if sessions[persona]:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
        for method, kwargs in [("get", {}), *(POSTS_API if route.api else POSTS_PAGE)]:
            status, error, cache = _answer(client, method, url, **kwargs)
            if status not in allowed:
                problems.append(f"{persona}: {method.upper()} {url} -> {status} {error}")
            if persona == "anonymous" and method == "get" and status == 200 and route.name not in PUBLIC:
                problems.append(f"GET {url} answers 200 to anonymous visitors")
            if persona != "anonymous" and status == 200 and "no-store" not in cache:
                problems.append(f"{persona}: {method.upper()} {url} without Cache-Control: no-store")
            if method == "post" and status in (302, 401, 403, 404, 405):
                break
        transaction.savepoint_rollback(sid)
    assert not problems, "\n".join(problems)
