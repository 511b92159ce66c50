from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.accounts import policy, services, tokens
from yinling.accounts.filters import UserFilterSet
from yinling.accounts.forms import AssignRoleForm, ProfileForm, StaffCreateForm, StaffEditForm
from yinling.accounts.models import RoleAssignment, User
from yinling.accounts.panels import panels_for
from yinling.accounts.tables import UserTable
from yinling.core.scoping import get_scoped_or_404, orgs_where
from yinling.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from yinling.orgs.models import Org


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes lockout answer: JSON for the API, the plain-words page for people."""
    message = _("Too many wrong passwords: this account is locked for 30 minutes, or until staff unlock it.")
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"error": "locked_out", "message": message}, status=429)
    return render(request, "accounts/locked_out.html", status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/accounts/me/"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        from yinling.audit.models import AuditRecord
        from yinling.audit.services import record

        record(AuditRecord.Action.SECURITY, cast("User", self.request.user), extra={"event": "password_changed"})
        messages.success(self.request, _("Your password was changed."))
        return response


class SignInForm(AuthenticationForm):
    """Staff sign in with their username; retirees may use the phone number in the registry."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or phone number")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    form_class = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from yinling.orgs.models import Org

        ctx = super().get_context_data(**kwargs)
        # The deployment's own bureau, named on the sign-in page (the root of the org tree; public).
        ctx["bureau"] = Org.objects.unrestricted().filter(parent=None).order_by("code").first()
        return ctx


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch elder mode on or off once; it stays with the account (and this browser)."""
    enabled = request.POST.get("enabled", "1") == "1"
    services.do_set_elder_mode(by=request.user, enabled=enabled)
    response = redirect(safe_next(request))
    response.set_cookie("elder_mode", "1" if enabled else "0", max_age=3600 * 24 * 365, samesite="Lax", httponly=True)
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings were saved."))
        return redirect("accounts:profile")
    assignments = RoleAssignment.objects.unrestricted().filter(user=user).select_related("org")  # one's own
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "assignments": assignments,
            "api_tokens": tokens.tokens_of(user),
            "panels": panels_for(request),
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: str) -> HttpResponse:
    """Revoke one of one's own API tokens from the profile page."""
    if tokens.do_revoke_own_token(by=request.user, token_key=token_id):
        messages.success(request, _("The API token was revoked."))
    return redirect("accounts:profile")


class UserListView(ObjectListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    add_url_name = "accounts:user_add"
    export_columns = [
        ("用户名", "username"),
        ("姓名", "full_name"),
        ("所属单位代码", "org.code"),
        ("所属单位", "org.name"),
        ("启用", "is_active"),
        ("最近登录", "last_login"),
    ]

    @property
    def title(self) -> str:  # type: ignore[override]
        return _("Staff accounts")

    def get_queryset(self) -> QuerySet[User]:
        return (
            super()
            .get_queryset()
            .filter(kind=User.Kind.STAFF)
            .select_related("org")
            .prefetch_related("assignments__org")
        )

    def export_queryset(self) -> QuerySet[User]:
        return super().export_queryset().filter(kind=User.Kind.STAFF).select_related("org")


class UserCreateView(ObjectEditView):
    model = User
    form_class = StaffCreateForm

    def save(self, form: BaseModelForm) -> User:
        data = form.cleaned_data
        return services.do_create_staff_user(
            by=self.request.user,
            username=data["username"],
            full_name=data["full_name"],
            org=data["org"],
            password=data["password1"],
            email=data.get("email", ""),
        )

    def get_success_url(self, obj: Any = None) -> str:  # type: ignore[override]
        return f"/accounts/users/{obj.pk}/"


class UserEditView(ObjectEditView):
    model = User
    form_class = StaffEditForm

    def get_scoped_object(self, action: str, **lookup: Any) -> User:
        target = cast("User", super().get_scoped_object(action, **lookup))
        policy.check(self.request.user, "change", target)  # the 三员 rule on top of the scope
        return target

    def save(self, form: BaseModelForm) -> User:
        data = form.cleaned_data
        return services.do_update_staff_user(
            by=self.request.user,
            user=cast("User", self.object),
            full_name=data["full_name"],
            email=data.get("email", ""),
            org=data["org"],
        )

    def get_success_url(self, obj: Any = None) -> str:  # type: ignore[override]
        return f"/accounts/users/{self.object.pk}/"  # type: ignore[union-attr]


def assignable_orgs(user: Any) -> QuerySet[Org]:
    return orgs_where(user, User, "assign")


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        me = self.request.user
        target: User = self.object
        ctx["assignments"] = target.assignments.select_related("org", "granted_by").order_by("org__path", "role")
        ctx["can_change"] = policy.allowed(me, "change", target)
        ctx["can_assign"] = policy.allowed(me, "assign", target)
        form = AssignRoleForm(orgs=assignable_orgs(me), account=target) if ctx["can_assign"] else None
        ctx["assign_form"] = form if form is not None and form.has_roles else None
        ctx["can_unlock"] = policy.allowed(me, "unlock", target)
        ctx["can_reset_otp"] = policy.allowed(me, "reset_otp", target)
        ctx["can_deactivate"] = policy.allowed(me, "deactivate", target)
        from axes.models import AccessAttempt

        ctx["locked"] = AccessAttempt.objects.filter(username=target.username).exists()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        ctx["has_otp"] = TOTPDevice.objects.filter(user=target, confirmed=True).exists()
        return ctx


def _target(request: HttpRequest, pk: int, action: str) -> User:
    """404 outside the caller's subtree, 403 when the account policy refuses `action` on it."""
    target: User = get_scoped_or_404(User, request.user, action, pk=pk)
    policy.check(request.user, action, target)
    return target


@login_required
@require_POST
def assign_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk, "assign")
    form = AssignRoleForm(request.POST, orgs=assignable_orgs(request.user), account=target)
    if not form.is_valid():
        messages.error(request, _("Choose a role and an org you manage."))
        return redirect("accounts:user_detail", pk=pk)
    try:
        services.do_assign_role(
            by=request.user, user=target, role=form.cleaned_data["role"], org=form.cleaned_data["org"]
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, str(exc.args[0]) if exc.args else _("Not allowed."))
    else:
        messages.success(request, _("Role assigned."))
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def revoke_role(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        RoleAssignment.objects.restrict(request.user, None).select_related("org", "user"), pk=pk
    )
    _target(request, assignment.user_id, "assign")
    try:
        services.do_revoke_role(by=request.user, assignment=assignment)
    except PermissionDenied as exc:
        messages.error(request, str(exc.args[0]) if exc.args else _("Not allowed."))
    else:
        messages.success(request, _("Role removed."))
    return redirect("accounts:user_detail", pk=assignment.user_id)


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk, "deactivate")
    services.do_set_active(by=request.user, user=target, active=request.POST.get("active") == "1")
    messages.success(request, _("Account updated."))
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk, "unlock")
    services.do_unlock(by=request.user, user=target)
    messages.success(request, _("Account unlocked."))
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def reset_otp(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk, "reset_otp")
    services.do_reset_otp(by=request.user, user=target)
    messages.success(request, _("Two-factor device removed; the user enrols again at next sign-in."))
    return redirect("accounts:user_detail", pk=pk)
