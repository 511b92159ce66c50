"""Care's do_* actions by area (plans.py: plans and events; visits.py; campaigns.py; policies.py: 一人一策),
and selectors.py, the read-only queries pages and the API share."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def explicit(fn: F) -> F:
    """Every do_* writes its own audit record with its meaning: the signals' automatic records are off inside."""

    @wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        from yinling.audit import registry

        with registry.explicit():
            return fn(*args, **kwargs)

    return inner  # type: ignore[return-value]
