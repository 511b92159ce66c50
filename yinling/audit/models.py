from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedQuerySet, path_in
from yinling.core.treepath import TreePathField


def _holds_a_root(roots: list[str]) -> bool:
    return any(root.count("/") == 1 for root in roots)


class AuditRecordQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """Records under the subtrees; records with no org (failed sign-ins of unknown names)
        only for holders at a root org."""
        q = super().scope_q(paths, action)
        return q | Q(org_path="") if _holds_a_root(paths) else q


class AuditRecord(models.Model):
    """One entry of the append-only trail.

    Records are written inside the transaction of the change they describe, then
    sealed right after commit: sealing gives each a sequence number and an entry in
    a hash chain keyed with AUDIT_CHAIN_KEY (HMAC-SHA256, see services.seal_pending). Sealed records can be neither
    updated nor deleted: database triggers refuse it (migrations 0002), and
    `verify_audit` finds any change made around them.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        LOGIN = "login", _("Sign-in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Sign-out")
        LOCKED_OUT = "locked_out", _("Locked out")
        EXPORT = "export", _("Export")
        VIEW_SENSITIVE = "view_sensitive", _("View sensitive data")
        SECURITY = "security", _("Security event")
        PURGE = "purge", _("Purge")

    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    request_id = models.CharField(_("request"), max_length=32, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    org_path = TreePathField(_("org path"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)
    # Which AUDIT_CHAIN_KEY sealed the record (keys.key_id); empty for records sealed before
    # the chain was keyed, under plain SHA-256, which verify only as the chain's oldest part.
    # A database default too: the time bank inserts its records with SQL of its own (ledger._AUDIT_SQL).
    key_id = models.CharField(max_length=16, blank=True, default="", db_default="", editable=False)

    objects = AuditRecordQuerySet.as_manager()
    scope_path_field = "org_path"

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        permissions = [("export_auditrecord", "Can export the audit trail")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    @property
    def changes_shown(self) -> Any:
        """`changes` with the models' display masks (display.shown_changes): what pages and exports show."""
        from yinling.audit.display import shown_changes

        return shown_changes(self)

    def in_subtrees(self, roots: list[str]) -> bool:
        return path_in(self.org_path, roots) if self.org_path else _holds_a_root(roots)


class ChainCheckpoint(models.Model):
    """Where the chain starts after a purge: the last purged record's seq and hash."""

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    purged_at = models.DateTimeField(auto_now_add=True)
    purged_by = models.CharField(max_length=150, blank=True)
    purged_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"checkpoint at seq {self.seq}"


class PurgePermit(models.Model):
    """Present only inside the purge command's transaction; the delete trigger checks for it."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"purge permit {self.pk}"
