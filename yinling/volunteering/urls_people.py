"""URLs of the people half (in the "volunteering" namespace, beside the activities half's)."""

from django.urls import path

from yinling.volunteering import views_people_member as member
from yinling.volunteering import views_people_records as records
from yinling.volunteering import views_people_staff as staff
from yinling.volunteering import views_public as public

urlpatterns = [
    # The volunteer's own pages.
    path("me/", member.me, name="me"),
    path("me/register/", member.register, name="register"),
    path("me/profile/", member.profile, name="profile"),
    path("me/withdraw/", member.withdraw, name="withdraw"),
    path("me/teams/", member.my_teams, name="my_teams"),
    path("me/teams/<int:pk>/", member.member_team, name="member_team"),
    path("me/teams/<int:pk>/join/", member.join, name="join"),
    path("me/memberships/<int:pk>/leave/", member.leave, name="leave"),
    path("me/certificate/", member.my_certificate, name="my_certificate"),
    path("memberships/<int:pk>/approve/", member.approve_join, name="approve_join"),
    path("memberships/<int:pk>/reject/", member.reject_join, name="reject_join"),
    # Stories.
    path("stories/", member.stories, name="stories"),
    path("stories/new/", member.story_add, name="story_add"),
    path("stories/review/", records.StoryReviewListView.as_view(), name="story_reviews"),
    path("stories/<int:pk>/", member.story, name="story"),
    path("stories/<int:pk>/photo/", member.story_photo, name="story_photo"),
    path("stories/<int:pk>/review/", member.story_review, name="story_review"),
    # Staff: volunteers and teams.
    path("volunteers/", staff.VolunteerListView.as_view(), name="volunteers"),
    path("volunteers/add/", staff.volunteer_add, name="volunteer_add"),
    path("volunteers/<int:pk>/", staff.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/edit/", staff.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/withdraw/", staff.volunteer_withdraw, name="volunteer_withdraw"),
    path("volunteers/<int:pk>/certificate/", staff.volunteer_certificate, name="volunteer_certificate"),
    path("teams/", staff.TeamListView.as_view(), name="teams"),
    path("teams/add/", staff.TeamEditView.as_view(), name="team_add"),
    path("teams/<int:pk>/", staff.team_detail, name="team"),
    path("teams/<int:pk>/edit/", staff.TeamEditView.as_view(), name="team_edit"),
    path("teams/<int:pk>/delete/", staff.team_delete, name="team_delete"),
    path("teams/<int:pk>/members/", staff.team_member_add, name="team_member_add"),
    path("memberships/<int:pk>/role/", staff.membership_role, name="membership_role"),
    # Staff: pairings, certificates, nominations, targets.
    path("pairings/", records.PairingListView.as_view(), name="pairings"),
    path("pairings/add/", records.pairing_edit, name="pairing_add"),
    path("pairings/<int:pk>/", records.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/edit/", records.pairing_edit, name="pairing_edit"),
    path("pairings/<int:pk>/visits/", records.pairing_visit, name="pairing_visit"),
    path("certificates/", records.CertificateListView.as_view(), name="certificates"),
    path("certificates/<int:pk>/", records.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/pdf/", records.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", records.certificate_revoke, name="certificate_revoke"),
    path("nominations/", records.NominationListView.as_view(), name="nominations"),
    path("nominations/add/", records.nomination_add, name="nomination_add"),
    path("nominations/<int:pk>/", records.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/attachment/", records.nomination_attachment, name="nomination_attachment"),
    path("nominations/<int:pk>/approve/", records.nomination_approve, name="nomination_approve"),
    path("nominations/<int:pk>/decline/", records.nomination_decline, name="nomination_decline"),
    path("targets/", records.TargetListView.as_view(), name="targets"),
    path("targets/add/", records.TargetEditView.as_view(), name="target_add"),
    path("targets/<int:pk>/edit/", records.TargetEditView.as_view(), name="target_edit"),
    # Public: checking a certificate's code (no sign-in).
    path("verify/", public.verify, name="verify"),
    path("verify/<str:code>/", public.verify_code, name="verify_code"),
]
