from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.orgs.models import Division, Org


class OrgForm(forms.ModelForm):
    class Meta:
        model = Org
        fields = ["code", "name", "kind", "parent", "division", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["parent"].required = True
        self.fields["parent"].help_text = _("Moving an org moves its whole subtree.")
        if self.instance.pk:
            # The org itself and its descendants can never become its parent.
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(  # type: ignore[attr-defined]
                path__under=self.instance.path
            )
            if self.instance.parent_id is None:
                self.fields["parent"].required = False
