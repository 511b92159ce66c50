"""API tokens (django-rest-knox): issued at sign-in, stored only as a hash, with an expiry, revoked by events.

A token is 64 random hex characters; the database keeps its SHA-512 digest and its first 15 characters
(`token_key`, the lookup key and the id a user sees in their own list), never the token itself. Tokens expire
after API_TOKEN_TTL_HOURS for staff and RETIREE_API_TOKEN_TTL_HOURS for retirees, and every token of an account
is revoked when the account's password changes or is reset, when it is deactivated and when any of its roles
is granted or removed (a new token then carries the new rights, and the two-factor check for the
administrator roles is made again). Each revocation that removes tokens is audited.
"""

from __future__ import annotations

import binascii
import datetime as dt
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from knox.signals import token_expired

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core import rows

# A presented token's row and its account, for every API request (see TokenAuthentication).
_TOKEN_AND_USER = rows.Joined(
    [rows.Part(AuthToken, "t"), rows.Part(get_user_model(), "u", "user", "t")], where="t.token_key = %s"
)


def token_ttl(user: Any) -> dt.timedelta:
    hours = settings.RETIREE_API_TOKEN_TTL_HOURS if user.kind == "retiree" else settings.API_TOKEN_TTL_HOURS
    return dt.timedelta(hours=hours)


def issue_token(user: Any) -> tuple[AuthToken, str]:
    """A new token for `user` (the caller has checked the credentials); returns (row, the token, shown once)."""
    from django.utils import timezone

    # Expired rows are useless; a script that signs in for every call would otherwise pile them up.
    AuthToken.objects.filter(user_id=user.pk, expiry__lte=timezone.now()).delete()
    # At most API_TOKENS_PER_USER live tokens: a new sign-in retires the oldest (audited) rather than being
    # refused, so a user is never locked out of the API by their own forgotten scripts; the cap bounds
    # what a leaked password can leave behind.
    keep = max(settings.API_TOKENS_PER_USER - 1, 0)
    oldest = list(tokens_of(user).values_list("digest", flat=True)[keep:])
    if oldest:
        AuthToken.objects.filter(digest__in=oldest).delete()
        record(
            AuditRecord.Action.SECURITY,
            user,
            org_path=_org_path(user),
            extra={"event": "api_tokens_revoked", "reason": "token_limit", "tokens_revoked": len(oldest)},
        )
    return AuthToken.objects.create(user=user, expiry=token_ttl(user))


def tokens_of(user: Any) -> QuerySet[AuthToken]:
    """The account's tokens that still work, newest first."""
    from django.utils import timezone

    return AuthToken.objects.filter(user_id=user.pk, expiry__gt=timezone.now()).order_by("-created")


def _org_path(user: Any) -> str:
    org = getattr(user, "org", None)
    return org.path if org is not None else ""


def revoke_tokens(user: Any, *, reason: str) -> int:
    """Delete every token of `user`; audited (with `reason`) when there were any. Returns how many."""
    count, _detail = AuthToken.objects.filter(user_id=user.pk).delete()
    if count:
        record(
            AuditRecord.Action.SECURITY,
            user,
            org_path=_org_path(user),
            extra={"event": "api_tokens_revoked", "reason": reason, "tokens_revoked": count},
        )
    return count


@transaction.atomic
def do_revoke_own_token(*, by: Any, token_key: str) -> bool:
    """Revoke one of the caller's own tokens by its key; False when the caller has no such token."""
    if not getattr(by, "is_authenticated", False):
        return False
    count, _detail = AuthToken.objects.filter(user_id=by.pk, token_key=token_key).delete()
    if count:
        record(
            AuditRecord.Action.SECURITY,
            by,
            org_path=_org_path(by),
            extra={"event": "api_token_revoked", "token_key": token_key},
        )
    return bool(count)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, with one statement written once and without knox's sweep of the account's other
    tokens on every request.

    knox reads all of the account's tokens on each call to delete the expired ones: one more query on every
    API request, and its token-and-user query is compiled afresh each time (bench: the enrolment rush; 1 ms
    of CPU a request between them). Expired tokens are deleted when the account signs in again
    (`issue_token`), and an account never holds more than API_TOKENS_PER_USER rows, so nothing piles up;
    the presented token's own expiry is still checked here (an expired token is refused and deleted).
    The comparison is knox's own: the SHA-512 digest of the presented token against each row's, in
    constant time.
    """

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        from knox.crypto import hash_token
        from knox.settings import CONSTANTS
        from rest_framework import exceptions

        text = token.decode("utf-8")
        for auth_token in _TOKEN_AND_USER.all([text[: CONSTANTS.TOKEN_KEY_LENGTH]]):
            assert isinstance(auth_token, AuthToken)
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
            if compare_digest(digest, auth_token.digest):
                return self.validate_user(auth_token)  # type: ignore[no-any-return]
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        from django.utils import timezone

        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI description of TokenAuthentication: knox's own ("Authorization: Token …"), for our subclass."""

    target_class = "yinling.accounts.tokens.TokenAuthentication"
