from django.urls import include, path

from yinling.core import views_pages

urlpatterns = [
    path("", views_pages.home, name="home"),
    path("healthz/", views_pages.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("yinling.accounts.urls")),
    path("orgs/", include("yinling.orgs.urls")),
    path("registry/", include("yinling.registry.urls")),
    path("audit/", include("yinling.audit.urls")),
    path("timebank/", include("yinling.timebank.urls")),
    path("api/v1/", include("yinling.api.urls")),
]

handler403 = "yinling.core.views_pages.permission_denied"
handler404 = "yinling.core.views_pages.page_not_found"
handler500 = "yinling.core.views_pages.server_error"
