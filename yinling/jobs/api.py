"""/api/v1/jobs/: the caller's jobs (staff: also their subtree's), one job, and cancel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409
from yinling.jobs.models import Job
from yinling.jobs.services import do_cancel, is_stale, live, may_download


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="0 while the size of the work is not known yet.")
    message = serializers.CharField()


class JobFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField(
        allow_null=True, help_text="The download (a page URL, same sign-in); null once the file has expired."
    )


class JobSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    progress = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    result = serializers.JSONField(allow_null=True, read_only=True, help_text="The kind's result, once done.")
    error = serializers.CharField(read_only=True, help_text="Why the job failed, in plain words; empty otherwise.")
    not_responding = serializers.SerializerMethodField(
        help_text="True while the job is running but its worker has sent no heartbeat for JOB_STALE_SECONDS; the "
        "periodic sweep marks such a job failed."
    )

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "result", "files", "error", "not_responding"]
        read_only_fields = fields

    def get_not_responding(self, job: Job) -> bool:
        return is_stale(job)

    @extend_schema_field(ProgressSerializer)  # type: ignore[misc]
    def get_progress(self, job: Job) -> dict[str, Any]:
        return {"done": job.done, "total": job.total, "message": job.message}

    @extend_schema_field(JobFileSerializer(many=True))  # type: ignore[misc]
    def get_files(self, job: Job) -> list[dict[str, Any]]:
        request = self.context.get("request")
        out = []
        mine = request is not None and may_download(request.user, job)
        for f in job.files.all():
            url = None
            if not f.expired and mine:  # the file is its starter's only (services.may_download)
                url = reverse("jobs:file", args=[job.pk, f.pk])
                if request is not None:
                    url = request.build_absolute_uri(url)
            out.append({"name": f.name, "url": url})
        return out


@extend_schema_view(
    list=extend_schema(
        summary="Your jobs",
        description="The caller's own jobs; staff with jobs.view_job also their subtree's, the security "
        "administrator the periodic ones. Newest first.",
    ),
    retrieve=extend_schema(summary="One job", description="404 when the job is not one the caller may see."),
)
class JobViewSet(RefusalsAs409, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    serializer_class = JobSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> Any:
        return Job.objects.restrict(self.request.user, "view").prefetch_related("files")

    def get_object(self) -> Job:
        job: Job = super().get_object()
        return live(job)  # a GET never writes: a stale job is "not_responding" until the periodic sweep fails it

    @extend_schema(request=None, responses={200: JobSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a queued job, or stop one that is still checking; 409 too_late once it applies changes."""
        job = do_cancel(by=request.user, job=self.get_object())
        return Response(JobSerializer(job, context={"request": request}).data)


__all__ = ["JobViewSet"]
