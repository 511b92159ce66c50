from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "yinling.registry"
    label = "registry"
    verbose_name = _("Registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts import roles
        from yinling.audit.registry import register
        from yinling.core.crypto import mask_phone
        from yinling.core.dashboard import Figure, register_figure
        from yinling.core.demo import Seeder, register_seeder
        from yinling.core.navigation import NavItem, register_nav
        from yinling.core.views_pages import register_home_view
        from yinling.registry.demo import seed_retirees
        from yinling.registry.models import FamilyContact, Library, Retiree
        from yinling.registry.panels import register_panels
        from yinling.registry.views_home import retiree_home

        register_home_view("retiree", retiree_home)
        from yinling.core.tiles import Tile, register_tile

        register_tile(Tile("record", _("My record"), "person-vcard", url="#my-record", order=90))
        from yinling.registry import export_jobs, import_jobs

        import_jobs.register()  # the import as a background job (kind "registry.import")
        export_jobs.register()  # exports above EXPORT_INLINE_MAX_ROWS (kind "registry.export")
        from yinling.notifications import registry_hooks

        registry_hooks.register_also_notify(_also_notify)
        registry_hooks.register_phone_of(_phone_of)

        work = roles.crud(
            "registry.retiree", "view", "add", "change", "export", "import", "transfer", "open_account", "act_for"
        ) | roles.crud("registry.library", "view", "add", "change", "delete")
        roles.grant([roles.BUREAU_ADMIN], work | roles.crud("registry.retiree", "view_sensitive"))
        roles.grant([roles.CLERK], work)
        roles.grant([roles.LEADER], roles.crud("registry.retiree", "view") | roles.crud("registry.library", "view"))
        # Only system administrators delete (soft, with a reason).
        roles.grant([roles.SYSTEM_ADMIN], roles.crud("registry.retiree", "view", "delete"))

        register(Retiree, masker=_mask)
        register(FamilyContact, masker=lambda name, value: mask_phone(str(value)))
        register(Library)  # a shared library changes what colleagues down the tree see
        register_nav(
            NavItem(
                _("Registry"),
                "registry:list",
                perm="registry.view_retiree",
                order=10,
                group="registry",
                icon="person-vcard",
            )
        )
        from yinling.core.quicksearch import register_provider
        from yinling.registry.quicksearch import PROVIDER

        register_provider(PROVIDER)
        from yinling.core.related import RelatedList, register_related

        people = RelatedList(_("People on register"), "registry:list", lambda org: {"org": org.code}, order=10)
        register_related("orgs.org", people)
        # Each figure is the number of rows its list shows (core/dashboard.py): the list's default is
        # people on register, so deceased and moved-out records are in neither.
        on_register = _("Not counting deceased or moved-out people")
        register_figure(Figure(_("Retirees on register"), "registry:list", order=10, note=on_register))
        register_figure(Figure(_("离休 cadres"), "registry:list", {"category": "lixiu"}, order=11, note=on_register))
        register_seeder(Seeder("registry", seed_retirees, order=30))
        register_panels()


def _also_notify(users: Any) -> dict[int, tuple[str, list[Any]]]:
    """Retirees' relatives recorded in the registry (who may act for them, 代办) receive their notifications too,
    on their own accounts: for all the people of one notice in a few queries (acting.relatives_of_many)."""
    from yinling.registry.acting import relatives_of_many
    from yinling.registry.models import Retiree

    retirees = [u for u in users if getattr(u, "kind", "") == "retiree"]
    if not retirees:
        return {}
    # Only what relatives_of() compares: loading the whole record would decrypt every sensitive field.
    records = Retiree.objects.unrestricted().filter(account__in=retirees, is_deleted=False)
    me = {r.account_id: r for r in records.only("id", "name", "phone", "account") if r.account_id is not None}
    relatives = relatives_of_many(list(me.values()), lean=True)
    result: dict[int, tuple[str, list[Any]]] = {}
    for account_id, record in me.items():
        accounts = [r.account for r in relatives[record.pk] if r.account_id is not None]
        result[account_id] = (record.name, [a for a in accounts if a is not None and a.is_active])
    return result


def _phone_of(user: Any) -> str:
    """The number SMS goes to: the phone in the retiree's registry record (accounts hold none). Only that field
    is read: loading the record would decrypt every sensitive field (most of a sending job's CPU)."""
    from yinling.registry.models import Retiree

    if getattr(user, "kind", "") != "retiree":
        return ""
    rows = Retiree.objects.unrestricted().filter(account=user, is_deleted=False).values_list("phone", flat=True)
    return rows.first() or ""


def _mask(name: str, value: object) -> str:
    from yinling.core.crypto import mask_phone, mask_text
    from yinling.registry.idcard import mask

    text = str(value)
    if name == "id_number":
        return mask(text)
    if name == "phone":
        return mask_phone(text)
    return mask_text(text, keep=0) if name == "health_notes" else mask_text(text)
