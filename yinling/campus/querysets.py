from __future__ import annotations

from django.db.models import Q

from yinling.core.scoping import ScopedQuerySet


class LiveQuerySet(ScopedQuerySet):
    """restrict() leaves out what the model's own `live_q()` says is gone (soft-deleted rows)."""

    def live_q(self) -> Q:
        return self.model.live_q()  # type: ignore[attr-defined,no-any-return]
