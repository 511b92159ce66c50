"""The volunteer's own pages (phone first, elder mode): registering, the profile, teams (joining, leaving, a
leader answering requests), the certificate; and the stories everyone signed in reads and writes.

A signed-in retiree acts for themselves; staff reach these pages acting for a retiree (代办), as in the
time bank. The services decide every rule; these views show their answers.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.refusals import Refused
from yinling.core.scoping import get_scoped_or_404, has_anywhere
from yinling.registry.accounts import member_for
from yinling.registry.models import Retiree
from yinling.volunteering import policy_people as policy
from yinling.volunteering.forms_people import NoteForm, ProfileForm, StoryForm
from yinling.volunteering.models import Membership, Story, Team, Volunteer
from yinling.volunteering.services import recognition, selectors, teams, volunteers


def _require_me(request: HttpRequest) -> tuple[Retiree, bool]:
    me, on_behalf = member_for(request)
    if me is None:
        raise Http404
    return me, on_behalf


def _require_volunteer(request: HttpRequest) -> tuple[Retiree, Volunteer, bool]:
    me, on_behalf = _require_me(request)
    volunteer = volunteers.active_volunteer_of(me)
    if volunteer is None:
        raise Http404
    return me, volunteer, on_behalf


@login_required
def me(request: HttpRequest) -> HttpResponseBase:
    """志愿服务: the volunteer's hours, stars and teams; the registration form for one not yet registered."""
    retiree, on_behalf = member_for(request)
    if retiree is None:
        return redirect("volunteering:volunteers")  # staff: the desk
    volunteer = volunteers.active_volunteer_of(retiree)
    if volunteer is None:
        return redirect("volunteering:register")
    return member_page(
        request,
        "volunteering/member_home.html",
        {
            "me": retiree,
            "volunteer": volunteer,
            "on_behalf": on_behalf,
            "memberships": list(selectors.memberships_of(volunteer)),
            "led": selectors.led_teams(volunteer),
            "barred": recognition.barred(volunteer),
            "stars_text": "★" * volunteer.stars,
        },
    )


def _profile_page(request: HttpRequest, *, registering: bool) -> HttpResponseBase:
    retiree, on_behalf = _require_me(request)
    volunteer = volunteers.active_volunteer_of(retiree)
    if registering and volunteer is not None:
        return redirect("volunteering:me")
    if not registering and volunteer is None:
        return redirect("volunteering:register")
    initial = ProfileForm.initial_for(volunteer) if volunteer is not None else None
    form = ProfileForm(request.POST or None, initial=initial, auto_id="vp-%s")
    if request.method == "POST" and form.is_valid():
        try:
            if volunteer is None:
                volunteers.do_register_volunteer(by=request.user, retiree=retiree, **form.values())
                messages.success(request, _("Welcome! You are now a registered volunteer."))
            else:
                volunteers.do_update_volunteer(by=request.user, volunteer=volunteer, **form.values())
                messages.success(request, _("Your volunteer profile was saved."))
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            return redirect("volunteering:me")
    title = _("Register as a volunteer") if registering else _("My volunteer profile")
    return member_page(
        request,
        "volunteering/member_form.html",
        {
            "form": form,
            "title": title,
            "intro": _("志愿汇: serve your neighbours with what you know. Tell us what you can do and when.")
            if registering
            else "",
            "submit": _("Register") if registering else _("Save"),
            "me": retiree,
            "on_behalf": on_behalf,
        },
    )


@login_required
def register(request: HttpRequest) -> HttpResponseBase:
    return _profile_page(request, registering=True)


@login_required
def profile(request: HttpRequest) -> HttpResponseBase:
    return _profile_page(request, registering=False)


@login_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponseBase:
    _me, volunteer, _on_behalf = _require_volunteer(request)
    try:
        volunteers.do_withdraw(by=request.user, volunteer=volunteer)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("You have left the volunteer network. Your hours are kept."))
    return redirect("volunteering:me")


@login_required
def my_teams(request: HttpRequest) -> HttpResponseBase:
    me, volunteer, on_behalf = _require_volunteer(request)
    return member_page(
        request,
        "volunteering/member_teams.html",
        {
            "me": me,
            "on_behalf": on_behalf,
            "memberships": list(selectors.memberships_of(volunteer)),
            "near": list(selectors.teams_near(volunteer)[:30]),
        },
    )


def _team_or_404(pk: int) -> Team:
    # Teams are open to every volunteer (they choose which to join): a live team by id.
    team = Team.objects.unrestricted().select_related("org", "parent").filter(pk=pk, is_deleted=False).first()
    if team is None:
        raise Http404
    return team


@login_required
def member_team(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A team as a volunteer sees it; its leader and deputies also see the requests to answer."""
    me, volunteer, on_behalf = _require_volunteer(request)
    team = _team_or_404(pk)
    mine = selectors.memberships_of(volunteer).filter(team=team).first()
    active = mine is not None and mine.status == Membership.Status.ACTIVE
    leads = policy.leads(request.user, team) or (
        active and mine is not None and mine.role in (Membership.Role.LEADER, Membership.Role.DEPUTY)
    )
    return member_page(
        request,
        "volunteering/member_team.html",
        {
            "me": me,
            "on_behalf": on_behalf,
            "team": team,
            "mine": mine,
            "leads": leads,
            # Names are for the team: a request still waiting does not show them.
            "members": list(selectors.team_members(team)) if active or leads else [],
            "requests": list(selectors.pending_requests(team)) if leads else [],
            "note_form": NoteForm(auto_id="vp-note-%s"),
        },
    )


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponseBase:
    _me, volunteer, _on_behalf = _require_volunteer(request)
    team = _team_or_404(pk)
    try:
        teams.do_request_join(by=request.user, team=team, volunteer=volunteer)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Your request was sent. The team leader will answer it."))
    return redirect("volunteering:member_team", pk=team.pk)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponseBase:
    _me, volunteer, _on_behalf = _require_volunteer(request)
    membership = selectors.memberships_of(volunteer).filter(pk=pk).first()
    if membership is None:
        raise Http404
    try:
        teams.do_leave(by=request.user, membership=membership)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("You have left %(team)s.") % {"team": membership.team.name})
    return redirect("volunteering:my_teams")


@login_required
@require_POST
def approve_join(request: HttpRequest, pk: int) -> HttpResponseBase:
    return decide_join(request, pk, "approve")


@login_required
@require_POST
def reject_join(request: HttpRequest, pk: int) -> HttpResponseBase:
    return decide_join(request, pk, "reject")


def decide_join(request: HttpRequest, pk: int, decision: str) -> HttpResponseBase:
    """A leader, a deputy or staff approve or reject a request to join (the policy decides who may)."""
    membership = Membership.objects.unrestricted().select_related("team__org").filter(pk=pk).first()
    if membership is None or not policy.leads(request.user, membership.team):
        if getattr(request.user, "kind", "") == "retiree":
            raise Http404  # not the team's leader: it does not exist for them
        # Staff: 404 outside their scope, 403 inside it without the right to decide.
        membership = get_scoped_or_404(Membership.objects.select_related("team__org"), request.user, "change", pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        if decision == "approve":
            teams.do_approve_join(by=request.user, membership=membership, note=note)
            messages.success(request, _("%(name)s joined the team.") % {"name": membership.volunteer.retiree.name})
        else:
            teams.do_reject_join(by=request.user, membership=membership, note=note)
            messages.success(request, _("The request was declined."))
    except Refused as exc:
        refusals.flash(request, exc)
    if getattr(request.user, "kind", "") == "retiree":
        return redirect("volunteering:member_team", pk=membership.team_id)
    return redirect("volunteering:team", pk=membership.team_id)


@login_required
@require_POST
def my_certificate(request: HttpRequest) -> HttpResponseBase:
    _me, volunteer, _on_behalf = _require_volunteer(request)
    try:
        certificate = recognition.do_issue_certificate(by=request.user, volunteer=volunteer)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("volunteering:me")
    return redirect("volunteering:certificate_pdf", pk=certificate.pk)


# --- stories ---------------------------------------------------------------------------------------


@login_required
def stories(request: HttpRequest) -> HttpResponseBase:
    """助力微故事: published stories with their pictures, for everyone signed in."""
    page = Paginator(selectors.published_stories(), 12).get_page(request.GET.get("page"))
    return member_page(
        request,
        "volunteering/stories.html",
        {
            "page": page,
            "mine": list(selectors.stories_by(request.user)[:10]),
            "can_review": has_anywhere(request.user, Story, "change"),
            "breadcrumbs": [(_("Stories"), "")],
        },
    )


@login_required
def story_add(request: HttpRequest) -> HttpResponseBase:
    policy.check_write_story(request.user)
    form = StoryForm(request.POST or None, request.FILES or None, auto_id="vp-%s")
    if request.method == "POST" and form.is_valid():
        try:
            story = recognition.do_submit_story(
                by=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                photo=form.cleaned_data.get("photo"),
            )
        except Refused as exc:
            refusals.on_form(form, exc, "photo" if exc.code == "invalid" and "photo" in str(exc.message) else None)
        else:
            messages.success(request, _("Thank you! Your story will appear once staff have read it."))
            return redirect("volunteering:story", pk=story.pk)
    return member_page(
        request,
        "volunteering/member_form.html",
        {
            "form": form,
            "title": _("Write a story"),
            "submit": _("Send"),
            "multipart": True,
            "back": reverse("volunteering:stories"),
            "breadcrumbs": [(_("Stories"), reverse("volunteering:stories")), (_("Write a story"), "")],
        },
    )


def _story_for(request: HttpRequest, pk: int) -> Story:
    story = Story.objects.unrestricted().select_related("org").filter(pk=pk).first()
    if story is None or not policy.may_read_story(request.user, story):
        raise Http404
    return story


@login_required
def story(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _story_for(request, pk)
    from yinling.volunteering.forms_people import ReviewForm

    can_review = policy.may_review_story(request.user, found) and found.status == Story.Status.SUBMITTED
    return member_page(
        request,
        "volunteering/story_detail.html",
        {
            "story": found,
            "can_review": can_review,
            "review_form": ReviewForm(auto_id="vp-%s") if can_review else None,
            "breadcrumbs": [(_("Stories"), reverse("volunteering:stories")), (found.title, "")],
        },
    )


@login_required
def story_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The photo, for those who may read the story (never a public media address)."""
    found = _story_for(request, pk)
    if not found.photo:
        raise Http404
    try:
        handle = found.photo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def story_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    from yinling.volunteering.forms_people import ReviewForm

    found = get_scoped_or_404(Story, request.user, "change", pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to publish the story or to return it."))
        return redirect("volunteering:story", pk=pk)
    try:
        recognition.do_review_story(
            by=request.user,
            story=found,
            publish=form.cleaned_data["decision"] == "publish",
            note=form.cleaned_data.get("note", ""),
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The story was reviewed."))
    return redirect("volunteering:story", pk=pk)
