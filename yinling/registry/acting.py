"""Who acts for whom: the one place pages and the API ask it.

A member acts for themselves, or for a relative recorded in the registry (family on their behalf:
one lists the other among their family contacts). Staff act for a retiree in their scope when they
hold the right for the action at that retiree's org (代办). The rules here need only the registry;
what an app lets a member do for a relative is decided by the app's services, which call these.

Lookups by id are made so that they cannot be used to probe the registry: a member naming an id
that does not exist, one that is soft-deleted and one of a stranger get the same refusal; staff
get 404 outside their scope whether or not the id exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from yinling.core import rows
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at
from yinling.core.widgets import MAX_KEY
from yinling.orgs.models import Org
from yinling.registry.models import FamilyContact, Retiree

# Read on every request a retiree makes (their own record, read on their own authority), so written once
# rather than compiled each time (core.rows; bench: 1.1 ms of CPU through the ORM in the enrolment rush).
_OWN_RECORD = rows.Joined(
    [rows.Part(Retiree, "r"), rows.Part(Org, "o", "org", "r")],
    where="r.account_id = %s AND r.is_deleted = %s ORDER BY r.id",
)


def retiree_of(user: Any) -> Retiree | None:
    """The registry record behind a signed-in retiree account (None for staff)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "retiree":
        return None
    found = _OWN_RECORD.first([user.pk, False])
    assert found is None or isinstance(found, Retiree)
    return found


def as_id(value: Any) -> int | None:
    """A retiree id from user input ("12", 12), or None when it cannot be one ("abc", "1.5", -3, True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_KEY else None
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    return int(text) if 0 < int(text) <= MAX_KEY else None


def are_relatives(a: Retiree, b: Retiree) -> bool:
    """Recorded in the registry: one lists the other among their family contacts (same name and phone)."""
    for giver, taker in ((a, b), (b, a)):
        for contact in giver.contacts.all():
            if contact.name == taker.name and (not contact.phone or not taker.phone or contact.phone == taker.phone):
                return True
    return False


def relatives_of(retiree: Retiree) -> list[Retiree]:
    """Living registry records that are this person's recorded relatives (see are_relatives)."""
    names = {c.name for c in retiree.contacts.all()}
    # Those this person lists, and those who list this person, matched as are_relatives() matches.
    listing_me = (
        FamilyContact.objects.unrestricted()
        .filter(name=retiree.name)
        .exclude(retiree=retiree)
        .values_list("retiree", flat=True)
    )
    candidates = Retiree.objects.unrestricted().filter(is_deleted=False, status="active").exclude(pk=retiree.pk)
    candidates = candidates.filter(Q(name__in=names) | Q(pk__in=listing_me)).select_related("org")
    return sorted((r for r in candidates if are_relatives(retiree, r)), key=lambda r: r.name_pinyin)


def relatives_of_many(retirees: Sequence[Retiree], *, lean: bool = False) -> dict[int, list[Retiree]]:
    """relatives_of() for several people at once, in four queries however many they are: their contacts,
    who lists them, the candidates and the candidates' contacts (are_relatives() reads both sides').

    `lean`: load only what the comparison reads of each relative (name, phone) and its account, not the whole
    record, whose every sensitive field would be decrypted."""
    if not retirees:
        return {}
    prefetch_related_objects(list(retirees), "contacts")
    names = {c.name for r in retirees for c in r.contacts.all()}
    listing: dict[str, set[int]] = {}
    for listed_by, name in (
        FamilyContact.objects.unrestricted().filter(name__in={r.name for r in retirees}).values_list("retiree", "name")
    ):
        listing.setdefault(name, set()).add(listed_by)
    candidates = Retiree.objects.unrestricted().filter(is_deleted=False, status="active")
    candidates = candidates.filter(Q(name__in=names) | Q(pk__in={pk for pks in listing.values() for pk in pks}))
    candidates = candidates.select_related("account").prefetch_related("contacts")
    if lean:
        candidates = candidates.only("id", "name", "phone", "name_pinyin", "account")
    else:
        candidates = candidates.select_related("org")
    by_pk = {r.pk: r for r in candidates}
    by_name: dict[str, list[Retiree]] = {}
    for r in by_pk.values():
        by_name.setdefault(r.name, []).append(r)
    result: dict[int, list[Retiree]] = {}
    for retiree in retirees:
        pool = {r.pk: r for c in retiree.contacts.all() for r in by_name.get(c.name, [])}
        pool.update((pk, by_pk[pk]) for pk in listing.get(retiree.name, set()) if pk in by_pk)
        pool.pop(retiree.pk, None)
        related = [r for r in pool.values() if are_relatives(retiree, r)]
        result[retiree.pk] = sorted(related, key=lambda r: r.name_pinyin)
    return result


def family_of(member: Retiree) -> list[Retiree]:
    """Whom a member may act for: themselves first, then their recorded relatives."""
    return [member, *relatives_of(member)]


NOT_RELATIVE = "not_relative"


def not_relative(message: str | None = None) -> Refused:
    """The refusal for a person the member may not act for (`message`: the app's wording of it)."""
    return Refused(NOT_RELATIVE, message or _("You can only act for yourself or relatives recorded in the registry."))


def require_family(member: Retiree, subject: Retiree, message: str | None = None) -> None:
    """Refused unless `subject` is the member or a relative recorded in the registry."""
    if subject.pk != member.pk and (subject.is_deleted or not are_relatives(member, subject)):
        raise not_relative(message)


def family_subject(member: Retiree, named: Any, message: str | None = None) -> Retiree:
    """The person a member names (by id) to act for: themselves when `named` is empty or their own id.

    A relative may live anywhere, so the lookup is unscoped; an id that does not exist, a soft-deleted
    record, junk and a stranger all get the same refusal."""
    if named in (None, ""):
        return member
    pk = as_id(named)
    if pk == member.pk:
        return member
    subject = (
        Retiree.objects.unrestricted().select_related("org").filter(pk=pk, is_deleted=False).first()
        if pk is not None
        else None
    )
    if subject is None:
        raise not_relative(message)
    require_family(member, subject, message)
    return subject


def staff_subject(user: Any, pk: int, model: type[Model], action: str) -> Retiree:
    """A retiree staff act for: 404 outside the user's scope (or soft-deleted), 403 inside it without
    `action` on `model` at the retiree's org (e.g. ServiceRequest "add" to post a need for them)."""
    retiree = Retiree.objects.restrict(user, None).filter(pk=pk, is_deleted=False).select_related("org").first()
    if retiree is None:
        raise Http404
    if not can_at(user, model, action, retiree.org):
        raise PermissionDenied
    return retiree


def acting_as(user: Any, named: int | None) -> tuple[Retiree, bool]:
    """(the member `user` acts as, whether on their behalf).

    A signed-in retiree acts as themselves (naming nobody, or their own id). Anyone else acts for the
    retiree named (the pages' 代办 session, the API's id) when they hold registry.act_for_retiree at
    that retiree's org: 404 outside their scope or when nobody is named, 403 without the right."""
    me = retiree_of(user)
    if me is not None and named in (None, me.pk):
        return me, False
    if named is None:
        raise Http404
    return staff_subject(user, named, Retiree, "act_for"), True
