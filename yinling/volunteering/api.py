"""The volunteering API: each half registers its viewsets on the project's router and adds its paths."""

from typing import Any

from rest_framework.routers import BaseRouter

from yinling.volunteering import api_activities, api_people


def register(router: BaseRouter) -> None:
    api_people.register(router)
    api_activities.register(router)


def urlpatterns() -> list[Any]:
    """Paths outside the router (under /api/v1/), e.g. volunteering/me/."""
    return [*api_people.urlpatterns, *api_activities.urlpatterns]
