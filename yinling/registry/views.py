from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Collate
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yinling.audit.models import AuditRecord
from yinling.core.pdf import pdf_available, render_pdf, unavailable_response
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere
from yinling.core.views import ObjectListView, orgs_where
from yinling.jobs.views import confirm_start
from yinling.registry import export_jobs, services
from yinling.registry.accounts import account_box_context
from yinling.registry.choices import Status
from yinling.registry.export_jobs import covers
from yinling.registry.exports import iter_rows
from yinling.registry.filters import STATUS_ALL, MoveFilterSet, RetireeFilterSet, masked_query
from yinling.registry.forms import ContactFormSet, DeathForm, DeleteForm, RetireeForm, TransferForm
from yinling.registry.libraries import visible_libraries
from yinling.registry.models import Retiree, Transfer
from yinling.registry.tables import RetireeTable


class RetireeListView(ObjectListView):
    model = Retiree
    table_class = RetireeTable
    filterset_class = RetireeFilterSet
    title = gettext_lazy("Registry")
    add_url_name = "registry:add"
    template_name = "registry/retiree_list.html"
    export_columns = [("", "")]  # the export below writes the template's columns
    tab_filter, tab_all, tab_default = "status", STATUS_ALL, Status.ACTIVE.value  # on register, deceased, moved out

    def tab_queryset(self) -> QuerySet[Retiree] | None:
        """The tabs count with the page's filters; an exact search by a sensitive value, already audited with
        what the page shows, is not audited a second time for the count."""
        filterset: Any = getattr(self, "filterset", None)
        exact = getattr(filterset, "_exact", None)
        if filterset is None or exact is None:
            return super().tab_queryset()
        filterset._exact = set()
        try:
            return super().tab_queryset()
        finally:
            filterset._exact = exact

    def get_queryset(self) -> QuerySet[Retiree]:
        # The table shows masks only: leave the encrypted values (long tokens, each a decryption) unread.
        return (
            super()
            .get_queryset()
            .filter(is_deleted=False)
            .select_related("org")
            .defer("id_number", "address", "phone", "health_notes")
        )

    def order_for_size(self, qs: QuerySet[Retiree], is_estimate: bool) -> QuerySet[Retiree]:
        """On PostgreSQL, sort small results (exact counts) and every search's after filtering them.

        The name order (name_pinyin, id) has an index, and with LIMIT 25 PostgreSQL walks it,
        filtering row by row: fast when matches are many and spread along the alphabet (a
        large scope), seconds when they are few, or bunched late in it (a search for "zs"
        only matches names filed under z…). The same order through COLLATE "C" (pinyin is
        lower-case ASCII, so it sorts the same) has no index, so the planner finds the rows
        through the filters' indexes first and sorts those.
        """
        if connections[qs.db].vendor != "postgresql":
            return qs
        if is_estimate and not self.request.GET.get("q", "").strip():
            return qs
        ordering = list(qs.query.order_by) or (list(qs.model._meta.ordering or []) if qs.query.default_ordering else [])
        pinyin = Collate(F("name_pinyin"), "C")
        swapped = {"name_pinyin": pinyin.asc(), "-name_pinyin": pinyin.desc()}
        if not any(isinstance(o, str) and o in swapped for o in ordering):
            return qs
        return qs.order_by(*[swapped.get(o, o) if isinstance(o, str) else o for o in ordering])

    def export(self) -> HttpResponseBase:
        qs = self.export_queryset().filter(is_deleted=False)
        limit = settings.EXPORT_INLINE_MAX_ROWS
        if qs.order_by()[: limit + 1].count() > limit:
            # Too many rows to write within a request: a job writes the file (export_jobs.py), started
            # by a POST from the page a GET gets (a GET never writes).
            if self.request.method != "POST":
                return confirm_start(
                    self.request,
                    title=_("Export retirees"),
                    explanation=_(
                        "This list has more than %(limit)s people. The spreadsheet will be written in the "
                        "background; its page shows the progress and offers the file when it is ready."
                    )
                    % {"limit": limit},
                )
            return redirect("jobs:detail", pk=self._start_export_job().pk)
        # Unmasked only where the user may see sensitive data on every exported record.
        reveal = covers(self.request.user, "view_sensitive", qs)
        filters = export_jobs.audit_filters(dict(self.request.GET.items()))
        return export_jobs.retiree_export(filters, unmasked=reveal).response(iter_rows(qs, reveal))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Only the large export's confirmation posts here (the filters are in the query string)."""
        if request.GET.get("export") != "xlsx":
            return HttpResponseNotAllowed(["GET"])
        return self.get(request, *args, **kwargs)

    def _start_export_job(self) -> Any:
        from yinling.jobs.services import do_start

        user = self.request.user
        home = orgs_where(user, Retiree, "export").order_by("depth", "path").first()
        if home is None:
            raise PermissionDenied
        return do_start(
            by=user,
            kind=export_jobs.KIND,
            org=home,
            label=_("Export retirees"),
            params=export_jobs.job_params(self.request.GET),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["libraries"] = visible_libraries(self.request.user)
        ctx["can_import"] = has_anywhere(self.request.user, Retiree, "import")
        ctx["can_find"] = ctx["can_import"] or has_anywhere(self.request.user, Retiree, "add")
        return ctx


def _mask_birth_dates(history: list[AuditRecord]) -> None:
    """The trail keeps the whole birth date; the history shown without a reveal keeps its year
    (idcard.birth_shown; in memory only: the records are not saved)."""
    for h in history:
        if isinstance(h.changes, dict) and "birth_date" in h.changes:
            h.changes = {**h.changes, "birth_date": [str(v)[:4] if v else v for v in h.changes["birth_date"]]}


def _retiree(request: HttpRequest, pk: int, action: str) -> Retiree:
    """404 outside the user's subtrees (and for deleted records), 403 without `action`."""
    return get_scoped_or_404(Retiree.objects.select_related("org"), request.user, action, pk=pk)


def _shown(request: HttpRequest, retiree: Retiree) -> dict[str, Any]:
    """The sensitive values as this viewer may see them, for the record page and its PDF alike: masked
    (ID last four, birth year, masked phone and address) unless the user holds view_sensitive on the
    record and asked with ?reveal=1, and then unmasked through services.reveal(), which audits it."""
    from yinling.core.crypto import mask_phone

    may_reveal = services.may_see_sensitive(request.user, retiree)
    revealed = request.GET.get("reveal") == "1" and may_reveal
    sensitive = services.reveal(request.user, retiree) if revealed else services.masked(retiree)
    contacts = [(c, c.phone if revealed else mask_phone(c.phone or "")) for c in retiree.contacts.all()]
    return {"may_reveal": may_reveal, "revealed": revealed, "sensitive": sensitive, "contacts": contacts}


@login_required
def retiree_detail(request: HttpRequest, pk: int) -> HttpResponse:
    retiree = _retiree(request, pk, "view")
    user = request.user
    shown = _shown(request, retiree)
    revealed = shown["revealed"]
    # The record's own change history, shown to whoever may see the record (not the audit trail's scope).
    history = list(
        AuditRecord.objects.unrestricted()
        .filter(object_type="registry.retiree", object_id=str(retiree.pk))
        .order_by("-id")[:50]
    )
    if not revealed:
        _mask_birth_dates(history)
    transfers = retiree.transfers.select_related("from_org", "to_org")
    return render(
        request,
        "registry/retiree_detail.html",
        {
            "object": retiree,
            **shown,
            "can_export": can(user, "export", retiree),
            "pdf_url": reverse("registry:pdf", args=[retiree.pk]) + ("?reveal=1" if revealed else ""),
            "history": history,
            "transfers": transfers,
            "can_change": can(user, "change", retiree),
            "can_transfer": can(user, "transfer", retiree),
            "can_delete": can(user, "delete", retiree),
            "breadcrumbs": [(_("Registry"), "/registry/"), (retiree.name, "")],
            # The sign-in account box (registry/account_box.html): account state, open, act-for buttons.
            **account_box_context(request, retiree),
        },
    )


@login_required
@require_GET  # a download writes an export record: never on a POST or a HEAD
def retiree_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The record's one-page summary as a PDF, masked exactly as the record page is for this viewer
    (the same _shown()), for those who may export records; audited as an export, and as a
    view_sensitive when unmasked."""
    retiree = _retiree(request, pk, "export")
    if not pdf_available():  # before _shown(): a reveal is audited, and nothing would be shown
        return unavailable_response(request)
    shown = _shown(request, retiree)
    issued = timezone.localdate()
    return render_pdf(
        request,
        "registry/retiree_pdf.html",
        {"object": retiree, **shown},
        title=_("Record summary: %(name)s") % {"name": retiree.name},
        filename=f"离退休干部信息-{retiree.name}-{issued:%Y%m%d}.pdf",
        fallback_filename=f"retiree-{retiree.pk}-{issued:%Y%m%d}.pdf",
        org=retiree.org,
        object_type="registry.retiree",
        extra={"retiree": retiree.pk, "unmasked": shown["revealed"]},
        issued=issued,
    )


@login_required
def retiree_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    retiree = _retiree(request, pk, "change") if pk is not None else None
    if retiree is None and not has_anywhere(user, Retiree, "add"):
        raise PermissionDenied
    reveal = retiree is None or services.may_see_sensitive(user, retiree)
    orgs = orgs_where(user, Retiree, "change" if retiree else "add")
    form = RetireeForm(request.POST or None, instance=retiree, orgs=orgs, reveal=reveal)
    contacts = ContactFormSet(
        request.POST or None, instance=retiree or Retiree(), prefix="contacts", form_kwargs={"reveal": reveal}
    )
    if retiree is not None and reveal and request.method == "GET":
        services.reveal(user, retiree)  # the form shows the unmasked values
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        values = dict(form.values)
        try:
            with transaction.atomic():
                if retiree is None:
                    retiree = services.do_create_retiree(by=user, org=form.cleaned_data["org"], values=values)
                else:
                    values["org"] = form.cleaned_data["org"]
                    services.do_update_retiree(
                        by=user, retiree=retiree, values=values, expected_version=form.cleaned_data.get("version") or 0
                    )
                contacts.instance = retiree
                contacts.save()
        except services.EditConflict:
            form.add_error(
                None,
                _(
                    "Someone else saved this record after you opened it. Your changes were not "
                    "saved: reload the page to see the new version, then make your changes again."
                ),
            )
        except ValidationError as exc:
            if services.is_duplicate(exc):
                services.record_duplicate_attempt(user, str(values.get("id_number") or ""), "form")
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            for _key, warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": retiree})
            return redirect(retiree.get_absolute_url())
    title = _("Edit %(name)s") % {"name": retiree.name} if retiree else _("Add a retiree")
    return render(
        request,
        "registry/retiree_form.html",
        {
            "form": form,
            "contacts": contacts,
            "object": retiree,
            "title": title,
            "breadcrumbs": [(_("Registry"), "/registry/"), (title, "")],
        },
    )


@login_required
def retiree_death(request: HttpRequest, pk: int) -> HttpResponse:
    retiree = _retiree(request, pk, "change")
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_death(by=request.user, retiree=retiree, date=form.cleaned_data["deceased_on"])
        except ValidationError as exc:
            form.add_error("deceased_on", exc.messages)
        else:
            messages.success(request, _("The death was recorded; the record stays in the registry."))
            return redirect(retiree.get_absolute_url())
    return render(
        request,
        "registry/retiree_action.html",
        {
            "form": form,
            "object": retiree,
            "title": _("Record a death"),
            "submit": _("Record"),
        },
    )


@login_required
def retiree_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    retiree = _retiree(request, pk, "transfer")
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_transfer(
                by=request.user, retiree=retiree, to_org=form.cleaned_data["to_org"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Moved to %(org)s.") % {"org": form.cleaned_data["to_org"]})
            if can(request.user, "view", retiree):
                return redirect(retiree.get_absolute_url())
            return redirect("registry:transfers")
    return render(
        request,
        "registry/retiree_action.html",
        {
            "form": form,
            "object": retiree,
            "title": _("Move to another org"),
            "submit": _("Move"),
        },
    )


@login_required
def retiree_delete(request: HttpRequest, pk: int) -> HttpResponse:
    retiree = _retiree(request, pk, "delete")
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_soft_delete(by=request.user, retiree=retiree, reason=form.cleaned_data["reason"])
        messages.success(request, _("The record was deleted (it is kept, hidden, in the database)."))
        return redirect("registry:list")
    return render(
        request,
        "registry/retiree_action.html",
        {
            "form": form,
            "object": retiree,
            "title": _("Delete the record"),
            "submit": _("Delete"),
            "danger": True,
        },
    )


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    """Moves in and out of the user's area: both sides see them."""
    if not has_anywhere(request.user, Retiree, "view"):
        raise PermissionDenied
    moves = Transfer.objects.restrict(request.user, "view").select_related("retiree", "from_org", "to_org")
    filterset = MoveFilterSet(request.GET or None, queryset=moves, request=request)
    rows = filterset.qs[:200] if not filterset.is_bound or filterset.is_valid() else moves.none()
    return render(
        request,
        "registry/transfers.html",
        {
            "rows": rows,
            "filter": filterset,
            "breadcrumbs": [(_("Registry"), "/registry/"), (_("Moves"), "")],
        },
    )


@login_required
def library_save(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters as a thematic library at one of the user's orgs."""
    from django.http import QueryDict

    from yinling.registry.filters import RetireeFilterSet
    from yinling.registry.models import Library

    if request.method != "POST":
        return redirect("registry:list")
    orgs = orgs_where(request.user, Library, "add")
    name = request.POST.get("name", "").strip()
    org = orgs.order_by("depth").first()
    if not org:
        raise PermissionDenied
    query = QueryDict(request.POST.get("query", ""))
    filters = {k: v for k, v in query.items() if k in RetireeFilterSet.base_filters and v}
    if not name or not filters:
        messages.error(request, _("Give the library a name, and filter the list first."))
        return redirect(f"/registry/?{query.urlencode()}")
    if "q" in filters and masked_query(str(filters["q"])) != filters["q"]:
        # Saved filters are stored in plain text: never an ID number or phone.
        messages.error(request, _("A library cannot be saved for a search by ID number or phone."))
        return redirect("registry:list")
    Library.objects.create(
        name=name[:50], org=org, filters=filters, shared=True, created_by=request.user.get_username()
    )
    messages.success(request, _("Saved the library “%(name)s”.") % {"name": name})
    return redirect(f"/registry/?{query.urlencode()}")


@login_required
def library_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from yinling.registry.models import Library

    library = get_scoped_or_404(Library, request.user, "delete", pk=pk)
    if request.method == "POST":
        library.delete()
        messages.success(request, _("Library removed."))
    return redirect("registry:list")
