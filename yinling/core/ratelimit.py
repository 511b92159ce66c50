"""Fixed-window counters in the cache (Redis when configured, so every app server counts together).

For limits the libraries do not cover: axes locks sign-in, DRF throttles API classes; these count one
thing a person or address does (wrong check-in codes, public certificate checks). The window starts at
the first hit of a key and lasts `window` seconds; later hits do not extend it."""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, window: int) -> int:
    """Count one hit of `key`; returns the hits in its current window, this one included."""
    # add() is atomic and sets the expiry only when the key is new; incr() keeps that expiry.
    if cache.add(key, 1, window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, window)
        return 1


def hits(key: str) -> int:
    """The hits of `key` in its current window (0 when none)."""
    return int(cache.get(key, 0))


def forget(key: str) -> None:
    cache.delete(key)
