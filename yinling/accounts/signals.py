"""Sign-in events go to the audit trail; a role change revokes the account's API tokens."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yinling.audit.models import AuditRecord
from yinling.audit.services import record


def _path(user: Any) -> str:
    org = getattr(user, "org", None)
    return org.path if org is not None else ""


@receiver(user_logged_in, dispatch_uid="audit-login")
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(AuditRecord.Action.LOGIN, user, actor=user, org_path=_path(user))


@receiver(user_logged_out, dispatch_uid="audit-logout")
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AuditRecord.Action.LOGOUT, user, actor=user, org_path=_path(user))


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from axes.helpers import get_client_username

    from yinling.accounts.models import User

    # The name axes counts failures under: a phone number typed at sign-in becomes the account's
    # username (or a keyed hash), so phone numbers never reach the trail in plain text.
    username = str(get_client_username(request, credentials) or "")[:150]
    user = User.objects.unrestricted().filter(username=username).select_related("org").first()
    record(
        AuditRecord.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        object_repr=username,
        org_path=_path(user),
        actor_username=username,
    )


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def on_locked_out(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kwargs: Any
) -> None:
    from yinling.accounts.models import User

    user = User.objects.unrestricted().filter(username=username or "").select_related("org").first()
    record(
        AuditRecord.Action.LOCKED_OUT,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        object_repr=username or "",
        org_path=_path(user),
        actor_username=username or "",
        extra={"ip": ip_address},
    )


@receiver(post_save, sender="accounts.RoleAssignment", dispatch_uid="tokens-role-granted")
@receiver(post_delete, sender="accounts.RoleAssignment", dispatch_uid="tokens-role-removed")
def on_role_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A token carries the rights (and the two-factor check) of the moment it was issued: whoever grants or
    removes a role, by page, service or command, the account signs in to the API again."""
    if kwargs.get("raw"):
        return
    from yinling.accounts.models import User
    from yinling.accounts.tokens import revoke_tokens

    user = User.objects.unrestricted().select_related("org").filter(pk=instance.user_id).first()
    if user is not None:
        revoke_tokens(user, reason="role_changed")
