from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yinling.audit.anchors import AnchoringOff
from yinling.audit.services import AnchorRefused, anchor_head


class Command(BaseCommand):
    help = (
        "Append a signed head of the audit chain to AUDIT_ANCHOR_FILE (and syslog); run it every few minutes "
        "from cron or a systemd timer, and ship the file off the host."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchor = anchor_head()
        except (AnchorRefused, AnchoringOff) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"audit chain anchored: head seq {anchor.seq} hash {anchor.hash} at {anchor.at}")
