"""Retiree accounts: opening one (开通), activation codes, phone sign-in, acting on a retiree's behalf (代办).

Accounts
    Staff open an account from the registry record. Its username is "r" + the record id, zero-padded to
    six digits (r000042): stable, never a phone number (phones change, and are not stored in plain), and
    distinct from the demo accounts r00001 … r01000 (five digits). The retiree signs in with the phone
    number in the registry (or that username) and a password they choose when activating.

Activation codes
    8 random digits, valid for 7 days, single use, 5 wrong tries. The code is kept only as a keyed hash,
    in the account's password column as a Django *unusable* password:

        !act$<expires, unix time>$<wrong tries>$<HMAC of user id and code>

    Django never accepts a password starting with "!", so the code can never be used to sign in; choosing
    a password overwrites it (single use); issuing a new code overwrites the old one; the fifth wrong try
    replaces it with a plain unusable password. No table, no migration. Issuing a code for an account that
    already has a password replaces the password: that is the supervised "forgot my password" path (the
    retiree asks the bureau; staff with `open_account` issue the code, audited with `reset: true`; the old
    password, sessions and API tokens stop at once; activating clears any sign-in lockout).
    Only retiree accounts take codes: a record linked to a staff account is refused.

Acting on behalf (代办)
    Two session keys: AUDIT_ON_BEHALF_SESSION_KEY (read by the audit middleware, so every audit record
    written while acting carries on_behalf_of = "retiree:<id> <name>") and ACTING_SESSION_KEY (id and name
    for the banner). Acting changes nothing about the staff member's permissions.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.accounts.models import User
from yinling.accounts.tokens import revoke_tokens
from yinling.audit import context
from yinling.audit.middleware import AUDIT_ON_BEHALF_SESSION_KEY
from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.crypto import keyed_hash
from yinling.core.scoping import can
from yinling.registry import acting as acting_rules
from yinling.registry.choices import Status
from yinling.registry.models import Retiree

CODE_DIGITS = 8
CODE_VALID_FOR = dt.timedelta(days=7)
CODE_MAX_TRIES = 5
_CODE_PREFIX = "!act$"

ACTING_SESSION_KEY = "acting_for"


class ActivationError(Exception):
    """The phone number (or sign-in name) and the code do not match an account waiting for activation.

    `expired` is set when the code was right but has run out (the retiree asks staff for a new one).
    """

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "no match")
        self.expired = expired


# --- Usernames -----------------------------------------------------------------------------------


def username_for(retiree: Retiree) -> str:
    return f"r{retiree.pk:06d}"


def _free_username(retiree: Retiree) -> str:
    base = username_for(retiree)
    name, n = base, 1
    while User.objects.unrestricted().filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


# --- Activation codes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCode:
    expires_at: dt.datetime
    tries: int
    digest: str

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at


def _digest(user_pk: int, code: str) -> str:
    return keyed_hash(f"{user_pk}:{code}", "activation")


def _encode(expires_at: dt.datetime, tries: int, digest: str) -> str:
    return f"{_CODE_PREFIX}{int(expires_at.timestamp())}${tries}${digest}"


def pending_code(user: User | None) -> PendingCode | None:
    """The activation code waiting on this account, if any (expired ones too)."""
    encoded = getattr(user, "password", "") or ""
    if not encoded.startswith(_CODE_PREFIX):
        return None
    try:
        expires, tries, digest = encoded[len(_CODE_PREFIX) :].split("$")
        return PendingCode(dt.datetime.fromtimestamp(int(expires), tz=dt.UTC), int(tries), digest)
    except ValueError:
        return None


def normalise_code(value: str) -> str:
    """Spaces, dashes and full-width digits out: "1234 5678" → "12345678"."""
    value = value.translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"})
    return re.sub(r"[\s\-\u3000]", "", value)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _account_of(retiree: Retiree) -> User | None:
    if not retiree.account_id:
        return None
    return User.objects.unrestricted().filter(pk=retiree.account_id).first()


@transaction.atomic
def issue_activation_code(*, by: Any, retiree: Retiree) -> tuple[User, str, bool]:
    """Open the retiree's account if need be, and give it a new activation code.

    Returns (account, code, opened). The code is returned once, to be printed or texted; only its
    keyed hash is kept. Any earlier code (and any password) stops working.
    """
    if not can(by, "open_account", retiree):
        raise PermissionDenied
    retiree = Retiree.objects.unrestricted().select_for_update().select_related("org").get(pk=retiree.pk)
    if retiree.is_deleted:
        raise ValidationError(_("This record was deleted."))
    if retiree.status == Status.DECEASED:
        raise ValidationError(_("This person is recorded as deceased: no account can be opened."))
    user = _account_of(retiree)
    opened = user is None
    if user is None:
        user = User(
            username=_free_username(retiree),
            kind=User.Kind.RETIREE,
            full_name=retiree.name,
            org=retiree.org,
            elder_mode=True,
        )
        user.set_unusable_password()
        user.save()
        Retiree.objects.filter(pk=retiree.pk).update(account=user)
        retiree.account = user
        record(
            AuditRecord.Action.SECURITY,
            retiree,
            extra={"event": "account_opened", "account": user.pk, "username": user.username},
        )
    elif user.kind != User.Kind.RETIREE:
        # A record linked to a staff account (by a data fix or an old import) must not let whoever may open
        # retiree accounts replace a staff password with a code they hold: staff get passwords from staff admins.
        raise ValidationError(_("This record is linked to a staff account: activation codes are for retiree accounts."))
    elif not user.is_active:
        raise ValidationError(_("This account is switched off. Switch it on again before issuing a code."))
    # A code on an account that has a password is the supervised reset of a forgotten one: the trail says so.
    reset = user.has_usable_password()
    code = new_code()
    expires_at = timezone.now() + CODE_VALID_FOR
    User.objects.filter(pk=user.pk).update(password=_encode(expires_at, 0, _digest(user.pk, code)))
    user.refresh_from_db(fields=["password"])
    # The code replaces any password (the supervised reset): the API tokens issued with it end too.
    revoke_tokens(user, reason="activation_code_issued")
    record(
        AuditRecord.Action.SECURITY,
        retiree,
        extra={
            "event": "activation_code_issued",
            "account": user.pk,
            "username": user.username,
            "expires": expires_at.isoformat(),
            "reset": reset,
        },
    )
    return user, code, opened


# --- Phone numbers -------------------------------------------------------------------------------

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９＋－"}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


def phone_variants(value: str) -> list[str]:
    """The forms a phone number typed at sign-in may be stored in, or [] if it is not a phone number.

    Mobiles: "+86 138 0013 8000", "138-0013-8000", "0086 13800138000" → "13800138000". Landlines are
    kept with or without the area-code dash, as they were typed into the registry: "0571-88888888"
    and "057188888888" (and the 3-digit area codes 010, 02x) are all tried.
    """
    s = re.sub(r"[\s\u3000()（）]", "", (value or "").translate(_FULLWIDTH))
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s = s[len(prefix) :]
    digits = s.replace("-", "")
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.match(digits[2:]):
        digits = digits[2:]
    if not digits.isdigit():
        return []
    if _MOBILE.match(digits):
        return [digits]
    if _LANDLINE.match(digits):
        return list(dict.fromkeys([s, digits, f"{digits[:3]}-{digits[3:]}", f"{digits[:4]}-{digits[4:]}"]))
    return []


def accounts_for_phone(value: str) -> list[User]:
    """Active retiree accounts whose (living, undeleted) record has this phone number."""
    variants = phone_variants(value)
    if not variants:
        return []
    hashes = [keyed_hash(v, "phone") for v in variants]
    ids = (
        Retiree.objects.unrestricted()
        .filter(phone_hash__in=hashes, is_deleted=False, account__isnull=False)
        .values_list("account_id", flat=True)
    )
    return list(
        User.objects.unrestricted().filter(pk__in=list(ids), kind=User.Kind.RETIREE, is_active=True).order_by("pk")
    )


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: count sign-in failures per account, whatever form the phone was typed in.

    A phone number that belongs to one retiree account counts against that account's username, so
    "138 0013 8000", "+8613800138000" and "r000042" share one failure count (and staff unlocking the
    account clears it). Other phone-shaped input counts under a keyed hash of the number, never the
    number itself (axes stores what this returns). Anything else is the username as typed.
    """
    if credentials:
        raw = credentials.get("username")
    elif request is not None:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username")
    else:
        raw = None
    if not raw or not isinstance(raw, str):
        return raw
    cache: dict[str, str] = getattr(request, "_yinling_axes_usernames", None) or {}
    if raw in cache:
        return cache[raw]
    variants = phone_variants(raw)
    result = raw
    if variants and not User.objects.unrestricted().filter(username=raw).exists():
        accounts = accounts_for_phone(raw)
        result = accounts[0].username if len(accounts) == 1 else "phone:" + keyed_hash(variants[0], "phone")[:24]
    cache[raw] = result
    if request is not None:
        request._yinling_axes_usernames = cache  # type: ignore[attr-defined]
    return result


# --- Activation ----------------------------------------------------------------------------------


def _candidates(identifier: str) -> list[User]:
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    if phone_variants(identifier):
        return accounts_for_phone(identifier)
    user = User.objects.unrestricted().filter(username=identifier, kind=User.Kind.RETIREE, is_active=True).first()
    return [user] if user is not None else []


def _retiree_of(user: User) -> Retiree | None:
    try:
        return Retiree.objects.unrestricted().select_related("org").get(account=user)
    except ObjectDoesNotExist:
        return None


def _count_wrong_try(user: User) -> None:
    with transaction.atomic():
        locked = User.objects.unrestricted().select_for_update().get(pk=user.pk)
        pending = pending_code(locked)
        if pending is None:
            return
        tries = pending.tries + 1
        retiree = _retiree_of(locked)
        if tries >= CODE_MAX_TRIES:
            User.objects.filter(pk=user.pk).update(password=make_password(None))
            event = "activation_code_invalidated"
        else:
            User.objects.filter(pk=user.pk).update(password=_encode(pending.expires_at, tries, pending.digest))
            event = "activation_code_wrong"
        record(
            AuditRecord.Action.SECURITY,
            retiree if retiree is not None else locked,
            actor_username="",
            extra={"event": event, "account": locked.pk, "username": locked.username, "tries": tries},
        )


def activate(*, identifier: str, code: str, password: str) -> User:
    """Check the code against the accounts `identifier` (phone number or username) names, then set the password.

    Raises ActivationError (one message for an unknown number, a wrong, expired or used-up code) and
    ValidationError (Django's password rules; the code is not used up by a weak password).
    """
    code = normalise_code(code)
    candidates = _candidates(identifier)
    match: User | None = None
    if len(code) == CODE_DIGITS and code.isdigit():
        for user in candidates:
            pending = pending_code(user)
            if user.kind != User.Kind.RETIREE:
                continue  # never a staff account, whatever its password column holds
            if pending and hmac.compare_digest(pending.digest, _digest(user.pk, code)):
                if pending.expired:
                    raise ActivationError(expired=True)
                match = user
                break
    if match is None:
        for user in candidates:
            if pending_code(user) is not None:
                _count_wrong_try(user)
        raise ActivationError
    validate_password(password, match)
    with transaction.atomic():
        user = User.objects.unrestricted().select_for_update().get(pk=match.pk)
        if user.password != match.password:  # used or replaced meanwhile
            raise ActivationError
        user.set_password(password)
        user.save(update_fields=["password"])
        # A retiree who forgot their password has often locked the account trying: the new password, set with a
        # code staff issued, must work at once rather than after the lockout's cool-off.
        from axes.utils import reset as reset_failures

        reset_failures(username=user.username)
        retiree = _retiree_of(user)
        record(
            AuditRecord.Action.SECURITY,
            retiree if retiree is not None else user,
            actor=user,
            extra={"event": "account_activated", "account": user.pk, "username": user.username},
        )
    return user


# --- Account state for the record page -----------------------------------------------------------


@dataclass(frozen=True)
class AccountState:
    user: User | None
    pending: PendingCode | None

    @property
    def status(self) -> str:
        """none | off | pending | expired | active | closed (no password and no live code)."""
        if self.user is None:
            return "none"
        if not self.user.is_active:
            return "off"
        if self.pending is not None:
            return "expired" if self.pending.expired else "pending"
        return "active" if self.user.has_usable_password() else "closed"


def account_state(retiree: Retiree) -> AccountState:
    user = _account_of(retiree)
    return AccountState(user, pending_code(user))


def acting_for(request: HttpRequest) -> dict[str, Any] | None:
    value = request.session.get(ACTING_SESSION_KEY) if hasattr(request, "session") else None
    return value if isinstance(value, dict) else None


def member_for(request: HttpRequest) -> tuple[Retiree | None, bool]:
    """(the retiree a member page is for, whether staff act on their behalf): the signed-in retiree, or the
    one staff chose to act for (代办); (None, False) for staff acting for nobody, or for someone they may
    no longer act for (they get the staff pages)."""
    session = acting_for(request)
    named = acting_rules.as_id(session.get("id")) if session else None
    try:
        return acting_rules.acting_as(request.user, named)
    except (Http404, PermissionDenied):
        return None, False


def account_box_context(request: HttpRequest, retiree: Retiree) -> dict[str, Any]:
    """What registry/account_box.html needs, added to the record page's context."""
    user = request.user
    acting = acting_for(request)
    return {
        "account": account_state(retiree),
        "can_open_account": can(user, "open_account", retiree),
        "can_act_for": can(user, "act_for", retiree),
        "acting_for_this": bool(acting and acting.get("id") == retiree.pk),
    }


# --- Acting on behalf (代办) ----------------------------------------------------------------------


def on_behalf_label(retiree: Retiree) -> str:
    return f"retiree:{retiree.pk} {retiree.name}"[:150]


def start_acting(request: HttpRequest, retiree: Retiree) -> None:
    """Start acting for `retiree` in this session (after stopping any other); audited."""
    if not can(request.user, "act_for", retiree):
        raise PermissionDenied
    if acting_for(request):
        stop_acting(request)
    label = on_behalf_label(retiree)
    request.session[AUDIT_ON_BEHALF_SESSION_KEY] = label
    request.session[ACTING_SESSION_KEY] = {"id": retiree.pk, "name": retiree.name}
    with context.acting(on_behalf_of=label):
        record(AuditRecord.Action.SECURITY, retiree, extra={"event": "acting_started"})


def stop_acting(request: HttpRequest) -> int | None:
    """Stop acting; returns the retiree id acting stopped for (None if not acting)."""
    acting = acting_for(request)
    label = request.session.pop(AUDIT_ON_BEHALF_SESSION_KEY, "")
    request.session.pop(ACTING_SESSION_KEY, None)
    if not acting:
        return None
    retiree = Retiree.objects.unrestricted().select_related("org").filter(pk=int(acting.get("id") or 0)).first()
    with context.acting(on_behalf_of=label or ""):
        if retiree is not None:
            record(AuditRecord.Action.SECURITY, retiree, extra={"event": "acting_stopped"})
        else:
            record(
                AuditRecord.Action.SECURITY,
                object_type="registry.retiree",
                object_id=str(acting.get("id", "")),
                extra={"event": "acting_stopped"},
            )
    return retiree.pk if retiree is not None else None
