from typing import Any

from rest_framework.routers import BaseRouter

urlpatterns: list[Any] = []


def register(router: BaseRouter) -> None:
    """Register this half's viewsets (paths start with "volunteering/")."""
