"""The activities half's pages (names in the "volunteering" namespace, all starting with "activit")."""

from django.urls import path

from yinling.volunteering import views_activities_member as member
from yinling.volunteering import views_activities_staff as staff

urlpatterns = [
    # A volunteer's own pages.
    path("activities/", member.activities, name="activities"),
    path("activities/mine/", member.activity_mine, name="activity_mine"),
    path("activities/hours/", member.activity_hours, name="activity_hours"),
    path("activities/<int:pk>/", member.activity, name="activity"),
    path("activities/<int:pk>/signup/", member.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/cancel-signup/", member.activity_cancel_signup, name="activity_cancel_signup"),
    path("activities/<int:pk>/checkin/", member.activity_checkin, name="activity_checkin"),
    path("activities/<int:pk>/checkout/", member.activity_checkout, name="activity_checkout"),
    # The organiser's (staff and team leaders).
    path("organise/activities/", staff.ActivityListView.as_view(), name="activity_staff_list"),
    path("organise/activities/add/", staff.activity_add, name="activity_add"),
    path("organise/activities/flags/", staff.activity_flags, name="activity_flags"),
    path("organise/activities/flags/<int:pk>/resolve/", staff.activity_flag_resolve, name="activity_flag_resolve"),
    path("organise/activities/honour-hours/", staff.activity_honour, name="activity_honour"),
    path("organise/activities/bars/", staff.activity_bar, name="activity_bar"),
    path("organise/activities/<int:pk>/", staff.activity_manage, name="activity_manage"),
    path("organise/activities/<int:pk>/edit/", staff.activity_edit, name="activity_edit"),
    path("organise/activities/<int:pk>/cancel/", staff.activity_cancel, name="activity_cancel"),
    path("organise/activities/<int:pk>/code/", staff.activity_code, name="activity_code"),
    path("organise/activities/<int:pk>/checkin/", staff.activity_leader_checkin, name="activity_leader_checkin"),
]
