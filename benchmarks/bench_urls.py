"""The product's URLs plus Django admin with a ModelAdmin for Retiree: the baseline that
benchmarks/list_search.py compares the registry list with. Benchmarks only."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from yinling.registry import urls as registry_urls
from yinling.registry.models import Retiree
from yinling.urls import handler403, handler404, handler500  # noqa: F401
from yinling.urls import urlpatterns as product_urlpatterns


@admin.register(Retiree)
class RetireeAdmin(admin.ModelAdmin):
    """What a Django team would write: the same columns, filters and search as our list."""

    list_display = ("name", "gender", "birth_date", "category", "id_masked", "org", "phone_masked", "status")
    list_filter = ("category", "gender", "living", "birth_date")  # birth_date: the age range
    search_fields = ("name", "name_pinyin", "name_initials", "=id_last4")
    list_select_related = ("org",)
    list_per_page = 25


def _registry() -> URLResolver:
    """The registry's URLs; while the import pages are still being built, stand-ins for the
    names the list template links to, so that the list renders (they are never requested)."""
    patterns: list[URLPattern | URLResolver] = list(registry_urls.urlpatterns)
    names = {getattr(p, "name", None) for p in patterns}
    for name in ("import", "template"):
        if name not in names:
            patterns.append(path(f"bench-missing-{name}/", lambda request: HttpResponse(status=404), name=name))
    return path("registry/", include((patterns, registry_urls.app_name)))


urlpatterns = [
    path("admin/", admin.site.urls),
    *(_registry() if getattr(p, "pattern", None) and str(p.pattern) == "registry/" else p for p in product_urlpatterns),
]
