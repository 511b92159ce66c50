"""URL converters. `<id:pk>` is the path converter for object ids in every app's urls.py.

Django's `<int:…>` matches any run of digits, and a number past 64 bits then fails inside the
database driver (SQLite raises OverflowError: a 500). No object id has more than 18 digits, so a
longer one is no URL at all: a 404 before any view runs."""

from __future__ import annotations

# The same bound for the API routers' lookups (`lookup_value_regex`).
ID_REGEX = "[0-9]{1,18}"


class IdConverter:
    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)
