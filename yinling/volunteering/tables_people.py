"""Tables of the people half's staff lists. People show masked as the registry's list shows them: the birth
year only, the phone masked, never an ID number."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yinling.volunteering.models import Certificate, Nomination, Pairing, Story, Target, Team, Volunteer

ATTRS = {"class": "table table-striped table-hover align-middle"}


def _link(name: str) -> Any:
    return lambda record: reverse(f"volunteering:{name}", args=[record.pk])


class VolunteerTable(tables.Table):
    name = tables.Column(
        accessor="retiree__name", verbose_name=_("name"), linkify=_link("volunteer"), order_by=("retiree__name_pinyin",)
    )
    gender = tables.Column(accessor="retiree__get_gender_display", verbose_name=_("gender"), orderable=False)
    birth = tables.DateColumn(accessor="retiree__birth_date", verbose_name=_("birth year"), format="Y")
    org = tables.Column(accessor="retiree__org__name", verbose_name=_("managing org"), order_by=("retiree__org__path",))
    phone = tables.Column(accessor="retiree__phone_masked", verbose_name=_("phone"), orderable=False)
    skills = tables.Column(accessor="skills", verbose_name=_("skills"), orderable=False)
    credited_hours = tables.Column(verbose_name=_("credited hours"))
    stars = tables.Column(verbose_name=_("stars"))
    insurance = tables.Column(verbose_name=_("insurance"))
    returning_talent = tables.BooleanColumn(verbose_name=_("银雁返乡"))

    class Meta:
        model = Volunteer
        fields = ("name", "gender", "birth", "org", "phone", "skills", "credited_hours", "stars", "insurance")
        attrs = ATTRS

    def render_skills(self, record: Volunteer) -> str:
        from yinling.volunteering.models import Skill

        labels = dict(Skill.choices)
        return "、".join(str(labels.get(s, s)) for s in record.skill_list)

    def render_stars(self, value: int) -> str:
        return "★" * value if value else "—"


class TeamTable(tables.Table):
    name = tables.Column(linkify=_link("team"), verbose_name=_("name"))
    kind = tables.Column(verbose_name=_("kind"))
    org = tables.Column(accessor="org__name", verbose_name=_("org"), order_by=("org__path",))
    parent = tables.Column(accessor="parent__name", verbose_name=_("parent team"))
    members = tables.Column(verbose_name=_("members"), orderable=False, empty_values=())

    class Meta:
        model = Team
        fields = ("name", "kind", "org", "parent")
        attrs = ATTRS

    def render_members(self, record: Team) -> int:
        return int(getattr(record, "member_count", 0))


class PairingTable(tables.Table):
    volunteer = tables.Column(
        accessor="volunteer__retiree__name", verbose_name=_("volunteer"), linkify=_link("pairing")
    )
    minor_masked = tables.Column(verbose_name=_("child"), orderable=False)
    village = tables.Column(verbose_name=_("village"))
    team = tables.Column(accessor="team__name", verbose_name=_("team"))
    since = tables.DateColumn(verbose_name=_("paired since"))
    ended_on = tables.DateColumn(verbose_name=_("ended"))

    class Meta:
        model = Pairing
        fields = ("volunteer", "minor_masked", "village", "team", "since", "ended_on")
        attrs = ATTRS


class StoryTable(tables.Table):
    title = tables.Column(linkify=_link("story"), verbose_name=_("title"))
    org = tables.Column(accessor="org__name", verbose_name=_("org"))
    status = tables.Column(verbose_name=_("status"))
    created_at = tables.DateTimeColumn(verbose_name=_("written"), format="Y-m-d")

    class Meta:
        model = Story
        fields = ("title", "org", "status", "created_at")
        attrs = ATTRS


class NominationTable(tables.Table):
    nominee = tables.Column(verbose_name=_("nominee"), linkify=_link("nomination"), empty_values=(), orderable=False)
    kind = tables.Column(verbose_name=_("kind"))
    year = tables.Column(verbose_name=_("year"))
    org = tables.Column(accessor="org__name", verbose_name=_("nominated by"))
    at_org = tables.Column(accessor="at_org__name", verbose_name=_("now reviewed at"))
    status = tables.Column(verbose_name=_("status"))

    class Meta:
        model = Nomination
        fields = ("nominee", "kind", "year", "org", "at_org", "status")
        attrs = ATTRS

    def render_nominee(self, record: Nomination) -> str:
        return str(record.team or record.volunteer)


class CertificateTable(tables.Table):
    code = tables.Column(verbose_name=_("verification code"), linkify=_link("certificate"))
    volunteer = tables.Column(accessor="volunteer__retiree__name", verbose_name=_("volunteer"))
    org = tables.Column(accessor="org__name", verbose_name=_("issuing org"))
    issued_at = tables.DateTimeColumn(verbose_name=_("issued"), format="Y-m-d")
    credited_hours = tables.Column(verbose_name=_("credited hours"))
    stars = tables.Column(verbose_name=_("stars"))
    is_revoked = tables.BooleanColumn(verbose_name=_("revoked"))

    class Meta:
        model = Certificate
        fields = ("code", "volunteer", "org", "issued_at", "credited_hours", "stars", "is_revoked")
        attrs = ATTRS


class TargetTable(tables.Table):
    org = tables.Column(accessor="org__name", verbose_name=_("org"), linkify=_link("target_edit"))
    year = tables.Column(verbose_name=_("year"))
    top_teams = tables.Column(verbose_name=_("top teams"))
    stories = tables.Column(verbose_name=_("stories"))
    star_volunteers = tables.Column(verbose_name=_("star volunteers"))
    volunteers = tables.Column(verbose_name=_("volunteers"))

    class Meta:
        model = Target
        fields = ("org", "year", "top_teams", "stories", "star_volunteers", "volunteers")
        attrs = ATTRS
