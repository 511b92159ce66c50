"""The activity list's filters: the staff page, its export and the API share them
(`?org=` an org code and below, `team=` a team id, `from=` / `to=` dates, `open=1` sign-up still open)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.core.filtering import IdFilter
from yinling.orgs.models import Org
from yinling.volunteering.models import Activity


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class ActivityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("title"), method="filter_q")
    org = django_filters.CharFilter(label=_("Org code (and below)"), method="filter_org")
    team = IdFilter(label=_("team"), field_name="team_id")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Activity.Kind.choices)
    date_from = django_filters.DateFilter(label=_("from"), method="filter_from")
    date_to = django_filters.DateFilter(label=_("to"), method="filter_to")
    open = django_filters.ChoiceFilter(
        label=_("sign-up open"), choices=(("1", _("Yes")), ("0", _("No"))), method="filter_open"
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = kwargs.get("data", args[0] if args else None)
        if data is not None and ("from" in data or "to" in data):
            # The API's names (from, to) are Python keywords: the form fields are date_from / date_to.
            data = data.copy()
            for name in ("from", "to"):
                if name in data and f"date_{name}" not in data:
                    data[f"date_{name}"] = data[name]
            if args:
                args = (data, *args[1:])
            else:
                kwargs["data"] = data
        super().__init__(*args, **kwargs)

    def filter_q(self, qs: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        value = value.strip()
        return qs.filter(Q(title__contains=value) | Q(place__contains=value)) if value else qs

    def filter_org(self, qs: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        code = value.strip()
        if not code:
            return qs
        # Narrows rows already scoped by the caller: finding the org by code cannot widen them.
        org = Org.objects.unrestricted().filter(code=code).only("path").first()
        return qs.filter(org__path__under=org.path) if org is not None else qs.none()

    def filter_from(self, qs: QuerySet[Activity], name: str, value: dt.date) -> QuerySet[Activity]:
        return qs.filter(end__gt=_local_midnight(value))

    def filter_to(self, qs: QuerySet[Activity], name: str, value: dt.date) -> QuerySet[Activity]:
        return qs.filter(start__lt=_local_midnight(value + dt.timedelta(days=1)))

    def filter_open(self, qs: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        if value not in ("1", "0"):
            return qs
        now = timezone.now()
        open_q = Q(is_cancelled=False, start__gt=now) & (Q(signup_deadline__isnull=True) | Q(signup_deadline__gt=now))
        return qs.filter(open_q) if value == "1" else qs.exclude(open_q)
