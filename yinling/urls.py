from django.urls import include, path

from yinling.accounts import urls as accounts_urls
from yinling.core import views_pages, views_search
from yinling.registry import urls as registry_urls

urlpatterns = [
    path("", views_pages.home, name="home"),
    path("cockpit/", include("yinling.core.urls_cockpit")),
    path("healthz/", views_pages.healthz, name="healthz"),
    path("search/", views_search.search, name="search"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One "accounts" namespace: the account pages plus the registry's retiree activation page.
    path("accounts/", include((accounts_urls.urlpatterns + registry_urls.account_urlpatterns, "accounts"))),
    path("orgs/", include("yinling.orgs.urls")),
    path("registry/", include("yinling.registry.urls")),
    path("audit/", include("yinling.audit.urls")),
    path("timebank/", include("yinling.timebank.urls")),
    path("volunteering/", include("yinling.volunteering.urls")),
    path("campus/", include("yinling.campus.urls")),
    path("cases/", include("yinling.cases.urls")),
    path("care/", include("yinling.care.urls")),
    path("rounds/", include("yinling.rounds.urls")),
    path("jobs/", include("yinling.jobs.urls")),
    path("notifications/", include("yinling.notifications.urls")),
    path("api/v1/", include("yinling.api.urls")),
]

handler403 = "yinling.core.views_pages.permission_denied"
handler404 = "yinling.core.views_pages.page_not_found"
handler500 = "yinling.core.views_pages.server_error"
