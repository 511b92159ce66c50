"""Forms of the teaching pages: the student's check-in code, an online lesson."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.campus.models import Course


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the teacher shows"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9０-９ ]*",
                "class": "form-control form-control-lg yl-code-input",
                "autofocus": True,
            }
        ),
    )


class LessonForm(forms.Form):
    course = forms.ModelChoiceField(label=_("course"), queryset=Course.objects.none())
    title = forms.CharField(label=_("title"), max_length=100)
    video = forms.FileField(
        label=_("video"), required=False, help_text=_("An MP4 or WebM video; or give a link below instead.")
    )
    url = forms.URLField(label=_("link"), required=False, assume_scheme="https")
    minutes = forms.IntegerField(label=_("length (minutes)"), min_value=0, max_value=600, initial=0)
    open_to_all = forms.BooleanField(label=_("open to everyone"), required=False)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args: Any, courses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("video")) == bool(cleaned.get("url")):
            raise forms.ValidationError(_("Upload a video or give a link, one of the two."))
        return cleaned
