from django.urls import path

from yinling.care import views_campaigns as campaigns
from yinling.care import views_lists as lists
from yinling.care import views_member as member
from yinling.care import views_staff as staff

app_name = "care"

urlpatterns = [
    path("me/", member.me, name="me"),
    path("", staff.due, name="due"),
    path("visits/", lists.VisitListView.as_view(), name="visits"),
    path("visits/new/", staff.visit_add, name="visit_add"),
    path("visits/<id:pk>/", staff.visit_detail, name="visit"),
    path("visits/<id:pk>/photo/", staff.visit_photo, name="visit_photo"),
    path("plans/", lists.PlanListView.as_view(), name="plans"),
    path("people/<id:retiree>/", staff.person, name="person"),
    path("people/<id:retiree>/plan/", staff.plan_edit, name="plan_edit"),
    path("people/<id:retiree>/event/", staff.event_add, name="event_add"),
    path("people/<id:retiree>/policy/", staff.policy_edit, name="policy_edit"),
    path("policies/", lists.PolicyListView.as_view(), name="policies"),
    path("policies/<id:pk>/review/", staff.policy_review, name="policy_review"),
    path("campaigns/", lists.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/add/", campaigns.campaign_add, name="campaign_add"),
    path("campaigns/<id:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<id:pk>/build/", campaigns.campaign_build, name="campaign_build"),
    path("campaigns/<id:pk>/assign/", campaigns.campaign_assign, name="campaign_assign"),
    path("campaigns/<id:pk>/close/", campaigns.campaign_close, name="campaign_close"),
    path("campaigns/<id:pk>/export/", campaigns.campaign_export, name="campaign_export"),
]
