from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from yinling.api import views
from yinling.campus import api as campus_api
from yinling.care import api as care_api
from yinling.cases import api as cases_api
from yinling.jobs.api import JobViewSet
from yinling.notifications.api import NotificationViewSet
from yinling.registry.api import RetireeViewSet
from yinling.registry.api_imports import ImportView
from yinling.rounds import api as rounds_api
from yinling.timebank import api as timebank_api
from yinling.volunteering import api as volunteering_api

router = DefaultRouter()
router.register("orgs", views.OrgViewSet, basename="org")
router.register("retirees", RetireeViewSet, basename="retiree")
router.register("timebank/accounts", timebank_api.AccountViewSet, basename="timebank-account")
router.register("timebank/requests", timebank_api.RequestViewSet, basename="timebank-request")
router.register("timebank/offers", timebank_api.OfferViewSet, basename="timebank-offer")
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")
volunteering_api.register(router)
campus_api.register(router)
cases_api.register(router)
care_api.register(router)
rounds_api.register(router)

app_name = "api"
urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="token"),
    path("auth/logout/", views.SignOutView.as_view(), name="logout"),
    path("auth/tokens/", views.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<str:token_id>/", views.TokenDetailView.as_view(), name="token-detail"),
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("timebank/pools/<str:org_code>/issue/", timebank_api.IssueView.as_view(), name="timebank-issue"),
    path("timebank/grants/", timebank_api.GrantView.as_view(), name="timebank-grants"),
    path("timebank/donations/", timebank_api.DonationView.as_view(), name="timebank-donations"),
    path("timebank/gifts/", timebank_api.GiftView.as_view(), name="timebank-gifts"),
    path("registry/imports/", ImportView.as_view(), name="registry-imports"),
    *volunteering_api.urlpatterns(),
    *campus_api.urlpatterns(),
    *care_api.urlpatterns,
    path("", include(router.urls)),
]
