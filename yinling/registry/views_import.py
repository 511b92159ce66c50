"""The import pages: upload → preview → confirm → result with the error report."""

from __future__ import annotations

import os
import secrets
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.scoping import has_anywhere
from yinling.core.views import orgs_where
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
            _forget(request)
            token = secrets.token_urlsafe(16)
            suffix = Path(upload_file.name).suffix.lower()
            stored = _import_dir() / f"{token}{suffix}"
            # Readable by the application's user only: the file holds full ID numbers and phones.
            with os.fdopen(os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
                for chunk in upload_file.chunks():
                    fh.write(chunk)
            org = form.cleaned_data.get("org")
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
