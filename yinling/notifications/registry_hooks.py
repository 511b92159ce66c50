"""What notifications need to know of the registry, which sits above this app in the layers.

The registry registers the resolvers in its AppConfig.ready(); without them (a project without the registry)
nobody receives for anyone else and no SMS number is known, so SMS is skipped.

- `also_notify_many(users)`: for each person, the accounts that receive a copy (a retiree's relatives recorded
  in the registry, who may act for them: 代办), and the name the copy is sent on behalf of. One call for all the
  people of a notice, in a bounded number of queries however many they are (never a query per person or per
  relative); `also_notify(user)` is the same for one person;
- `phone_of(user)`: the number SMS goes to (the registry keeps phones encrypted; accounts hold none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# users -> {user pk: (the name copies are for, [accounts])}; a user without copies may be left out.
AlsoNotify = Callable[[Sequence[Any]], dict[int, tuple[str, list[Any]]]]
PhoneOf = Callable[[Any], str]

_also_notify: list[AlsoNotify] = []
_phone_of: list[PhoneOf] = []


def register_also_notify(resolver: AlsoNotify) -> None:
    _also_notify[:] = [resolver]


def register_phone_of(resolver: PhoneOf) -> None:
    _phone_of[:] = [resolver]


def also_notify_many(users: Sequence[Any]) -> dict[int, tuple[str, list[Any]]]:
    """{user pk: (the name the copies are for, [accounts])} for those of `users` whom somebody else receives for."""
    return _also_notify[0](users) if _also_notify and users else {}


def also_notify(user: Any) -> tuple[str, list[Any]]:
    """(the name the copies are for, [accounts]) — ("", []) when nobody else receives."""
    return also_notify_many([user]).get(user.pk, ("", []))


def phone_of(user: Any) -> str:
    return _phone_of[0](user) if _phone_of else ""
