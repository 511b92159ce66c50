"""Read-only queries the people pages and the API share (volunteers, teams, stories, nominations)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yinling.core.scoping import grants_of
from yinling.registry import choices
from yinling.registry.models import Retiree
from yinling.volunteering.models import Membership, Nomination, Story, Team, Volunteer


def registrable_people(user: Any) -> QuerySet[Retiree]:
    """Living people on register whom `user` may register as volunteers (the staff picker's choices)."""
    return (
        Retiree.objects.restrict(user, perm="volunteering.add_volunteer")
        .filter(status=choices.Status.ACTIVE)
        .select_related("org")
    )


def volunteer_people(user: Any, perm: str) -> QuerySet[Retiree]:
    """Active volunteers' registry records where `user` holds `perm` (a volunteer picker's choices)."""
    return (
        Retiree.objects.restrict(user, perm=perm)
        .filter(volunteer__is_active=True, status=choices.Status.ACTIVE)
        .select_related("org")
    )


def memberships_of(volunteer: Volunteer) -> QuerySet[Membership]:
    """The volunteer's live memberships and requests (their own: read on their authority)."""
    return (
        Membership.objects.unrestricted()
        .filter(volunteer=volunteer, status__in=[Membership.Status.PENDING, Membership.Status.ACTIVE])
        .filter(team__is_deleted=False)
        .select_related("team__org")
        .order_by("team__name")
    )


def teams_near(volunteer: Volunteer) -> QuerySet[Team]:
    """Teams a volunteer may ask to join: live teams at their org or at any org above it, not yet theirs."""
    path = volunteer.retiree.org.path
    parts = path.rstrip("/").split("/")
    above = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    mine = memberships_of(volunteer).values_list("team_id", flat=True)
    return (
        Team.objects.unrestricted()  # teams are public to the volunteers they are open to
        .filter(is_deleted=False)
        .filter(Q(org__path__in=above) | Q(org__path__startswith=path))
        .exclude(pk__in=mine)
        .select_related("org")
        .order_by("org__path", "name")
    )


def team_members(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.unrestricted()
        .filter(team=team, status=Membership.Status.ACTIVE)
        .select_related("volunteer__retiree")
        .order_by("role", "volunteer__retiree__name_pinyin")
    )


def pending_requests(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.unrestricted()
        .filter(team=team, status=Membership.Status.PENDING)
        .select_related("volunteer__retiree__org")
        .order_by("requested_at", "id")
    )


def led_teams(volunteer: Volunteer) -> list[Team]:
    return [
        m.team
        for m in memberships_of(volunteer).filter(
            status=Membership.Status.ACTIVE, role__in=[Membership.Role.LEADER, Membership.Role.DEPUTY]
        )
    ]


def published_stories() -> QuerySet[Story]:
    """Published stories: public to everyone signed in, wherever they were written."""
    return (
        Story.objects.unrestricted()
        .filter(status=Story.Status.PUBLISHED)
        .select_related("org")
        .order_by("-published_at", "-id")
    )


def stories_by(user: Any) -> QuerySet[Story]:
    return Story.objects.unrestricted().filter(author=user).order_by("-created_at", "-id")


def stories_to_review(user: Any) -> QuerySet[Story]:
    return Story.objects.restrict(user, "change").filter(status=Story.Status.SUBMITTED).select_related("org")


def nominations_to_review(user: Any) -> QuerySet[Nomination]:
    """Nominations waiting at an org where `user` is staff for nominations."""
    roots = [p for p, perms in grants_of(user) if "volunteering.change_nomination" in perms]
    if not roots:
        return Nomination.objects.none()
    return (
        Nomination.objects.restrict(user, "view")
        .filter(status=Nomination.Status.IN_REVIEW, at_org__path__in=roots)
        .select_related("at_org", "team", "volunteer__retiree")
    )


def me_summary(volunteer: Volunteer) -> dict[str, Any]:
    """What /api/v1/volunteering/me/ answers (hours as decimal strings)."""
    return {
        "retiree_id": volunteer.retiree_id,
        "credited_hours": f"{volunteer.credited_hours:.2f}",
        "honour_hours": f"{volunteer.honour_hours:.2f}",
        "stars": volunteer.stars,
        "teams": [
            {"id": m.team_id, "name": m.team.name, "role": m.role, "status": m.status}
            for m in memberships_of(volunteer)
        ],
    }
