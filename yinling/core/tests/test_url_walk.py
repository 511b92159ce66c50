"""Every URL of the site and every API route, with every persona: the answer is of an expected class, never a 500.

The walk iterates the URL resolver recursively (the DRF router's routes are in it, under /api/v1/), so a new URL is
walked as soon as it is mounted. Its kwargs are filled from the fixture objects below by kwarg name (and, for pk, by
the view's model or the route's name); a URL whose kwargs cannot be filled fails, so it gets an object here. Each
persona GETs every URL and POSTs to it an empty form, a form of junk and a malformed JSON body.

The data is built once for the module and every test runs in a savepoint rolled back at its end, so a POST that
succeeds (deactivating an account, deleting an org) leaves nothing for the next one. Each persona has one session,
signed in (administrators past two-factor sign-in) once; every test gets a fresh client on that session.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from yinling.testing.personas import PERSONAS, Cast, make_cast, make_user

# The answers a request may get. 400 is bad input to the API (pages show the form again with its errors);
# 401 is the API's answer to nobody signed in; 429 the sign-in lockout; 204 an API sign-out or revocation done;
# 201/202 a retiree's own class request taken (enrolled or waitlisted / applied for the lottery).
PAGE_OK = {200, 301, 302, 403, 404, 405, 409}
API_OK = PAGE_OK | {201, 202, 204, 400, 401, 429}

# What anonymous visitors may see (200); everything else sends them to sign in or refuses.
PUBLIC = {
    "accounts:login",
    "accounts:activate",
    "healthz",
    "set_language",
    "api:token",
    "volunteering:verify",
    "volunteering:verify_code",
    "campus:lottery_public",
    "campus:lottery_public_json",
    "campus:certificate_verify",
}
PUBLIC_PREFIXES = ("/static/", "/i18n/")

# Which fixture object fills a pk, by route name (first match wins), where the view names no model.
PK_BY_ROUTE = [
    ("accounts:revoke_role", "assignment"),
    ("accounts:*", "staff"),
    ("registry:library_*", "library"),
    ("registry:import_job_apply", "job"),
    ("registry:*", "retiree_record"),
    ("audit:*", "audit_record"),
    ("timebank:offer_*", "offer"),
    ("timebank:staff_offer*", "offer"),
    ("timebank:reverse", "transfer"),
    ("timebank:*", "need"),
    ("jobs:*", "job"),
    ("api:job-*", "job"),
    ("api:retiree-*", "retiree_record"),
    ("api:timebank-request-*", "need"),
    ("api:timebank-offer-*", "offer"),
    ("notifications:*", "notification"),
    ("api:notification-*", "notification"),
    ("volunteering:activity_flag_resolve", "volunteer_flag"),
    ("volunteering:activit*", "volunteer_activity"),
    ("api:volunteering-activity-*", "volunteer_activity"),
    # Volunteering, people half (their objects: volunteering/tests/people_factories.walk_objects).
    ("volunteering:volunteer*", "volunteer"),
    ("api:volunteering-volunteer-*", "volunteer"),
    ("volunteering:member_team", "team"),
    ("volunteering:join", "team"),
    ("volunteering:team*", "team"),
    ("api:volunteering-team-*", "team"),
    ("volunteering:leave", "membership"),
    ("volunteering:approve_join", "membership"),
    ("volunteering:reject_join", "membership"),
    ("volunteering:membership_role", "membership"),
    ("volunteering:stor*", "story"),
    ("volunteering:pairing*", "pairing"),
    ("volunteering:certificate*", "certificate"),
    ("volunteering:nomination*", "nomination"),
    ("volunteering:target*", "target"),
    # The campus (its objects: campus/tests/desk_walk.walk_objects and walk_member.walk_objects).
    ("campus:lottery_public*", "campus_lottery_term"),
    ("campus:class", "campus_member_section"),
    ("campus:enrol", "campus_member_section"),
    ("campus:answer", "campus_member_section"),
    ("campus:withdraw", "campus_member_section"),
    ("campus:accept", "campus_member_section"),
    ("campus:decline", "campus_member_section"),
    ("campus:section_meetings", "campus_teaching_section"),
    ("campus:section_generate", "campus_teaching_section"),
    ("campus:section_students", "campus_teaching_section"),
    ("campus:section_certificate", "campus_teaching_section"),
    ("campus:certificate_pdf", "campus_certificate"),
    ("campus:lesson_*", "campus_lesson"),
    ("campus:meeting_*", "campus_meeting"),
    ("campus:my_certificate_take", "campus_teaching_enrolment"),
    ("campus:section*", "campus_section"),
    ("campus:term*", "campus_term"),
    ("api:campus-section-*", "campus_section"),
    ("api:campus-term-*", "campus_term"),
    ("api:campus-course-*", "campus_course"),
    # Services and cases (their objects: cases/tests/walk.walk_objects).
    ("cases:item*", "cases_item"),
    ("cases:attachment", "cases_attachment"),
    ("cases:*", "cases_case"),
    ("api:services-case-*", "cases_case"),
    # Care (its objects: care/tests/factories.walk_objects).
    ("care:visit*", "care_visit"),
    ("api:care-visit-*", "care_visit"),
    ("care:policy_review", "care_policy"),
    ("care:campaign*", "care_campaign"),
    # 平安报 rounds (their objects: rounds/tests/factories.walk_objects).
    ("rounds:*", "round"),
    ("api:care-round-*", "round"),
]
# Other kwargs, by name: (route pattern, fixture object, attribute).
KWARGS_BY_NAME: dict[str, list[tuple[str, str, str]]] = {
    "code": [
        ("timebank:*", "pool_org", "code"),
        ("volunteering:verify_code", "certificate", "code"),
        ("campus:certificate_verify", "campus_certificate", "code"),
        ("cases:*", "cases_item", "code"),
        ("*", "org", "code"),
    ],
    "org_code": [("*", "pool_org", "code")],
    "retiree": [("*", "retiree_record", "pk")],
    "file_pk": [("*", "job_file", "pk")],
    "format": [("*", "", "json")],
    "panel_id": [("*", "", "registry-orgs")],
    # An API token id (its first 15 characters) that is nobody's: revoking it answers 404 / nothing.
    "token_id": [("*", "", "0123456789abcde")],
    "epk": [("campus:*", "campus_enrolment", "pk"), ("rounds:*", "round_entry", "pk")],
}

JUNK_FORM = {
    "pk": "x",
    "id": "-1",
    "org": "'; DROP TABLE orgs_org; --",
    "role": "root",
    "active": "maybe",
    "enabled": "\x00",
    "hours": "一百",
    "amount": "1e999",
    "rating": "99",
    "retiree": "abc",
    "provider": "abc",
    "recipient": "9999999",
    "to": "abc",
    "starts_at": "2020-13-45 25:61",
    "ends_at": "yesterday",
    "date": "31/02/2020",
    "reason": "x" * 5000,
    "file": "not a file",
    "next": "https://evil.example/",
    "username": "x" * 300,
    "password": "",
    "token": "abcdef",
    "category": "<script>",
    "filters": "{not json",
    "q": "%",
}
MALFORMED_JSON = '{"hours": "1", '
# Pages read forms; the API reads JSON too. The first POST sends nothing.
POSTS_PAGE: list[tuple[str, dict[str, Any]]] = [("post", {}), ("post", {"data": JUNK_FORM})]
POSTS_API: list[tuple[str, dict[str, Any]]] = [
    ("post", {"data": {}, "content_type": "application/json"}),
    ("post", {"data": JUNK_FORM, "content_type": "application/json"}),
    ("post", {"data": JUNK_FORM}),
    ("post", {"data": MALFORMED_JSON, "content_type": "application/json"}),
]

# Known failures: (personas, route pattern, reason), marked strict xfail, so once fixed an entry must go.
KNOWN_FAILURES: list[tuple[tuple[str, ...], str, str]] = []


@dataclass
class World:
    cast: Cast
    objects: dict[str, models.Model]
    sessions: dict[str, str]  # persona -> session key ("" for anonymous)


def _build() -> World:
    from yinling.registry.models import Library
    from yinling.testing.permissions import login_client
    from yinling.timebank import services as timebank

    cast = make_cast()
    t = cast.tree
    staff = make_user("walktarget", t.county_a, "clerk")
    library = Library.objects.create(name="党员库", org=t.city_a, filters={"political": "party"})
    by = cast.bureau_admin
    transfer = timebank.do_issue(by=by, org=t.city_a, hours=Decimal("100"), reason="年度发放", document_no="1号")
    timebank.do_join(by=by, retiree=cast.retiree_record)
    timebank.do_join(by=by, retiree=cast.family_record, as_provider=True)
    start = timezone.now() + dt.timedelta(days=2)
    need = timebank.do_post_need(
        by=by,
        recipient=cast.retiree_record,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        expected_hours=Decimal("2"),
        description="陪老人聊天",
    )
    offer = timebank.do_publish_offer(by=by, provider=cast.family_record, category="haircut", description="上门理发")
    from yinling.audit.models import AuditRecord
    from yinling.jobs.models import Job, JobFile

    # A finished import check by the clerk, with its report (not on disk: the download answers 404).
    job = Job.objects.create(
        kind="registry.import",
        label="导入检查",
        user=cast.clerk,
        org=t.county_a,
        status=Job.Status.DONE,
        params={"name": "x.xlsx", "org": "", "dry_run": True, "inputs": {"x.xlsx": "0/input.xlsx"}},
        result={"created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []},
    )
    job_file = JobFile.objects.create(job=job, name="导入未通过的行.xlsx", stored=f"{job.pk}/result-1.xlsx")
    from yinling.notifications.services import notify

    # The retiree's: their relative has a copy of their own, everyone else gets 404 for this id.
    notification = notify(cast.retiree, "walk", "您有一项服务待确认。", "/timebank/")[0]
    from yinling.volunteering import codes as volunteer_codes
    from yinling.volunteering.models import Activity, Attendance, Flag, Volunteer

    helper = Volunteer.objects.create(retiree=cast.retiree_record)
    starts = timezone.now() - dt.timedelta(hours=1)
    volunteer_activity = Activity.objects.create(
        org=t.county_a,
        title="社区义诊",
        place="文三路",
        start=starts,
        end=starts + dt.timedelta(hours=3),
        capacity=5,
        code_secret=volunteer_codes.new_secret(),
    )
    present = Attendance.objects.create(activity=volunteer_activity, volunteer=helper, checked_in_at=starts)
    volunteer_flag = Flag.objects.create(
        kind=Flag.Kind.OVERLAP, volunteer=helper, activity=volunteer_activity, attendance=present
    )

    objects: dict[str, models.Model] = {
        "org": t.county_a,
        "pool_org": t.city_a,
        "staff": staff,
        "assignment": staff.assignments.get(),
        "library": library,
        "retiree_record": cast.retiree_record,
        "audit_record": AuditRecord.objects.filter(org_path__startswith=t.county_a.path).order_by("id").first(),
        "need": need,
        "offer": offer,
        "transfer": transfer,
        "job": job,
        "job_file": job_file,
        "notification": notification,
        "volunteer_activity": volunteer_activity,
        "volunteer_flag": volunteer_flag,
    }
    from yinling.volunteering.tests.people_factories import walk_objects

    objects.update(walk_objects(cast))
    from yinling.campus.tests.desk_walk import walk_objects as campus_objects
    from yinling.campus.tests.walk_member import walk_objects as campus_member_objects

    objects.update(campus_objects(cast))
    objects.update(campus_member_objects(cast, objects["campus_school"]))
    from yinling.campus.tests.teaching_factories import walk_objects as campus_teaching_objects

    objects.update(campus_teaching_objects(cast, objects["campus_school"]))
    from yinling.cases.tests.walk import walk_objects as cases_objects

    objects.update(cases_objects(cast))
    from yinling.care.tests.factories import walk_objects as care_objects

    objects.update(care_objects(cast))
    from yinling.rounds.tests.factories import walk_objects as rounds_objects

    objects.update(rounds_objects(cast))
    sessions = {}
    for persona in PERSONAS:
        client = login_client(cast.user(persona))
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value if persona != "anonymous" else ""
    return World(cast, objects, sessions)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once, inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the URLs ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # for messages
    kwargs: tuple[str, ...]
    model: type[models.Model] | None
    api: bool

    @property
    def id(self) -> str:
        return self.name + (f"@{','.join(self.kwargs)}" if self.kwargs else "")


def _view_model(callback: Any) -> type[models.Model] | None:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    model = getattr(view, "model", None)
    if model is None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    return model


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            yield Route(
                name=namespace + (entry.name or f"<unnamed {pattern}>"),
                pattern=pattern,
                kwargs=tuple(entry.pattern.regex.groupindex),
                model=_view_model(entry.callback),
                api=pattern.startswith("api/"),
            )


ROUTES = sorted({r.id: r for r in _walk(get_resolver())}.values(), key=lambda r: r.id)


def _object_for_pk(world: World, route: Route) -> Any:
    if route.model is not None:
        for obj in world.objects.values():
            if isinstance(obj, route.model):
                return obj
    for pattern, key in PK_BY_ROUTE:
        if fnmatch.fnmatchcase(route.name, pattern):
            return world.objects[key]
    raise LookupError(f"no fixture object for pk in {route.name} ({route.pattern}): add one to PK_BY_ROUTE")


def url_of(world: World, route: Route) -> str:
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if name == "pk":
            kwargs[name] = _object_for_pk(world, route).pk
            continue
        for pattern, key, attr in KWARGS_BY_NAME.get(name, []):
            if fnmatch.fnmatchcase(route.name, pattern):
                kwargs[name] = getattr(world.objects[key], attr) if key else attr
                break
        else:
            raise LookupError(f"no value for <{name}> in {route.name} ({route.pattern}): add it to KWARGS_BY_NAME")
    return reverse(route.name, kwargs=kwargs)


def _client(world: World, persona: str) -> Client:
    client = Client(raise_request_exception=True)
    if world.sessions[persona]:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def _answer(client: Client, method: str, url: str, **kwargs: Any) -> tuple[int, str, str]:
    """(status, error, Cache-Control)."""
    try:
        response = getattr(client, method)(url, **kwargs)
    except Exception as exc:  # an exception is the 500 the walk looks for
        return 500, f"{type(exc).__name__}: {exc}"[:300], ""
    return response.status_code, "", response.headers.get("Cache-Control", "")


def _known_failure(persona: str, route: Route) -> str | None:
    for personas, pattern, reason in KNOWN_FAILURES:
        if persona in personas and fnmatch.fnmatchcase(route.id, pattern):
            return reason
    return None


def _cases() -> Iterator[Any]:
    for route in ROUTES:
        for persona in PERSONAS:
            reason = _known_failure(persona, route)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(persona, route, marks=marks, id=f"{persona}-{route.id}")


@pytest.mark.parametrize(("persona", "route"), list(_cases()))
def test_it_answers_every_url_for_every_persona(world: World, db: None, persona: str, route: Route) -> None:
    url = url_of(world, route)
    client = _client(world, persona)
    allowed = API_OK if route.api else PAGE_OK
    problems = []
    requests: list[tuple[str, dict[str, Any]]] = [("get", {})]
    if "format" not in route.kwargs:  # the suffixed variants are the same views
        requests += POSTS_API if route.api else POSTS_PAGE
    for method, kwargs in requests:
        status, error, cache = _answer(client, method, url, **kwargs)
        if status not in allowed:
            what = "json" if "content_type" in kwargs else "junk" if kwargs else "empty"
            problems.append(f"{method.upper()} {url} ({what}) -> {status} {error}".strip())
        if persona == "anonymous" and method == "get" and status == 200 and not _public(route, url):
            problems.append(f"GET {url} answers 200 to anonymous visitors")
        if persona != "anonymous" and status == 200 and "no-store" not in cache:
            problems.append(f"{method.upper()} {url} answers a signed-in user without Cache-Control: no-store")
        if method == "post" and status in (302, 401, 403, 404, 405):
            break  # refused, sent to sign in, or no POST here: junk gets the same answer
    assert not problems, "\n".join(problems)


def _public(route: Route, url: str) -> bool:
    return route.name in PUBLIC or url.startswith(PUBLIC_PREFIXES)


def test_it_walks_every_api_route_of_the_router() -> None:
    from yinling.api.urls import router

    walked = {r.name for r in ROUTES}
    for prefix, _viewset, basename in router.registry:
        assert f"api:{basename}-list" in walked or f"api:{basename}-detail" in walked, prefix
