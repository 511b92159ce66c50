"""The import pages: upload → preview → confirm → result with the error report."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.core.scoping import has_anywhere
from yinling.core.views import orgs_where
from yinling.jobs.models import Job
from yinling.registry import import_jobs
from yinling.registry.imports import Importer, ImportResult, UnreadableFile, write_report
from yinling.registry.models import Retiree
from yinling.registry.sheet_template import build_template

SESSION_KEY = "registry_import"
REPORT_KEY = "registry_import_report"
MAX_UPLOAD = 100 * 1024 * 1024
# Uploads and reports hold personal data in plain text: nothing is kept longer than a session
# can still use it (SESSION_COOKIE_AGE is 12 hours).
MAX_FILE_AGE = 24 * 3600


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel (.xlsx) or CSV file"))
    org = forms.ModelChoiceField(
        label=gettext_lazy("Org for rows without an org code"),
        queryset=Retiree.objects.none(),
        required=False,
        to_field_name="code",
    )


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget(request: HttpRequest) -> None:
    """Delete this session's earlier upload and report, and any import file older than a day."""
    folder = _import_dir()
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        (folder / f"{pending['token']}{pending['suffix']}").unlink(missing_ok=True)
    report = request.session.pop(REPORT_KEY, None)
    if report:
        (folder / report).unlink(missing_ok=True)
    cutoff = time.time() - MAX_FILE_AGE
    for path in folder.iterdir():
        with suppress(FileNotFoundError):  # another worker purging at the same time
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()


def _require(request: HttpRequest) -> None:
    if not has_anywhere(request.user, Retiree, "import"):
        raise PermissionDenied


@login_required
def template(request: HttpRequest) -> FileResponse:
    _require(request)
    import tempfile

    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    build_template(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename="离退休干部信息导入模板.xlsx")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require(request)
    orgs = orgs_where(request.user, Retiree, "import")
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["org"].queryset = orgs  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > MAX_UPLOAD:
            form.add_error("file", _("The file is larger than 100 MB."))
        else:
            org = form.cleaned_data.get("org")
            if upload_file.size > settings.IMPORT_INLINE_MAX_BYTES:
                # Too large to check within a request: a background job, followed on its page.
                job = start_import_job(request.user, upload_file.name, upload_file.chunks(), org, dry_run=True)
                return redirect("jobs:detail", pk=job.pk)
            _forget(request)
            token = secrets.token_urlsafe(16)
            suffix = Path(upload_file.name).suffix.lower()
            stored = _import_dir() / f"{token}{suffix}"
            # Readable by the application's user only: the file holds full ID numbers and phones.
            with os.fdopen(os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
                for chunk in upload_file.chunks():
                    fh.write(chunk)
            request.session[SESSION_KEY] = {
                "token": token,
                "suffix": suffix,
                "name": upload_file.name,
                "org": org.code if org else "",
            }
            return redirect("registry:import_preview")
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "breadcrumbs": [(_("Registry"), "/registry/"), (_("Import"), "")],
        },
    )


def _pending(request: HttpRequest) -> tuple[dict[str, Any], Path]:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        raise Http404
    path = _import_dir() / f"{pending['token']}{pending['suffix']}"
    if not path.exists():
        raise Http404
    return pending, path


def _run(request: HttpRequest, pending: dict[str, Any], path: Path, *, apply: bool) -> ImportResult:
    from yinling.orgs.models import Org

    org = Org.objects.filter(code=pending["org"]).first() if pending["org"] else None
    return Importer(request.user, org, source="web").run(path, pending["name"], apply=apply)


@login_required
def preview(request: HttpRequest) -> HttpResponse:
    _require(request)
    pending, path = _pending(request)
    try:
        result = _run(request, pending, path, apply=False)
    except UnreadableFile as exc:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
        return render(
            request,
            "registry/import_upload.html",
            {
                "form": UploadForm(),
                "fatal": str(exc),
                "breadcrumbs": [(_("Registry"), "/registry/"), (_("Import"), "")],
            },
            status=400,
        )
    return render(
        request,
        "registry/import_preview.html",
        {
            "result": result,
            "name": pending["name"],
            "errors": result.errors[:500],
            "breadcrumbs": [(_("Registry"), "/registry/"), (_("Import"), "/registry/import/"), (_("Check"), "")],
        },
    )


@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    _require(request)
    if request.method != "POST":
        return redirect("registry:import_preview")
    pending, path = _pending(request)
    try:
        # Validated again: the registry may have changed since the preview.
        result = _run(request, pending, path, apply=True)
    except UnreadableFile as exc:
        return render(request, "registry/import_upload.html", {"form": UploadForm(), "fatal": str(exc)}, status=400)
    report = ""
    if result.rejected_rows:
        report = f"{pending['token']}-report.xlsx"
        with os.fdopen(os.open(_import_dir() / report, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            write_report(result, fh)
        request.session[REPORT_KEY] = report
    path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "registry/import_result.html",
        {
            "result": result,
            "name": pending["name"],
            "report": report,
            "errors": result.errors[:500],
            "breadcrumbs": [(_("Registry"), "/registry/"), (_("Import"), "/registry/import/"), (_("Result"), "")],
        },
    )


def start_import_job(
    user: Any, name: str, chunks: Iterable[bytes], org: Any, *, dry_run: bool, source: str = "web"
) -> Job:
    from yinling.jobs.services import do_start

    home = org or orgs_where(user, Retiree, "import").order_by("depth", "path").first()
    if home is None:
        raise PermissionDenied
    label = (_("Check the import: %(name)s") if dry_run else _("Import: %(name)s")) % {"name": name}
    return do_start(
        by=user,
        kind=import_jobs.KIND,
        org=home,
        label=label,
        params={"name": name, "org": org.code if org else "", "dry_run": dry_run, "source": source},
        inputs=[(name, chunks)],
    )


@login_required
@require_POST
def apply_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a checked file: a new job applies the upload the check job read (checked again as it saves)."""
    from yinling.jobs.services import input_path
    from yinling.jobs.views import get_job_or_404

    _require(request)
    checked = get_job_or_404(request, pk)
    if checked.kind != import_jobs.KIND or not checked.params.get("dry_run") or checked.status != Job.Status.DONE:
        raise Http404
    if checked.user_id != request.user.pk:
        raise PermissionDenied  # a colleague sees the check, but the upload is its starter's to save
    path = input_path(checked)
    if not path.is_file():
        messages.error(request, _("The uploaded file has been deleted since the check. Upload it again."))
        return redirect("registry:import")
    code = checked.params.get("org") or ""
    org = orgs_where(request.user, Retiree, "import").filter(code=code).first() if code else None
    if code and org is None:
        raise Http404
    with path.open("rb") as fh:
        job = start_import_job(
            request.user, checked.params["name"], iter(lambda: fh.read(1 << 20), b""), org, dry_run=False
        )
    return redirect("jobs:detail", pk=job.pk)


@login_required
def report(request: HttpRequest) -> FileResponse:
    _require(request)
    name = request.session.get(REPORT_KEY)
    if not name:
        raise Http404
    path = _import_dir() / name
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="导入未通过的行.xlsx")
