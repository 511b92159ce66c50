"""The search picker: choose one person or org by typing a name, pinyin, digits or a code.

Staff once chose retirees and orgs by typing numeric ids. A picker field renders a search box
(an ARIA combobox), a hidden input that carries the chosen key, and an empty listbox. As the
user types, static/yinling/picker.js asks the field's lookup endpoint (a scoped, server-rendered
list of options) and fills the listbox; choosing an option (click, or arrows and Enter) sets the
hidden input. Nothing is inline: the page's CSP allows only our own scripts and styles.

Without JavaScript the box still works: it submits what was typed, and the field takes the one
object the same search finds (several or none is a form error naming the count). The field
always checks the key against its queryset, which the form narrows to the user's scope, so a
key typed into the URL or the hidden input never reaches outside it: a non-numeric, unknown or
out-of-scope key is a form error, never a 500.

Subclass `PickerField` per model (`registry.lookups.RetireeField`, `orgs.lookups.OrgField`):
name the lookup URL, say how to search a queryset and how to label an object. core imports no
domain app, so the concrete fields live with their models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

TEXT_SUFFIX = "__text"  # the search box's name: field name + this (never a filter's own name)
MAX_KEY = 2**63 - 1  # the largest primary key a database holds; larger digits are no key at all


class PickerInput(str):
    """What a picker submitted: the chosen key (the str value), and the text in the search box.

    A plain str to anything that is not a PickerField (a django-filter CharFilter, say), so
    that such a filter receives the key, or the typed text when nothing was chosen.
    """

    text: str
    key: str

    def __new__(cls, key: str, text: str) -> PickerInput:
        obj = super().__new__(cls, key or text)
        obj.key, obj.text = key, text
        return obj


class PickerWidget(forms.Widget):
    """A search box, a hidden key and a listbox; the options come from `lookup_url_name`."""

    template_name = "core/widgets/picker.html"

    def __init__(
        self,
        lookup_url_name: str = "",
        params: Mapping[str, str] | None = None,
        attrs: dict[str, Any] | None = None,
        placeholder: Any = "",
    ) -> None:
        super().__init__(attrs)
        self.lookup_url_name = lookup_url_name
        self.params: dict[str, str] = dict(params or {})
        self.placeholder = placeholder
        # key → label of that object in the user's scope, or None; set by the field (or a filter set).
        self.label_for: Callable[[str], str | None] = lambda key: None

    def __deepcopy__(self, memo: dict[int, Any]) -> PickerWidget:
        obj: PickerWidget = super().__deepcopy__(memo)
        obj.params = dict(self.params)
        return obj

    def lookup_url(self) -> str:
        url = reverse(self.lookup_url_name)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def id_for_label(self, id_: str) -> str:
        return f"{id_}{TEXT_SUFFIX}" if id_ else id_  # the <label> names the search box

    def value_from_datadict(self, data: Any, files: Any, name: str) -> PickerInput | None:
        key = str(data.get(name) or "").strip()
        text = str(data.get(name + TEXT_SUFFIX) or "").strip()
        if not key and not text:
            return None
        if key and text and text != (self.label_for(key) or text):
            key = ""  # the box was edited (without JavaScript, which clears the key): the text wins
        return PickerInput(key, text)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and name + TEXT_SUFFIX not in data

    def format_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, PickerInput):
            return value.key
        if isinstance(value, Model):
            return str(value.pk)
        return str(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        key = widget["value"] or ""
        if isinstance(value, PickerInput) and not value.key:
            text = value.text  # what was typed, shown again with the error
        else:
            text = (self.label_for(key) or "") if key else ""
        # The form's attributes (class, aria-describedby, aria-invalid) belong to the search box.
        box = dict(widget["attrs"])
        box_id = box.pop("id", "") or f"id_{name}"
        widget.update(
            key=key,
            text=text,
            box_attrs=box,
            box_id=f"{box_id}{TEXT_SUFFIX}",
            key_id=box_id,
            list_id=f"{box_id}__options",
            status_id=f"{box_id}__status",
            text_name=name + TEXT_SUFFIX,
            lookup_url=self.lookup_url(),
            placeholder=self.placeholder,
        )
        return context


class PickerField(forms.ModelChoiceField):
    """One object of `queryset`, chosen with a PickerWidget; the queryset is the user's scope.

    Subclasses set `lookup_url_name` and implement `search()` and `label_from_instance()`.
    """

    widget = PickerWidget
    lookup_url_name = ""
    default_error_messages = {
        "invalid_choice": _("Choose one from the list: that choice is not available to you."),
    }

    def __init__(
        self,
        queryset: QuerySet[Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        placeholder: Any = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", PickerWidget(self.lookup_url_name, params, placeholder=placeholder))
        super().__init__(queryset if queryset is not None else self.empty_queryset(), **kwargs)

    def empty_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    # ModelChoiceField keeps a choices iterator for <select>: a picker never lists its queryset.
    def _set_queryset(self, queryset: QuerySet[Any] | None) -> None:
        self._queryset = None if queryset is None else queryset.all()
        self.widget.label_for = self.label_for_key  # type: ignore[attr-defined]

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined,assignment]

    def set_params(self, **params: str) -> None:
        """Narrow what the lookup offers (the queryset decides what is valid)."""
        # A new dict: a form's copy of a declared field shares its widget's attributes with the class's.
        widget: Any = self.widget
        widget.params = {**widget.params, **params}

    def __deepcopy__(self, memo: dict[int, Any]) -> PickerField:
        result: PickerField = super().__deepcopy__(memo)
        result.widget.label_for = result.label_for_key  # type: ignore[attr-defined]
        return result

    def search(self, queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
        raise NotImplementedError

    def key_q(self, key: str) -> Q | None:
        """The lookup for a key; None when `key` cannot be one (so the database is never asked)."""
        name = self.to_field_name or "pk"
        if name == "pk" or name == self.queryset.model._meta.pk.name:  # type: ignore[union-attr]
            if not (key.isascii() and key.isdigit()) or int(key) > MAX_KEY:
                return None
            return Q(pk=int(key))
        return Q(**{name: key})

    def label_for_key(self, key: str) -> str | None:
        q = self.key_q(str(key))
        if q is None or self.queryset is None:
            return None
        obj = self.queryset.filter(q).first()
        return None if obj is None else self.label_from_instance(obj)

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            value = str(getattr(value, self.to_field_name or "pk"))
        if isinstance(value, PickerInput) and not value.key:
            return self.resolve_text(value.text)
        q = self.key_q(str(value).strip())
        obj = self.queryset.filter(q).first() if q is not None and self.queryset is not None else None
        if obj is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return obj

    def resolve_text(self, text: str) -> Model:
        """Typed, not chosen (no JavaScript, or Enter before choosing): the one object the search finds."""
        assert self.queryset is not None
        found = list(self.search(self.queryset, text)[:2])
        if len(found) == 1:
            return found[0]  # type: ignore[no-any-return]
        if not found:
            raise ValidationError(
                _("Nothing in your area matches “%(text)s”."), code="invalid_choice", params={"text": text}
            )
        count = self.search(self.queryset, text).count()
        raise ValidationError(
            ngettext(
                "%(count)d match “%(text)s”: choose one from the list.",
                "%(count)d match “%(text)s”: choose one from the list.",
                count,
            ),
            code="ambiguous",
            params={"count": count, "text": text},
        )
