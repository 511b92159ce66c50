from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinling.accounts.roles import role_choices
from yinling.core.scoping import ScopedQuerySet
from yinling.orgs.models import Org


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in looks an account up before anyone's scope exists.
        return self.unrestricted().get(**{self.model.USERNAME_FIELD: username})


class User(AbstractUser):
    """A staff member or a retiree. Staff are scoped by their home org."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        RETIREE = "retiree", _("Retiree")

    kind = models.CharField(_("account kind"), max_length=8, choices=Kind.choices, default=Kind.STAFF)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    org = models.ForeignKey(
        Org, verbose_name=_("home org"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    elder_mode = models.BooleanField(_("elder mode"), default=False)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()
    scope_path_field = "org__path"
    audit_exclude = ("password", "last_login", "date_joined", "first_name", "last_name", "elder_mode")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [
            ("export_user", "Can export users"),
            ("assign_user", "Can assign roles"),
            ("assign_admin_roles", "Can assign the three admin roles"),
            ("unlock_user", "Can unlock accounts"),
            ("reset_otp_user", "Can reset two-factor devices"),
            ("deactivate_user", "Can deactivate accounts"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() leaves the new raw password in _password until the save: whatever path changes a
        # password (the change page, activation, a command), the account's API tokens stop working with it.
        password_changed = self._password is not None and not self._state.adding  # type: ignore[attr-defined]
        super().save(*args, **kwargs)
        if password_changed:
            from yinling.accounts.tokens import revoke_tokens

            revoke_tokens(self, reason="password_changed")

    def get_absolute_url(self) -> str:
        return f"/accounts/users/{self.pk}/"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def scope_grants(self) -> list[tuple[str, frozenset[str]]]:
        """[(org path, perms)] of this user's roles: what core.scoping needs (GrantHolder)."""
        from yinling.accounts.permissions import grants_for

        return grants_for(self)


class RoleAssignment(models.Model):
    """(user, role, org): the role's permissions on the org's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=role_choices)
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("org"))
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"
    audit_exclude = ("granted_at",)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.org}"
