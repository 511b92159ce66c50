"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from yinling.core.testing import Personas, Tree, make_personas, make_tree


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    # axes counts failures in the cache when configured so; every test starts clean.
    from django.core.cache import cache

    cache.clear()
