"""The registry's list filters and search, shared by the page, exports, libraries and the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.core.crypto import keyed_hash
from yinling.core.filtering import YesNoFilter
from yinling.core.refusals import Refused
from yinling.core.scoping import orgs_where, path_in, perm_name, user_paths
from yinling.orgs.lookups import OrgSubtreeFilter
from yinling.orgs.models import Org
from yinling.registry import choices, lookups, search_guard
from yinling.registry.idcard import normalise
from yinling.registry.models import Retiree, Transfer

PARTY = [("party", _("Party member")), ("non_party", _("Not a party member"))]
# Lists show people on register unless asked: a death or a move keeps the record, but a list of
# "our retirees" that still counts the dead is the trial's complaint. "all" asks for every record.
STATUS_ALL = lookups.STATUS_ALL
STATUS_CHOICES = [*choices.Status.choices, (STATUS_ALL, _("All records (also deceased and moved out)"))]


def search_q(value: str) -> Q:
    """Name, full pinyin or initials, the last 4 or 6 of the ID number, the last 4 of a phone, a full ID number."""
    raw = value.strip()
    if not raw:
        return Q()
    digits = normalise(raw)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", digits):
        from yinling.registry.idcard import IdNumberError, parse

        try:
            return Q(id_hash=keyed_hash(parse(digits).number, "id"))
        except IdNumberError:
            return Q(pk__in=[])
    if re.fullmatch(r"\d{4}", digits):
        return Q(id_last4=digits) | Q(phone_last4=digits)
    if re.fullmatch(r"\d{5}[\dX]", digits):
        return Q(id_last6_hash=keyed_hash(digits, "id6"))
    if re.fullmatch(r"1\d{10}", digits):
        return Q(phone_hash=keyed_hash(digits, "phone"))
    if re.fullmatch(r"[A-Za-z]+", raw):
        key = raw.lower()
        return Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
    name = re.sub(r"[\s\u3000]+", "", raw)
    return Q(name__startswith=name) | Q(former_name__startswith=name)


def masked_query(value: str) -> str:
    """A search as the audit trail may keep it: an ID number or phone in it is masked like on pages."""
    from yinling.core.crypto import mask_phone
    from yinling.registry.idcard import mask

    digits = normalise(value)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", digits):
        return mask(digits)
    if re.fullmatch(r"\d{5}[\dX]", digits):
        return "**" + digits[-4:]
    if re.fullmatch(r"1\d{10}", digits):
        return mask_phone(digits)
    return value


def birth_range_for_age(age_min: int | None, age_max: int | None, today: dt.date, *, exact: bool = True) -> Q:
    """People aged age_min to age_max: to the day (`exact`), or by this year's age (idcard.age_shown)
    for a user who may not see whole birth dates, whom the day's answer would tell a birthday."""
    if not exact:
        q = Q()
        if age_min is not None:
            q &= Q(birth_date__lt=dt.date(today.year - age_min + 1, 1, 1))
        if age_max is not None:
            q &= Q(birth_date__gte=dt.date(today.year - age_max, 1, 1))
        return q
    q = Q()
    if age_min is not None:
        # At least age_min: born on or before today minus age_min years.
        q &= Q(birth_date__lte=_years_before(today, age_min))
    if age_max is not None:
        # At most age_max: born after today minus (age_max + 1) years.
        q &= Q(birth_date__gt=_years_before(today, age_max + 1))
    return q


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def sees_whole_dates(user: Any) -> bool:
    """Whether the user may see sensitive data wherever they may see people (then ages are exact)."""
    sensitive = user_paths(user, perm_name(Retiree, "view_sensitive"))
    return all(path_in(path, sensitive) for path in user_paths(user, perm_name(Retiree, "view")))


def _orgs_for_filter(request: Any) -> QuerySet[Org]:
    """Orgs whose people the user may view; without a request (a library's members, counted for a
    user whose rows are already scoped) any org: filtering scoped rows by it cannot widen them."""
    if request is None:
        return Org.objects.unrestricted()
    return orgs_where(request.user, Retiree, "view")


class RetireeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, pinyin, ID or phone digits"), method="filter_search")
    org = OrgSubtreeFilter(label=_("Org (and below)"), queryset=_orgs_for_filter)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=choices.Category.choices)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=choices.Gender.choices)
    # Bounded: an age the calendar cannot hold (99999…) is a form error, not an overflow deep in date maths.
    age_min = django_filters.NumberFilter(label=_("Age from"), method="filter_age", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(label=_("Age to"), method="filter_age", min_value=0, max_value=150)
    party = django_filters.ChoiceFilter(label=_("Party membership"), choices=PARTY, method="filter_party")
    living = django_filters.ChoiceFilter(label=_("Living situation"), choices=choices.Living.choices)
    health = django_filters.ChoiceFilter(label=_("Health"), choices=choices.Health.choices)
    special_flag = django_filters.ChoiceFilter(
        label=_("Special group"), choices=choices.SpecialFlag.choices, method="filter_flag"
    )
    contribution = django_filters.ChoiceFilter(
        label=_("Contribution"), choices=choices.Contribution.choices, method="filter_contribution"
    )
    disabled = YesNoFilter(label=_("disabled"))  # "Disabled" is Django's 禁用 (switched off)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        empty_label=None,  # no blank choice: the select shows 在册, which is what an absent status means
        method="filter_status",
        help_text=_("Deceased and moved-out people are kept in the registry; choose them here to see them."),
    )

    class Meta:
        model = Retiree
        fields = [
            "q",
            "org",
            "category",
            "gender",
            "age_min",
            "age_max",
            "party",
            "living",
            "health",
            "special_flag",
            "contribution",
            "disabled",
            "status",
        ]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Always bound, so that the default status applies to a list opened without any filter too
        # (django-filter does not filter an unbound set at all).
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)

    _exact: set[str] | None = None  # the exact sensitive searches let through (search_guard), once checked

    def is_valid(self) -> bool:
        """Valid, and every exact search by a sensitive value allowed (search_guard: limited, audited)."""
        if not super().is_valid():
            return False
        if self._exact is not None:
            return not self.form.errors
        self._exact = set()
        user = getattr(self.request, "user", None)
        if user is None:  # a library's members, counted for its viewer: not a search anyone typed
            return True
        for name in ("q", "search"):
            value = self.form.cleaned_data.get(name)
            if not value:
                continue
            try:
                if search_guard.check(user, value, self._via()):
                    self._exact.add(value)
            except Refused as exc:
                self.form.add_error(name, exc.message)
                self.search_refusal = exc
                return False
        return True

    search_refusal: Refused | None = None

    def _via(self) -> str:
        return "api" if str(getattr(self.request, "path", "")).startswith("/api/") else "list"

    def filter_queryset(self, queryset: QuerySet[Retiree]) -> QuerySet[Retiree]:
        qs = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            qs = qs.filter(status=choices.Status.ACTIVE)
        return qs

    def filter_status(self, qs: QuerySet[Retiree], name: str, value: str) -> QuerySet[Retiree]:
        return qs if value == STATUS_ALL else qs.filter(status=value)

    def filter_search(self, qs: QuerySet[Retiree], name: str, value: str) -> QuerySet[Retiree]:
        found = qs.filter(search_q(value))
        if self._exact and value in self._exact:
            # Audited with what it answered; `qs` is the user's scope, narrowed by the filters before it.
            search_guard.audited(self.request.user, value, self._via(), found.count())
        return found

    def filter_age(self, qs: QuerySet[Retiree], name: str, value: Any) -> QuerySet[Retiree]:
        today = timezone.localdate()
        exact = self.request is not None and sees_whole_dates(self.request.user)
        if name == "age_min":
            return qs.filter(birth_range_for_age(int(value), None, today, exact=exact))
        return qs.filter(birth_range_for_age(None, int(value), today, exact=exact))

    def filter_party(self, qs: QuerySet[Retiree], name: str, value: str) -> QuerySet[Retiree]:
        members = Q(political__in=[choices.Political.CPC, choices.Political.PROBATIONARY])
        return qs.filter(members) if value == "party" else qs.exclude(members)

    def filter_flag(self, qs: QuerySet[Retiree], name: str, value: str) -> QuerySet[Retiree]:
        return qs.filter(tags__contains=f"|flag:{value}|")

    def filter_contribution(self, qs: QuerySet[Retiree], name: str, value: str) -> QuerySet[Retiree]:
        return qs.filter(tags__contains=f"|contrib:{value}|")


class MoveFilterSet(django_filters.FilterSet):
    """The moves page: one person's moves, or those into or out of an org's subtree."""

    person = lookups.RetireeFilter(
        label=_("Person"),
        field_name="retiree",
        queryset=lambda request: lookups.people_for(getattr(request, "user", None), "view", STATUS_ALL),
        params={"status": STATUS_ALL},  # moved people are still on register; anyone the user may view
    )
    org = OrgSubtreeFilter(label=_("Org (and below)"), queryset=_orgs_for_filter, method="filter_org")

    class Meta:
        model = Transfer
        fields = ["person", "org"]

    def filter_org(self, qs: QuerySet[Transfer], name: str, value: Org) -> QuerySet[Transfer]:
        return qs.filter(Q(from_org__path__under=value.path) | Q(to_org__path__under=value.path))
