"""Time bank membership and hours outside the service cycle: joining, issuing into a pool, grants,
donations, gifts to relatives, and the provider flag.

Each is one transaction; ledger.post() does the locking, the movements and the audit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.scoping import can_at
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.timebank import ledger
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Rule, Transfer
from yinling.timebank.services.selectors import (
    are_relatives,
    lookup,
    member_account,
    nearest_pool,
    provider_problem,
    rule_for,
)


def issuance_account() -> Account:
    account, _created = Account.objects.unrestricted().get_or_create(kind=Account.Kind.ISSUANCE)
    return account


def pool_for(org: Org, *, by: Any = None) -> Account:
    """The org's own pool, opened (and audited) on first use: only actions that move hours call
    this, never a page that shows one (a GET never writes)."""
    account, created = Account.objects.unrestricted().get_or_create(kind=Account.Kind.POOL, org=org)
    if created:
        record(
            AuditRecord.Action.CREATE,
            account,
            object_type="timebank.account",
            org_path=org.path,
            extra={"event": "account_opened"},  # object_type and org say which pool
            actor=by,
        )
    return account


def scheme_pool(org: Org) -> Account:
    """The pool that serves `org`: the nearest org up the tree that runs one, else the org's own."""
    return nearest_pool(org) or pool_for(org)


def member_context(retiree: Retiree) -> tuple[Account | None, Rule, Account]:
    """(the member's account or None, the rule for their org, the pool serving it — opened for
    their org if none up the tree runs one, as scheme_pool() does)."""
    account, rule, pool = lookup(retiree.org, retiree)
    return account, rule, pool or pool_for(retiree.org)


@transaction.atomic
def do_join(*, by: Any, retiree: Retiree, as_provider: bool = False) -> Account:
    """Join the scheme (the retiree, or staff on their behalf); starter hours come from the pool."""
    if retiree.status != "active" or retiree.is_deleted:
        raise Refused("not_eligible", _("Only people on the register can join the time bank."))
    if as_provider:
        problem = provider_problem(retiree)
        if problem:
            raise Refused("not_eligible", problem)
    account, created = Account.objects.unrestricted().get_or_create(
        kind=Account.Kind.MEMBER, retiree=retiree, defaults={"org": retiree.org, "is_provider": as_provider}
    )
    if not created and as_provider and not account.is_provider:
        account.is_provider = True
        account.save(update_fields=["is_provider"])
    if created:
        record(
            AuditRecord.Action.CREATE,
            account,
            object_type="timebank.account",
            org_path=retiree.org.path,
            extra={"event": "joined", "provider": as_provider},
        )
        rule = rule_for(retiree.org)
        if rule.starter_hours > 0:
            pool = scheme_pool(retiree.org)
            if pool.balance >= rule.starter_hours:
                # Transfer reasons are data: the ledger records them in the bureau's language.
                ledger.post(Transfer.Kind.STARTER, pool, account, rule.starter_hours, by=by, reason="入会赠送时长")
    return account


GIFT_TO_RELATIVES = gettext_lazy("Hours can only be given to relatives recorded in the registry.")
DOCUMENT_REQUIRED = gettext_lazy("Issuing hours needs the approval document's number.")


@transaction.atomic
def do_issue(*, by: Any, org: Org, hours: Decimal, reason: str, document_no: str = "") -> Transfer:
    """Put hours into an org's pool (bureau admin of that org or above, with a reason and the
    approval document's number: both are required, whoever calls)."""
    if not can_at(by, Account, "issue", org):
        raise PermissionDenied
    if not reason.strip():
        raise Refused("reason_required", _("Issuing or granting hours needs a reason."))
    document_no = document_no.strip()
    if not document_no:
        raise Refused("document_required", str(DOCUMENT_REQUIRED))
    rule = rule_for(org)
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.ISSUANCE,
        issuance_account(),
        pool_for(org, by=by),
        amount,
        by=by,
        reason=reason,
        document_no=document_no,
    ).transfer


@transaction.atomic
def do_grant(*, by: Any, retiree: Retiree, hours: Decimal, reason: str) -> ledger.Posted:
    """Staff grant hours from the pool serving the member's org to a priority elder."""
    if not can_at(by, Account, "grant", retiree.org):
        raise PermissionDenied
    if not reason.strip():
        raise Refused("reason_required", _("Issuing or granting hours needs a reason."))
    account, rule, pool = member_context(retiree)
    account = account or do_join(by=by, retiree=retiree)
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.GRANT, pool, account, amount, by=by, reason=reason, cap=rule.balance_cap, pool_for_overflow=pool
    )


@transaction.atomic
def do_donate(*, by: Any, retiree: Retiree, hours: Decimal, on_behalf: bool = False) -> Transfer:
    account, rule, pool = member_context(retiree)
    if account is None:
        raise Refused("not_member", _("Not a member of the time bank yet."))
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.DONATION,
        account,
        pool,
        amount,
        by=by,
        reason="捐赠给互助池",  # data: the bureau's language (see do_join)
        on_behalf=on_behalf,
    ).transfer


@transaction.atomic
def do_gift(*, by: Any, giver: Retiree, to: Retiree, hours: Decimal, on_behalf: bool = False) -> ledger.Posted:
    if giver.pk == to.pk:
        raise Refused("self_transfer", _("You cannot give hours to yourself."))
    if not are_relatives(giver, to):
        raise Refused("not_relative", str(GIFT_TO_RELATIVES))
    source = member_context(giver)[0]
    if source is None:
        raise Refused("not_member", _("Not a member of the time bank yet."))
    target, rule, pool = member_context(to)
    target = target or do_join(by=by, retiree=to)
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.GIFT,
        source,
        target,
        amount,
        by=by,
        reason="赠送亲属",  # data: the bureau's language (see do_join)
        on_behalf=on_behalf,
        cap=rule.balance_cap,
        pool_for_overflow=pool,
    )


@transaction.atomic
def do_set_provider(*, by: Any, retiree: Retiree, provider: bool) -> Account:
    """Register (or withdraw) a member as a service provider; registering checks eligibility."""
    if provider:
        return do_join(by=by, retiree=retiree, as_provider=True)
    account = member_account(retiree)
    if account is None:
        raise Refused("not_member", _("Not a member of the time bank yet."))
    if account.is_provider:
        Account.objects.filter(pk=account.pk).update(is_provider=False)
        account.is_provider = False
        record(
            AuditRecord.Action.UPDATE,
            account,
            object_type="timebank.account",
            org_path=retiree.org.path,
            changes={"is_provider": [True, False]},
        )
    return account


@transaction.atomic
def do_move_member_account(*, by: Any, retiree: Retiree, to_org: Org) -> Account | None:
    """The member's account follows them to `to_org` (hours and history stay): one audit record per
    account moved, naming the old and the new org.

    Called by the registry's move (retiree_moved) after its own permission check: the registry
    record has already moved, and the account may not be left behind under the old org's staff."""
    account = (
        Account.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("org")
        .filter(kind=Account.Kind.MEMBER, retiree=retiree)
        .first()
    )
    if account is None or account.org_id == to_org.pk:
        return account
    before = account.org
    account.org = to_org
    account.save(update_fields=["org"])
    record(
        AuditRecord.Action.UPDATE,
        account,
        object_type="timebank.account",
        org_path=to_org.path,
        actor=by,
        changes={"org": [before.code if before else None, to_org.code]},
        extra={
            "event": "moved",
            "from_org": before.code if before else None,
            "from_org_path": before.path if before else None,
            "to_org": to_org.code,
        },
    )
    return account
