"""POST /api/v1/registry/imports/: an import as a background job (202 {"job": id}).

The job runs `import_jobs.run_import`, the command's code path, so `GET /api/v1/jobs/{id}/`
gives the command's JSON summary as its result and the error report as a file.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yinling.core.parsers import BoundedJSONParser
from yinling.core.scoping import has_anywhere, orgs_where
from yinling.registry.models import Retiree
from yinling.registry.views_import import MAX_UPLOAD, start_import_job

SUFFIXES = (".xlsx", ".csv")


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The sheet: .xlsx or .csv, at most 100 MB.")
    org = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Org code for rows without a 管理单位代码 (one you may import into).",
    )
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Check and count; save nothing.")


class ImportView(APIView):
    # JSON too, so a body without a file is a 400 that names the field, not a bare 415.
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={202: inline_serializer("ImportStarted", {"job": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        """Start an import job; follow it at /api/v1/jobs/{job}/."""
        if not has_anywhere(request.user, Retiree, "import"):
            raise exceptions.PermissionDenied()
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if not upload.name.lower().endswith(SUFFIXES):
            raise exceptions.ValidationError({"file": [_("Upload an .xlsx or .csv file.")]})
        if upload.size > MAX_UPLOAD:
            raise exceptions.ValidationError({"file": [_("The file is larger than 100 MB.")]})
        code = data.validated_data.get("org") or ""
        org = None
        if code:
            org = orgs_where(request.user, Retiree, "import").filter(code=code).first()
            if org is None:
                raise exceptions.ValidationError({"org": [_("No org with this code where you may import.")]})
        job = start_import_job(
            request.user, upload.name, upload.chunks(), org, dry_run=data.validated_data["dry_run"], source="api"
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)
