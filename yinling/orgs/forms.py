from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Division, Org


class OrgForm(forms.ModelForm):
    # The view narrows it to the active orgs where the user may add (or change) orgs.
    parent = OrgField(label=_("parent"), queryset=Org.objects.unrestricted(), to_field_name=None)

    class Meta:
        model = Org
        fields = ["code", "name", "kind", "parent", "division", "latitude", "longitude", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent: Any = self.fields["parent"]
        parent.set_params(**{"for": "orgs.org", "action": "change" if self.instance.pk else "add"})
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
