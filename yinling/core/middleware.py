from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_cache_control


class LanguageMiddleware:
    """zh-hans unless the user chose otherwise (language cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    the bureau's working language is Chinese whatever the device says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """A NUL character in the address or the query is refused with a 400, before any view.

    PostgreSQL cannot store or compare text holding NUL (psycopg raises DataError: a 500 wherever a view
    filters on a raw query value, such as `?org=` or a search box); SQLite takes it, so tests there never
    saw it. Forms and serializers already refuse NUL in what they clean; this covers what views read
    directly, at one place instead of in each of them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in v for key in request.GET for v in request.GET.getlist(key)
        ):
            return HttpResponseBadRequest("The address holds a NUL character.", content_type="text/plain")
        return self.get_response(request)


class ProductNotFoundMiddleware:
    """With DEBUG on (the demo), a signed-in retiree still gets the product's own "not found" page.

    Django answers a 404 with its technical page (URL patterns, settings) whenever DEBUG is on, and the
    demo runs with DEBUG on; that page means nothing to a retiree and shows them the site's insides.
    Staff keep the technical page, which helps whoever is setting the system up. Only HTML pages are
    replaced: an API's JSON 404 stays as it is. (A 403 and a 500 use the product's templates already.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.DEBUG or response.status_code != 404:
            return response
        user = getattr(request, "user", None)
        html = response.headers.get("Content-Type", "").startswith("text/html")
        if html and getattr(user, "kind", "") == "retiree" and user is not None and user.is_authenticated:
            from django.template.loader import render_to_string

            return HttpResponse(render_to_string("404.html", request=request), status=404)
        return response


class NoStoreMiddleware:
    """Every answer to a signed-in user says `Cache-Control: no-store, private`.

    Pages, exports and API answers behind sign-in carry personal data; a shared proxy or the browser's
    disk cache must keep none of it (a retiree's phone at a community centre is often shared). Static
    files never reach here (WhiteNoise answers them first), so nothing that may be cached loses its
    caching. A view that set its own Cache-Control keeps it, plus no-store."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.headers.get("Authorization"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class ScopeGuardMiddleware:
    """In DEBUG and tests (settings.SCOPE_GUARD), a request that reads a scoped model without
    restrict() or unrestricted() fails loudly (core.scoping.UnrestrictedQuery) instead of leaking.

    Listed last, so the user is loaded (by the session) before the guard is on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from yinling.core.scoping import scope_guard

        user = getattr(request, "user", None)
        if user is not None:
            bool(user.is_authenticated)  # resolve the lazy user outside the guard
        with scope_guard(settings.SCOPE_GUARD):
            return self.get_response(request)
