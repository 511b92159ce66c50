"""What notifications need to know of the registry, which sits above this app in the layers.

The registry registers the resolvers in its AppConfig.ready(); without them (a project without the registry)
nobody receives for anyone else and no SMS number is known, so SMS is skipped.

- `also_notify(user)`: the accounts that receive a copy for this person (a retiree's relatives recorded in the
  registry, who may act for them: 代办), and the name the copy is sent on behalf of;
- `phone_of(user)`: the number SMS goes to (the registry keeps phones encrypted; accounts hold none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

AlsoNotify = Callable[[Any], tuple[str, list[Any]]]
PhoneOf = Callable[[Any], str]

_also_notify: list[AlsoNotify] = []
_phone_of: list[PhoneOf] = []


def register_also_notify(resolver: AlsoNotify) -> None:
    _also_notify[:] = [resolver]


def register_phone_of(resolver: PhoneOf) -> None:
    _phone_of[:] = [resolver]


def also_notify(user: Any) -> tuple[str, list[Any]]:
    """(the name the copies are for, [accounts]) — ("", []) when nobody else receives."""
    return _also_notify[0](user) if _also_notify else ("", [])


def phone_of(user: Any) -> str:
    return _phone_of[0](user) if _phone_of else ""
