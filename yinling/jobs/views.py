"""My jobs (我的任务), a job's page with its self-updating progress, cancel, and result downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.core.exports import exported
from yinling.core.refusals import Refused, flash
from yinling.jobs.models import PERIODIC_PREFIX, Job, JobFile
from yinling.jobs.runners import files_dir, kind_of
from yinling.jobs.services import cancellable, do_cancel, is_stale, live, may_cancel, may_download

PER_PAGE = 50


def get_job_or_404(request: HttpRequest, pk: int) -> Job:
    """The job if the user may see it (their own, their subtree's, periodic for monitors), else 404."""
    try:
        return Job.objects.restrict(request.user, "view").select_related("user", "org").get(pk=pk)
    except Job.DoesNotExist as exc:
        raise Http404("job") from exc


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.restrict(request.user, "view").select_related("user", "org")
    shows = {
        "": Q(),
        "mine": Q(user_id=request.user.pk or 0),
        "failed": Q(status=Job.Status.FAILED),
        "periodic": Q(kind__startswith=PERIODIC_PREFIX),
    }
    show = request.GET.get("show", "")
    if show not in shows:
        show = ""
    # Each view's number in one conditional aggregate over the same scoped rows its list shows.
    counts = jobs.order_by().aggregate(**{f"n{i}": Count("pk", filter=q) for i, q in enumerate(shows.values())})
    page = Paginator(jobs.filter(shows[show]), PER_PAGE).get_page(request.GET.get("page"))
    rows = [live(j) for j in page.object_list]
    labels = {"": _("All"), "mine": _("Started by me"), "failed": _("Failed"), "periodic": _("Periodic")}
    return render(
        request,
        "jobs/job_list.html",
        {
            "rows": rows,
            "stale": {j.pk for j in rows if is_stale(j)},  # shown as not responding; the periodic sweep fails them
            "page": page,
            "show": show,
            "tabs": [
                {"value": value, "label": labels[value], "active": value == show, "count": counts[f"n{i}"]}
                for i, value in enumerate(shows)
            ],
            "breadcrumbs": [(_("My jobs"), "")],
        },
    )


def _context(request: HttpRequest, job: Job) -> dict[str, object]:
    # A GET never writes: a job whose worker stopped is shown as not responding, read only; the
    # periodic sweep (`purge_job_files`, services.fail_stale) marks it failed.
    job = live(job)
    kind = kind_of(job.kind)
    return {
        "job": job,
        "kind_label": kind.label if kind else job.kind,
        "result_template": kind.result_template if kind and job.status == Job.Status.DONE else "",
        "result": job.result,
        "files": list(job.files.all()) if job.finished else [],  # files come with the end: one query less a poll
        "can_cancel": cancellable(job) and may_cancel(request.user, job),
        "can_download": may_download(request.user, job),
        "polling": not job.finished,
        "not_responding": is_stale(job),
    }


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_or_404(request, pk)
    context = _context(request, job)
    context["breadcrumbs"] = [(_("My jobs"), "/jobs/"), (str(job), "")]
    return render(request, "jobs/job_detail.html", context)


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page that htmx polls: it stops polling once the job has finished."""
    job = get_job_or_404(request, pk)
    return render(request, "jobs/_job_state.html", _context(request, job))


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_or_404(request, pk)
    try:
        do_cancel(by=request.user, job=job)
    except Refused as exc:
        flash(request, exc)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def job_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A result file, inside the job's scope only; every download is recorded in the audit trail."""
    job = get_job_or_404(request, pk)
    if not may_download(request.user, job):
        raise PermissionDenied
    try:
        f = job.files.get(pk=file_pk)
    except JobFile.DoesNotExist as exc:
        raise Http404("file") from exc
    path = files_dir() / f.stored
    if f.expired or not path.is_file():
        raise Http404("expired")
    exported.send(
        sender=job_file,
        object_type="jobs.jobfile",
        object_repr=f.name,
        org_path=job.org.path,
        extra={"job": job.pk, "job_kind": job.kind, "format": path.suffix.lstrip(".")},
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f.name)


def confirm_start(request: HttpRequest, *, title: str, explanation: str) -> HttpResponse:
    """The page a GET gets where the work would start a job: a button that POSTs the same address.

    A GET never writes (issue #9), and a job is a row, a worker's time and a file of personal data: a
    link followed by a prefetcher, or planted in another site's <img>, must not start one. The view
    starts the job on the POST, which the CSRF check guards."""
    return render(request, "jobs/confirm_start.html", {"title": title, "explanation": explanation})
