"""Staff pages for the time bank's rule settings: the rule in force at each org and where it comes from,
and an org's own rule set or removed (bureau admins; writes through services_rules, audited).

An org outside the user's subtrees does not exist (404); inside them, reading needs
timebank.view_rule, setting needs add_rule (a first rule) or change_rule, removing needs change_rule (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.core.scoping import can_at, has_anywhere
from yinling.orgs.models import Org
from yinling.timebank.filters import BUREAU_KINDS
from yinling.timebank.forms_rules import RemoveRuleForm, RuleForm, RuleSearchForm
from yinling.timebank.models import Rule
from yinling.timebank.services import rules as services_rules
from yinling.timebank.views_shared import CRUMB

VIEW = "timebank.view_rule"


def _org(request: HttpRequest, code: str, action: str) -> Org:
    org = get_object_or_404(Org.objects.restrict(request.user, None), code=code)
    if not can_at(request.user, Rule, action, org):
        raise PermissionDenied
    return org


def setting_rows(current: services_rules.Effective, before: services_rules.Effective | None = None) -> list[Any]:
    """(label, value in force, value it would inherit) for each setting, in the form's words."""
    form = RuleForm()
    rows = []
    for name in services_rules.FIELDS:
        value = getattr(current.rule, name)
        inherited = getattr(before.rule, name) if before is not None else None
        rows.append((form.fields[name].label, _display(name, value), _display(name, inherited)))
    return rows


def _display(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "unit":
        return _("Half an hour") if value == services_rules.UNITS[0] else _("One hour")
    return services_rules.plain(value)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """Bureaus in scope, and any org with a rule of its own, with the rule in force and its source."""
    user = request.user
    if not has_anywhere(user, Rule, "view"):
        raise PermissionDenied
    form = RuleSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    orgs = Org.objects.restrict(user, perm=VIEW).filter(is_active=True)
    if query:
        orgs = orgs.filter(Q(name__contains=query) | Q(code__startswith=query))
    else:
        orgs = orgs.filter(Q(kind__in=BUREAU_KINDS) | Q(timebank_rule__isnull=False))
    page = Paginator(orgs.order_by("path"), 100).get_page(request.GET.get("page"))
    in_force = services_rules.effective_for(page.object_list)
    return render(
        request,
        "timebank/rules.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "rows": [in_force[org.pk] for org in page.object_list],
            "defaults": services_rules.Effective(Org(), services_rules.DEFAULTS, None).shown,
            "breadcrumbs": [(CRUMB, reverse("timebank:home")), (_("Rule settings"), "")],
        },
    )


@login_required
def rule_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    org = _org(request, code, "view")
    current = services_rules.effective(org)
    can_set = can_at(user, Rule, "change" if current.own else "add", org)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                change = services_rules.set_rule(
                    by=user, org=org, values=form.values(), reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                if change.changes:
                    messages.success(
                        request,
                        _("Saved. The rule applies to %(org)s and every org below it without a rule of its own.")
                        % {"org": org.name},
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("timebank:rule", code=org.code)
    else:
        form = RuleForm(initial=RuleForm.initial_from(current.values()))
    inherited = services_rules.parent_effective(org) if current.own else None
    # The org a rule comes from may lie above the user's subtree: named, but not linked to.
    source = current.source
    source_link = bool(source and source.pk != org.pk and can_at(user, Rule, "view", source))
    return render(
        request,
        "timebank/rule_detail.html",
        {
            "org": org,
            "current": current,
            "source_link": source_link,
            "rows": setting_rows(current, inherited),
            "inherited": inherited,
            "overriding": services_rules.overriding_below(org),
            "form": form,
            "remove_form": RemoveRuleForm(prefix="remove"),
            "can_set": can_set,
            "can_remove": current.own and can_at(user, Rule, "change", org),
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Rule settings"), reverse("timebank:rules")),
                (org.name, ""),
            ],
        },
    )


@login_required
@require_POST
def rule_remove(request: HttpRequest, code: str) -> HttpResponse:
    """Remove the org's own rule: it inherits again."""
    org = _org(request, code, "change")
    form = RemoveRuleForm(request.POST, prefix="remove")
    if not form.is_valid():
        messages.error(request, _("Say why the rule is removed (a reason or a document number)."))
        return redirect("timebank:rule", code=org.code)
    change = services_rules.remove_rule(by=request.user, org=org, reason=form.cleaned_data["reason"])
    if change.removed:
        source = services_rules.effective(org).source
        messages.success(
            request,
            _("%(org)s now follows the rule of %(source)s.") % {"org": org.name, "source": source.name}
            if source
            else _("%(org)s now follows the default rule.") % {"org": org.name},
        )
    else:
        messages.info(request, _("This org has no rule of its own; nothing was removed."))
    return redirect("timebank:rule", code=org.code)
