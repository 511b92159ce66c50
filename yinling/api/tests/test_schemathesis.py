"""Schemathesis against the OpenAPI schema (issue 9): every operation, as staff and as a retiree, with
generated parameters and bodies; no answer may be a 5xx.

Bounded (a few examples per operation, derandomised by the suite's Hypothesis profile) so that it runs in
every CI build. The requests go through Django's test client in-process: no server, no network. Auth is the
persona's (generated Authorization headers are dropped: token handling has its own tests)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.tests.factories import person, sign_in_account

pytestmark = pytest.mark.django_db
EXAMPLES = 6
REAL_IDS = 12
DROPPED_HEADERS = {"authorization", "cookie", "connection", "accept-encoding", "user-agent", "content-length"}


@cache
def _schema() -> Any:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))


def _operations() -> list[tuple[str, str]]:
    return sorted((op.ok().method.upper(), op.ok().path) for op in _schema().get_all_operations())


def _operation(method: str, path: str) -> Any:
    for op in _schema().get_all_operations():
        found = op.ok()
        if found.method.upper() == method and found.path == path:
            return found
    raise LookupError(f"{method} {path}")


def _send(client: APIClient, kwargs: dict[str, Any]) -> int:
    path = urlsplit(kwargs["url"]).path
    query = urlencode(kwargs.get("params") or {}, doseq=True)
    url = f"{path}?{query}" if query else path
    headers = {k: v for k, v in kwargs["headers"].items() if k.lower() not in DROPPED_HEADERS}
    extra = {f"HTTP_{k.upper().replace('-', '_')}": str(v) for k, v in headers.items() if k.lower() != "content-type"}
    method = kwargs["method"].upper()
    if "json" in kwargs:
        body, content_type = json.dumps(kwargs["json"]), "application/json"
    elif "data" in kwargs and isinstance(kwargs["data"], dict):
        body, content_type = urlencode(kwargs["data"], doseq=True), "application/x-www-form-urlencoded"
    else:
        body, content_type = kwargs.get("data") or "", headers.get("Content-Type", "application/octet-stream")
    return client.generic(method, url, data=body, content_type=content_type, **extra).status_code


@pytest.fixture
def callers(personas: Personas) -> dict[str, APIClient]:
    member = person(personas.tree.unit_a, age=70)
    services.do_join(by=None, retiree=member, as_provider=True)
    sign_in_account(member, elder_mode=False)
    clients = {}
    for name, user in (("staff", personas.owner), ("retiree", member.account)):
        client = APIClient()
        client.force_authenticate(user)
        clients[name] = client
    return clients


@pytest.mark.parametrize("who", ["staff", "retiree"])
@pytest.mark.parametrize(("method", "path"), _operations())
def test_it_never_answers_5xx(callers: dict[str, APIClient], who: str, method: str, path: str) -> None:
    client = callers[who]
    failures: list[str] = []

    # Generated ids almost never name a row, so the path's ids are mostly replaced by small ones, which
    # do in the test database: the caller's own rows, and other orgs' (which must answer 404, not 5xx).
    @given(_operation(method, path).as_strategy(), st.one_of(st.none(), st.integers(1, REAL_IDS)))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any, real_id: int | None) -> None:
        if real_id is not None and case.path_parameters:
            for key in case.path_parameters:
                if key in ("id", "pk") or key.endswith("_id"):
                    case.path_parameters[key] = real_id
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        status = _send(client, kwargs)
        if status >= 500:
            failures.append(f"{status}: {kwargs['method']} {kwargs['url']} {kwargs.get('params')} {kwargs.get('json')}")

    check()
    assert not failures, "\n".join(failures[:5])
