import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from yinling.orgs.models import Org


class OrgTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name=_("code"))
    name = tables.Column(linkify=True, verbose_name=_("name"))
    kind = tables.Column(verbose_name=_("kind"))
    parent = tables.Column(verbose_name=_("parent"), order_by=("parent__code",))
    division = tables.Column(verbose_name=_("division"), order_by=("division__code",))

    class Meta:
        model = Org
        fields = ("code", "name", "kind", "parent", "division")
        order_by = ("code",)
        attrs = {"class": "table table-striped table-hover align-middle"}
