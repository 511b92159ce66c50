"""The cases app's actions (do_*) and the periodic sweep."""

from yinling.cases.services.cases import do_decide, do_file, do_resubmit
from yinling.cases.services.items import do_define_item, do_edit_item
from yinling.cases.services.sweep import sweep

__all__ = ["do_decide", "do_define_item", "do_edit_item", "do_file", "do_resubmit", "sweep"]
