from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.core.crypto import EncryptedTextField
from yinling.core.scoping import ScopedQuerySet, path_in, path_q
from yinling.orgs.models import Org
from yinling.registry import choices

month_validator = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("Use a month like 1968-08."))


class RetireeQuerySet(ScopedQuerySet):
    def live_q(self) -> Q:
        """restrict() hides soft-deleted records unless asked for them (deleted=True)."""
        return Q(is_deleted=False)

    def alive(self) -> RetireeQuerySet:
        return self.filter(is_deleted=False)


class Retiree(models.Model):
    """A person in the registry (信息库). A death or a move never deletes the record."""

    # No index of its own: the composite indexes below all lead with the org (see Meta.indexes).
    org = models.ForeignKey(
        Org, verbose_name=_("managing org"), on_delete=models.PROTECT, related_name="retirees", db_index=False
    )
    status = models.CharField(_("status"), max_length=12, choices=choices.Status.choices, default=choices.Status.ACTIVE)
    category = models.CharField(_("category"), max_length=8, choices=choices.Category.choices)

    # Identity
    name = models.CharField(_("name"), max_length=50)
    former_name = models.CharField(_("former name"), max_length=50, blank=True)
    name_pinyin = models.CharField(max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=choices.Gender.choices)
    ethnic = models.CharField(_("ethnic group"), max_length=2, default="01")
    native_place = models.CharField(_("native place"), max_length=50, blank=True)
    birth_date = models.DateField(_("birth date"), db_index=True)
    id_number = EncryptedTextField(_("ID number"))
    id_hash = models.CharField(max_length=64, editable=False)
    id_masked = models.CharField(max_length=18, editable=False)
    id_last4 = models.CharField(max_length=4, editable=False)
    id_last6_hash = models.CharField(max_length=64, editable=False)

    # Work, party, retirement, treatment
    education = models.CharField(_("education"), max_length=16, choices=choices.Education.choices, blank=True)
    political = models.CharField(_("political status"), max_length=16, choices=choices.Political.choices, blank=True)
    party_joined = models.CharField(_("joined the party"), max_length=7, blank=True, validators=[month_validator])
    work_started = models.CharField(_("started work"), max_length=7, blank=True, validators=[month_validator])
    retired_on = models.CharField(_("retired"), max_length=7, blank=True, validators=[month_validator])
    former_unit = models.CharField(_("former unit"), max_length=100, blank=True)
    former_post = models.CharField(_("former post"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=50, blank=True)
    treatment_level = models.CharField(_("treatment level"), max_length=50, blank=True)
    treatment_document = models.CharField(_("approval document"), max_length=100, blank=True)

    # Placement and residence
    placement = models.CharField(_("placement"), max_length=8, choices=choices.Placement.choices, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    address_masked = models.CharField(max_length=20, editable=False, blank=True)
    community = models.CharField(_("street / community"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_masked = models.CharField(max_length=20, editable=False, blank=True)
    phone_last4 = models.CharField(max_length=4, editable=False, blank=True)
    phone_hash = models.CharField(max_length=64, editable=False, blank=True)

    # Health and living
    health = models.CharField(_("health"), max_length=12, choices=choices.Health.choices, blank=True)
    health_notes = EncryptedTextField(_("health details"), blank=True)
    living = models.CharField(_("living situation"), max_length=16, choices=choices.Living.choices, blank=True)
    disabled = models.BooleanField(_("disabled"), default=False)
    special_flags = models.JSONField(_("special groups"), default=list, blank=True)
    # "|flag:hardship|contrib:volunteer|": the multi-valued fields in a form every database can filter on.
    tags = models.CharField(max_length=300, editable=False, blank=True)

    # Contribution
    skills = models.CharField(_("skills and hobbies"), max_length=200, blank=True)
    contributions = models.JSONField(_("contribution"), default=list, blank=True)
    honours = models.TextField(_("honours"), blank=True)

    # The retiree's own sign-in, opened by staff (开通); phone numbers sign in too.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retiree",
        editable=False,
    )

    # Lifecycle
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    is_deleted = models.BooleanField(default=False, editable=False)  # the list indexes are partial on it
    deleted_reason = models.CharField(max_length=200, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RetireeQuerySet.as_manager()
    scope_path_field = "org__path"
    audit_exclude = (
        "id_hash",
        "id_last4",
        "id_last6_hash",
        "phone_last4",
        "phone_hash",
        "name_pinyin",
        "name_initials",
        "updated_at",
        "created_at",
        "version",
        "id_masked",
        "phone_masked",
        "address_masked",
        "tags",
    )
    audit_sensitive = ("id_number", "phone", "address", "health_notes")
    # Kept whole in the trail (the record's history reveals it to those with the right), shown in the
    # audit pages and their export as the year only: with the ID's last four it rebuilds the number.
    audit_display_masks = {"birth_date": lambda value: str(value)[:4] if value else value}

    class Meta:
        verbose_name = _("retiree")
        verbose_name_plural = _("retirees")
        ordering = ["name_pinyin", "id"]
        # One record per ID number, deleted ones included (see indexes for why not unique=True).
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="retiree_id_hash_unique")]
        permissions = [
            ("export_retiree", "Can export retirees"),
            ("view_sensitive_retiree", "Can see unmasked sensitive fields"),
            ("import_retiree", "Can import retirees"),
            ("transfer_retiree", "Can move retirees to another org"),
            ("open_account_retiree", "Can open retiree accounts"),
            ("act_for_retiree", "Can act on a retiree's behalf"),
        ]
        # Every index costs each imported row (benchmarks/import_retirees.py: maintaining them is
        # most of PostgreSQL's share of an import), so none is kept that another one covers: the
        # org, status and is_deleted columns have no index of their own (the composites lead with
        # them, or are partial on is_deleted), name and initials only the prefix one searches use;
        # (status, name_pinyin) went too: no case of benchmarks/list_search.py ever used it.
        indexes = [
            # Exact-match lookups. Declared here rather than with db_index/unique on the fields:
            # on PostgreSQL those add a second varchar_pattern_ops ("_like") index to every
            # CharField, which no query of these columns uses and every write maintains.
            models.Index(fields=["category"], name="retiree_category"),
            models.Index(fields=["id_last4"], name="retiree_id_last4"),
            models.Index(fields=["id_last6_hash"], name="retiree_id_last6_hash"),
            models.Index(fields=["phone_last4"], name="retiree_phone_last4"),
            models.Index(fields=["phone_hash"], name="retiree_phone_hash"),
            models.Index(fields=["org", "status"], name="retiree_org_status"),
            # For lists and counts at province scale (1,000,000 rows; benchmarks/list_search.py):
            # an org's living records in name order: scope counts and small scopes' pages, index only.
            models.Index(
                fields=["org", "name_pinyin", "id"],
                condition=models.Q(is_deleted=False),
                name="retiree_alive_org_pinyin",
            ),
            # Name search matches the name or the former name by prefix, and letters the initials
            # or the full pinyin by prefix: each needs a LIKE 'x%' index. (name_pinyin keeps its
            # plain index as well, for the list's name order.)
            models.Index(fields=["name"], opclasses=["varchar_pattern_ops"], name="retiree_name_like"),
            models.Index(fields=["former_name"], opclasses=["varchar_pattern_ops"], name="retiree_former_name_like"),
            models.Index(fields=["name_initials"], opclasses=["varchar_pattern_ops"], name="retiree_initials_like"),
            # Living situation with an age range (独居 aged 80 and over …), per org: for a city's
            # scope PostgreSQL visits its orgs one by one, so indexes that lead with the org serve best.
            # The cockpit's registry panels (registry/panels.py) group by status, category, gender, birth
            # year, living and health: with those columns here too they read this index alone (an index-only
            # scan of ~70 MB at 1,000,000 people instead of the 840 MB table; benchmarks/cockpit.py), at the
            # cost of a wider index rather than one more for every write to maintain.
            models.Index(
                fields=["org", "living", "birth_date", "status", "category", "gender", "health"],
                condition=models.Q(is_deleted=False),
                name="retiree_org_living_birth",
            ),
            # Other modules' people (volunteers, students, cases) join the registry by id to count by org and
            # age: with org and birth date included PostgreSQL reads this 39 MB index instead of the 840 MB table
            # at 1,000,000 people (the volunteering board's panels, benchmarks/cockpit.py). On SQLite the
            # INCLUDE columns are left out (a plain partial index on id).
            models.Index(
                fields=["id"],
                include=["org", "birth_date"],
                condition=models.Q(is_deleted=False),
                name="retiree_live_id_org_birth",
            ),
            # Special groups and contributions are filtered as tags LIKE '%|flag:x|%', which no plain
            # index serves: one small partial index per value (also the built-in libraries' counts),
            # holding the key too, so that counting and collecting a page's keys read no rows.
            *[
                models.Index(
                    fields=["org", "status", "id"],
                    condition=models.Q(is_deleted=False, tags__contains=f"|{kind}:{code}|"),
                    name=f"retiree_tag_{code}",
                )
                for kind, codes in (("flag", choices.SpecialFlag.values), ("contrib", choices.Contribution.values))
                for code in codes
            ],
            # Party members (党员库), as filters.RetireeFilterSet.filter_party writes the condition.
            models.Index(
                fields=["org", "status", "id"],
                condition=models.Q(
                    is_deleted=False, political__in=[choices.Political.CPC, choices.Political.PROBATIONARY]
                ),
                name="retiree_party",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/registry/{self.pk}/"

    def refresh_derived(self) -> None:
        """Lookup hashes, masks and pinyin kept beside the encrypted values (bulk writes call this too)."""
        from yinling.core.crypto import keyed_hash, mask_phone, mask_text
        from yinling.registry.idcard import mask
        from yinling.registry.pinyin import full_pinyin, initials

        number = self.id_number or ""
        self.id_hash = keyed_hash(number, "id")
        self.id_masked = mask(number)
        self.id_last4 = number[-4:]
        self.id_last6_hash = keyed_hash(number[-6:], "id6")
        phone = self.phone or ""
        self.phone_masked = mask_phone(phone)
        self.phone_last4 = phone[-4:] if phone else ""
        self.phone_hash = keyed_hash(phone, "phone") if phone else ""
        self.address_masked = mask_text(self.address or "")
        self.name_pinyin = full_pinyin(self.name)
        self.name_initials = initials(self.name)
        tags = [f"flag:{f}" for f in self.special_flags or []] + [f"contrib:{c}" for c in self.contributions or []]
        self.tags = "|" + "|".join(tags) + "|" if tags else ""

    @property
    def age(self) -> int:
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def age_this_year(self) -> int:
        """The age shown to roles without the sensitive right (idcard.age_shown)."""
        from yinling.registry.idcard import age_shown

        return age_shown(self.birth_date, timezone.localdate())

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def ethnic_label(self) -> str:
        return dict(choices.ethnic_choices()).get(self.ethnic, self.ethnic)

    @property
    def special_label_list(self) -> list[str]:
        mapping = dict(choices.SpecialFlag.choices)
        return [str(mapping.get(code, code)) for code in self.special_flags or []]

    @property
    def contribution_label_list(self) -> list[str]:
        mapping = dict(choices.Contribution.choices)
        return [str(mapping.get(code, code)) for code in self.contributions or []]


class FamilyContact(models.Model):
    """Spouse, children and other contacts (称谓 / 姓名 / 电话); one may be the emergency contact."""

    retiree = models.ForeignKey(Retiree, on_delete=models.CASCADE, related_name="contacts")
    relation = models.CharField(_("relation"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_masked = models.CharField(max_length=20, editable=False, blank=True)
    is_emergency = models.BooleanField(_("emergency contact"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "retiree__org__path"
    audit_exclude = ("phone_masked",)
    audit_sensitive = ("phone",)

    class Meta:
        verbose_name = _("family contact")
        verbose_name_plural = _("family contacts")
        ordering = ["-is_emergency", "id"]

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from yinling.core.crypto import mask_phone

        self.phone_masked = mask_phone(self.phone or "")
        super().save(*args, **kwargs)


class TransferQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """Both sides of a move see it."""
        return path_q("from_org__path", paths) | path_q("to_org__path", paths)


class Transfer(models.Model):
    """A move between managing orgs; both sides keep seeing it in the record's history."""

    retiree = models.ForeignKey(Retiree, on_delete=models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(default=timezone.now)
    by = models.CharField(max_length=150, blank=True)

    objects = TransferQuerySet.as_manager()
    scope_permission_model = "registry.Retiree"  # seen with the rights on the people moved

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.retiree} {self.from_org.code} → {self.to_org.code}"

    def in_subtrees(self, roots: list[str]) -> bool:
        return path_in(self.from_org.path, roots) or path_in(self.to_org.path, roots)


class LibraryQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """Libraries saved in the user's subtrees; to view, also those shared from an org above them."""
        q = super().scope_q(paths, action)
        if action == "view":
            ancestors = {p[: i + 1] for p in paths for i, ch in enumerate(p) if ch == "/"}
            q |= Q(org__path__in=ancestors, shared=True)
        return q


class Library(models.Model):
    """A thematic library (专题库): a saved, shared filter with live membership."""

    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    org = models.ForeignKey(Org, verbose_name=_("org"), on_delete=models.PROTECT, related_name="libraries")
    # The list page's query string, e.g. {"political": "party", "special_flag": "hardship"}.
    filters = models.JSONField(_("filters"), default=dict)
    shared = models.BooleanField(_("shared with the org's subtree"), default=True)
    created_by = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LibraryQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("thematic library")
        verbose_name_plural = _("thematic libraries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/registry/libraries/{self.pk}/"
