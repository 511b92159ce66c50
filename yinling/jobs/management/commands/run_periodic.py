import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from yinling.jobs.models import PERIODIC_PREFIX, Job
from yinling.jobs.periodic import PERIODIC_COMMANDS
from yinling.jobs.services import do_start
from yinling.jobs.tasks import execute
from yinling.orgs.models import Org


class Command(BaseCommand):
    help = (
        "Run a periodic command as a recorded job (kind periodic:NAME, visible to the security administrator). "
        "By default it is put on the queue for a worker; --now runs it here and exits 1 if it failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(PERIODIC_COMMANDS))
        parser.add_argument("--now", action="store_true", help="Run in this process instead of on the queue.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The job's title is stored as the pages show it: in the site's language, not the command's (none).
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        root = Org.objects.unrestricted().filter(parent__isnull=True).order_by("path").first()
        if root is None:
            raise CommandError("no org tree yet: create the root org first")
        name = options["name"]
        kind = f"{PERIODIC_PREFIX}{name}"
        if options["now"]:
            job = Job.objects.create(kind=kind, label=str(PERIODIC_COMMANDS[name]), org=root)
            status = execute(job.pk)
            job.refresh_from_db()
            self.stdout.write(f"job {job.pk}: {status}")
            if job.status != Job.Status.DONE:
                self.stderr.write(job.error)
                sys.exit(1)
            return
        job = do_start(by=None, kind=kind, org=root, label=str(PERIODIC_COMMANDS[name]))
        self.stdout.write(f"job {job.pk}: {job.status}")
