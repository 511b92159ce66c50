from typing import Any

from django.core.management.base import BaseCommand

from yinling.jobs.services import fail_stale, purge_files


class Command(BaseCommand):
    help = (
        "Delete job result files older than JOB_FILE_TTL_HOURS (the job then shows 'file expired'), and mark "
        "running jobs without a heartbeat for JOB_STALE_SECONDS as failed. Run hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stale = fail_stale()
        purged = purge_files()
        self.stdout.write(f"{purged} file(s) deleted, {stale} stale job(s) marked failed")
