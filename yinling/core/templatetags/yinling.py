"""Template helpers: accessible Bootstrap form fields and small display filters."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    return "form-control"


@register.simple_tag
def form_field(field: forms.BoundField) -> SafeString:
    """Label, control, help and errors, linked for screen readers (aria-describedby)."""
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return mark_safe(str(field))  # noqa: S308 - Django-rendered widget
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    css = _widget_class(widget)
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, Any] = {"class": css.strip()}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    control = field.as_widget(attrs=attrs)
    required = (
        format_html(' <span class="text-danger">*<span class="visually-hidden">{}</span></span>', _("required"))
        if field.field.required
        else ""
    )
    help_html = (
        # Escaped unless built as HTML (format_html, as Django's password rules list is): a help
        # text may carry a stored value ("Stored: <masked address>"), which is text (issue #9).
        format_html('<div id="{}_help" class="form-text">{}</div>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    errors_html = (
        format_html(
            '<div id="{}_errors" class="invalid-feedback d-block" role="alert">{}</div>',
            field.auto_id,
            format_html_join("", "<div>{}</div>", ((e,) for e in field.errors)),
        )
        if field.errors
        else ""
    )
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3 form-check">{}<label class="form-check-label" for="{}">{}</label>{}{}</div>',
            control,
            field.id_for_label,
            field.label,
            help_html,
            errors_html,
        )
    return format_html(
        '<div class="mb-3"><label class="form-label" for="{}">{}{}</label>{}{}{}</div>',
        field.id_for_label,
        field.label,
        required,
        control,
        help_html,
        errors_html,
    )


@register.simple_tag
def form_fields(form: forms.BaseForm) -> SafeString:
    parts: list[str] = []
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-danger" role="alert">{}</div>',
                format_html_join("", "<div>{}</div>", ((e,) for e in form.non_field_errors())),
            )
        )
    parts.extend(str(form_field(f)) for f in form)
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@register.filter
def verbose_name(obj: Any) -> str:
    return str(obj._meta.verbose_name)


@register.filter
def field_rows(obj: Any) -> list[tuple[str, Any]]:
    """(label, display value) for a model's visible fields, for the generic detail page."""
    rows = []
    for f in obj._meta.concrete_fields:
        if f.primary_key or not f.editable or f.name in getattr(obj, "detail_exclude", ("password",)):
            continue
        display = getattr(obj, f"get_{f.name}_display", None)
        value = display() if display else getattr(obj, f.name)
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((str(f.verbose_name), value if value not in (None, "") else "—"))
    return rows


@register.simple_tag
def pdf_link(url: str) -> SafeString:
    """The "print / download PDF" link of a printable page, or, where this server cannot make PDFs
    (core.pdf.pdf_available), a plain sentence saying so: never a link that would fail."""
    from yinling.core.pdf import pdf_available

    if pdf_available():
        return format_html(
            '<a class="btn btn-outline-secondary yl-pdf-link" href="{}">{}</a>', url, _("Print / download PDF")
        )
    return format_html('<p class="yl-pdf-missing no-print">{}</p>', _("PDFs are not available on this server."))


@register.simple_tag
def related_counts(user: Any, obj: Any) -> list[dict[str, Any]]:
    """The object's related lists with their counts for this user (core/related.py)."""
    from yinling.core.related import related_for

    return related_for(user, obj)


@register.simple_tag(takes_context=True)
def trail(context: template.Context, *parts: Any) -> SafeString:
    """A breadcrumb trail after Home, for pages a template names: `{% trail _("Registry") list_url obj.name "" %}`.

    The arguments are label and url in turn; the current page comes last, with an empty url or none."""
    from django.template.loader import render_to_string

    items = list(parts) + ([""] if len(parts) % 2 else [])
    crumbs = [(str(items[i]), str(items[i + 1] or "")) for i in range(0, len(items), 2)]
    return render_to_string("core/_breadcrumbs.html", {"breadcrumbs": crumbs}, request=context.get("request"))


@register.simple_tag
def role_summary(user: Any) -> str:
    """The user menu's second line: the first role and where it is held ("Clerk · 西湖区委老干部局"), with
    "+N" for more; empty for an account without roles. Read through the user's own assignments."""
    assignments = getattr(user, "assignments", None)
    if assignments is None or not getattr(user, "is_authenticated", False):
        return ""
    held = list(assignments.select_related("org").order_by("org__depth", "org__path", "role"))
    if not held:
        return ""
    text = f"{held[0].get_role_display()} · {held[0].org.name}"
    return f"{text} +{len(held) - 1}" if len(held) > 1 else text
