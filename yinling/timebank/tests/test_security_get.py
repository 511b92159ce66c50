"""Issue #9: a GET never writes. Opening any time bank page as staff leaves every table as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from yinling.audit.models import AuditRecord
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas
from yinling.timebank import services, urls
from yinling.timebank.models import Account, Transfer
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db
H = Decimal


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def walk(client: Client, paths: list[str], audited: int = 0) -> dict[str, int]:
    """GET every path; the status of each (a page, a refusal or 405 for a POST-only action).

    Nothing may change but `audited` new audit records (a download is recorded, as a read)."""
    before = row_counts()
    statuses = {path: client.get(path).status_code for path in paths}
    after = row_counts()
    expected = {AuditRecord._meta.label: (before[AuditRecord._meta.label], before[AuditRecord._meta.label] + audited)}
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == (expected if audited else {})
    assert not [s for s in statuses.values() if s >= 500], statuses
    return statuses


def pool_pages(orgs: list[Org]) -> list[str]:
    return [reverse("timebank:pools")] + [reverse("timebank:pool", args=[org.code]) for org in orgs]


def test_it_opens_pool_pages_of_orgs_without_a_pool_without_opening_one(personas: Personas) -> None:
    # No pool anywhere yet: the page used to open (create) one for the org it shows, unaudited.
    tree = personas.tree
    orgs = [tree.province, tree.city_a, tree.county_a, tree.unit_a]
    statuses = walk(login_client(personas.owner), pool_pages(orgs))
    assert statuses[reverse("timebank:pool", args=[tree.city_a.code])] == 200
    assert not Account.objects.unrestricted().filter(kind=Account.Kind.POOL).exists()


def test_it_walks_every_time_bank_page_as_staff_and_changes_no_table(personas: Personas) -> None:
    tree, owner = personas.tree, personas.owner
    services.do_issue(by=owner, org=tree.city_a, hours=H("100"), reason="年度发放", document_no="1号")
    helper: Retiree = person(tree.unit_a, age=63)
    elder: Retiree = person(tree.unit_a, age=86, living="alone")
    outsider: Retiree = person(tree.county_a, age=70)  # on the register, not in the scheme
    services.do_join(by=owner, retiree=helper, as_provider=True)
    services.do_join(by=owner, retiree=elder)
    start = timezone.now() - dt.timedelta(minutes=30)
    need = services.do_post_need(
        by=owner,
        recipient=elder,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )
    offer = services.do_publish_offer(by=owner, provider=helper, category="company", description="陪伴聊天")
    transfer = Transfer.objects.unrestricted().order_by("-id").first()
    assert transfer is not None
    ids = {"pk": need.pk, "retiree": elder.pk, "code": tree.county_a.code}
    by_name = {
        "offer_book": {"pk": offer.pk},
        "offer_withdraw": {"pk": offer.pk},
        "staff_offer": {"pk": offer.pk},
        "staff_offer_book": {"pk": offer.pk},
        "reverse": {"pk": transfer.pk},
    }
    paths, downloads = [], []
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = pattern.pattern.regex.groupindex
        kwargs = by_name.get(pattern.name or "", {k: ids[k] for k in names})
        # A PDF is a download: it writes its export record (walked below with the spreadsheets).
        (downloads if (pattern.name or "").endswith("_pdf") else paths).append(
            reverse(f"timebank:{pattern.name}", kwargs=kwargs)
        )
    assert reverse("timebank:member_statement_pdf", args=[elder.pk]) in downloads
    paths += [reverse("timebank:member", args=[outsider.pk]), reverse("timebank:member", args=[helper.pk])]
    paths += pool_pages([tree.province, tree.city_a, tree.county_a, tree.unit_a])
    client = login_client(owner)
    statuses = walk(client, paths)
    # The walk reached the pages themselves, not a wall of refusals.
    assert sum(1 for s in statuses.values() if s == 200) >= 15, statuses
    # A download writes its audit record and nothing else.
    assert set(walk(client, [f"{reverse('timebank:ledger')}?export=xlsx"], audited=1).values()) == {200}
    assert AuditRecord.objects.order_by("-id").values_list("action", flat=True)[0] == "export"
    # The member's own PDF statement is 404 for staff acting for nobody; the staff copy is recorded.
    pdfs = walk(client, downloads, audited=1)
    assert sorted(pdfs.values()) == [200, 404], pdfs
    # The monthly report's spreadsheet is written by a job: the GET writes nothing (a page with a
    # button); the POST adds that job (with its file) and the export's audit record, nothing else.
    from yinling.jobs.models import Job, JobFile

    before = row_counts()
    assert client.get(f"{reverse('timebank:reports')}?export=xlsx").status_code == 200
    assert row_counts() == before
    assert client.post(f"{reverse('timebank:reports')}?export=xlsx").status_code == 302
    after = row_counts()
    changed = {k for k in before if before[k] != after[k]}
    from yinling.notifications.models import Notification

    # The job, its file, the export's record, and the notice that tells its starter it is done.
    assert changed == {AuditRecord._meta.label, Job._meta.label, JobFile._meta.label, Notification._meta.label}
    assert AuditRecord.objects.order_by("-id").values_list("action", flat=True)[0] == "export"


def test_it_opens_a_pool_in_the_action_that_needs_it_and_audits_it(personas: Personas) -> None:
    tree, owner = personas.tree, personas.owner
    services.do_issue(by=owner, org=tree.county_a, hours=H("5"), reason="年度发放", document_no="2号")
    pool = Account.objects.unrestricted().get(kind=Account.Kind.POOL, org=tree.county_a)
    opened = AuditRecord.objects.get(object_type="timebank.account", object_id=str(pool.pk), action="create")
    assert opened.extra["event"] == "account_opened" and opened.org_path == tree.county_a.path
    assert opened.actor_username == owner.username
