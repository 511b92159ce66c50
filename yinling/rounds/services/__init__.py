"""平安报 rounds' actions: rounds.py (open, close) and entries.py (record an answer); selectors.py reads."""

from yinling.rounds.services.entries import do_record_entry
from yinling.rounds.services.rounds import do_close_round, do_open_round

__all__ = ["do_close_round", "do_open_round", "do_record_entry"]
