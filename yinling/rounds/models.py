"""平安报 status rounds: in an emergency staff open a round for an org's subtree, and every retiree in it gets
a status (safe, needs help with what, unreachable) from a visit, a call, their own phone answer or a relative.

`Round` is scoped by its org, but staff *below* that org work in it too (a city opens the round, its counties
reach their own people): `RoundQuerySet.scope_q` also finds rounds opened at an org above the user's roots,
and each `RoundEntry` is scoped by the org the person belonged to when the round opened, so a county clerk
sees and records only their county's people. `RoundEntry` is the snapshot taken at opening (one row per
living retiree on register in the subtree); a later answer for the same person updates the row and appends
an `EntryUpdate` (the history).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedManager, ScopedQuerySet, path_in, path_q
from yinling.orgs.models import Org


def ancestor_paths(path: str) -> list[str]:
    """ "330000/330100/330106/" → ["330000/", "330000/330100/"] (strictly above; paths end in "/")."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


class RoundQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        # Rounds in the user's subtrees, and rounds opened above them (they reach their own people in it).
        above = sorted({a for p in paths for a in ancestor_paths(p)})
        return path_q("org__path", paths) | Q(org__path__in=above)


class Round(models.Model):
    class Status(models.TextChoices):
        # Not a bare "Open": that is the time bank's "待接单" in the catalogue.
        OPEN = "open", _("Under way")
        CLOSED = "closed", _("Closed")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("org"))
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("people in the round"), default=0)
    report = models.TextField(_("report"), blank=True)
    # The counts by status at closing, frozen: {"safe": 10, ...}.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    objects = RoundQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("平安报 round")
        verbose_name_plural = _("平安报 rounds")
        permissions = [("export_round", "Can export rounds")]
        indexes = [models.Index(fields=["org", "status"], name="rounds_round_org_status")]

    def __str__(self) -> str:
        return self.title

    def in_subtrees(self, roots: Iterable[str]) -> bool:
        roots = list(roots)
        path = self.org.path
        return path_in(path, roots) or any(root.startswith(path) for root in roots)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class EntryStatus(models.TextChoices):
    NOT_REACHED = "not_reached", _("Not reached yet")
    SAFE = "safe", _("Safe")
    NEEDS_HELP = "needs_help", _("Needs help")
    UNREACHABLE = "unreachable", _("Unreachable")


class Source(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    SELF = "self", _("Own answer on the phone")
    FAMILY = "family", _("Family member")


class RoundEntry(models.Model):
    """One person of the round's snapshot and their latest status."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="entries", verbose_name=_("round"))
    # No database constraint on the person and the org (db_constraint=False): an opening copies both from their
    # own tables in the same statement, neither table ever deletes a row (PROTECT and soft deletes), and the
    # per-row checks at commit (a FOR KEY SHARE lock on every retiree of the city) were a third of the
    # opening's time at 150,000 people (benchmarks/rounds_open.py). The ORM still protects them.
    retiree = models.ForeignKey(
        "registry.Retiree", on_delete=models.PROTECT, related_name="+", verbose_name=_("retiree"), db_constraint=False
    )
    # The person's org when the round opened: scopes the entry and groups the report.
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("org"), db_constraint=False)
    status = models.CharField(_("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.NOT_REACHED)
    needs = models.TextField(_("needs"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    # How many answers were recorded: the API's optimistic check (`version`) and the history's length.
    version = models.PositiveIntegerField(_("version"), default=0)

    objects = ScopedManager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("round entry")
        verbose_name_plural = _("round entries")
        # Person first: the same index serves uniqueness, a person's questions (the member pages) and the API's
        # (round, person) look-up; an opening writes one index fewer per person.
        constraints = [models.UniqueConstraint(fields=["retiree", "round"], name="rounds_entry_one_per_person")]
        indexes = [models.Index(fields=["round", "status", "id"], name="rounds_entry_round_status")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.retiree_id}"


class EntryUpdate(models.Model):
    """One recorded answer (the history of an entry; the entry holds the latest)."""

    entry = models.ForeignKey(RoundEntry, on_delete=models.PROTECT, related_name="updates", verbose_name=_("entry"))
    status = models.CharField(_("status"), max_length=12, choices=EntryStatus.choices)
    needs = models.TextField(_("needs"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    on_behalf = models.BooleanField(_("on behalf"), default=False)

    objects = ScopedManager()
    scope_path_field = "entry__org__path"

    class Meta:
        verbose_name = _("round entry update")
        verbose_name_plural = _("round entry updates")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.status}"
