import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from yinling.registry.models import Retiree


class RetireeTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("name"), order_by=("name_pinyin",))
    gender = tables.Column(verbose_name=_("gender"))
    # The year only, for every role (idcard.birth_shown): with the ID number's last four and the org's
    # region, a month would leave about three candidate numbers.
    birth_date = tables.DateColumn(verbose_name=_("birth year"), format="Y")
    category = tables.Column(verbose_name=_("category"))
    id_masked = tables.Column(verbose_name=_("ID number"), orderable=False)
    org = tables.Column(verbose_name=_("managing org"), order_by=("org__path",))
    phone_masked = tables.Column(verbose_name=_("phone"), orderable=False)
    status = tables.Column(verbose_name=_("status"))

    class Meta:
        model = Retiree
        fields = ("name", "gender", "birth_date", "category", "id_masked", "org", "phone_masked", "status")
        attrs = {"class": "table table-striped table-hover align-middle"}
