from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedManager
from yinling.core.treepath import TreePathField


class Division(models.Model):
    """A GB/T 2260 administrative division (reference data, not scoped)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


code_validator = RegexValidator(r"^[0-9A-Za-z-]{2,32}$", _("Use 2–32 letters, digits or hyphens."))


class Org(models.Model):
    """A node of the management tree: bureaus, units and community stations."""

    class Kind(models.TextChoices):
        PROVINCE_BUREAU = "province_bureau", _("Provincial bureau")
        CITY_BUREAU = "city_bureau", _("City bureau")
        COUNTY_BUREAU = "county_bureau", _("County bureau")
        UNIT = "unit", _("Unit")
        STATION = "station", _("Community station")

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    division = models.ForeignKey(Division, verbose_name=_("division"), null=True, blank=True, on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = TreePathField(_("path"), unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Where the org is (a community station's or a unit's address), for distances such as the nearest
    # senior-university site; without them the division's centre stands in (Division.latitude).
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path_field = "path"
    audit_exclude = ("path", "depth", "created_at")

    class Meta:
        ordering = ["path"]
        verbose_name = _("org")
        verbose_name_plural = _("orgs")
        permissions = [("export_org", "Can export orgs")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            self.path = (self.parent.path if self.parent else "") + self.code + "/"
            self.depth = self.parent.depth + 1 if self.parent else 0
            super().save(*args, **kwargs)
            return
        old = Org.objects.unrestricted().filter(pk=self.pk).values("path", "parent_id", "code").get()
        new_path = (self.parent.path if self.parent else "") + self.code + "/"
        if new_path != old["path"]:
            self._rewrite_subtree(old["path"], new_path)
            self.path = new_path
            self.depth = self.parent.depth + 1 if self.parent else 0
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("orgs:detail", args=[self.code])

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent is not None and self.parent.path.startswith(self.path or "~"):
            raise ValidationError({"parent": _("An org cannot be moved under itself or its descendants.")})

    def _rewrite_subtree(self, old_path: str, new_path: str) -> None:
        """Move or rename: one UPDATE rewrites every descendant's path and depth."""
        if new_path.startswith(old_path):
            raise ValidationError(_("An org cannot be moved under itself or its descendants."))
        delta = new_path.count("/") - old_path.count("/")
        with transaction.atomic():
            moved = (
                Org.objects.filter(path__under=old_path)
                .exclude(pk=self.pk)
                .update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + delta,
                )
            )
            if moved:
                # update() sends no signal: the descendants' move is recorded here, once, on the moved org.
                from yinling.audit.models import AuditRecord
                from yinling.audit.services import record

                record(
                    AuditRecord.Action.UPDATE,
                    self,
                    org_path=new_path,
                    extra={"event": "subtree_moved", "from": old_path, "to": new_path, "descendants": moved},
                )

    @property
    def ancestors_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c][:-1]

    def ancestors(self) -> models.QuerySet[Org]:
        # The tree around an org in hand: its ancestors' names show in breadcrumbs to anyone below them.
        return Org.objects.unrestricted().filter(code__in=self.ancestors_codes).order_by("depth")

    def subtree(self) -> models.QuerySet[Org]:
        return Org.objects.unrestricted().filter(path__under=self.path)
