"""Weekly class times typed as timetables write them: "周一 9:00-11:00; 周三 14:00-16:00".

A weekday is 周一…周日 (周天), 星期一…星期日 (星期天), 礼拜一…礼拜天 or 1–7 (1 = Monday); a time is 9:00,
9：00, 9点, 9点30, 9点30分, 9点半 or 9时, optionally after 上午/下午/晚上 (下午2点 is 14:00); the two
times are joined by - – — ~ ～ 至 or 到; entries are separated by ; ； , ， 、 or new lines. Full-width digits
read as ASCII. Each entry that cannot be read is named in the error, so staff see which one to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yinling.campus.services.catalogue import SlotSpec, check_slots
from yinling.core.refusals import Refused
from yinling.core.sheets.cells import text

_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "七": 7}
_TIME = (
    r"(?:(?P<{p}half>上午|早上|中午|下午|晚上)\s*)?"
    r"(?P<{p}h>\d{{1,2}})\s*(?:[:：点时.]\s*(?P<{p}m>\d{{1,2}}|半)?\s*分?)?"
)
_ENTRY = re.compile(
    r"(?:(?:周|星期|礼拜)(?P<cn>[一二三四五六七日天])|(?P<num>[1-7])(?=[\s,，、]))[\s,，、]*"
    + _TIME.format(p="s")
    + r"\s*(?:-|–|—|~|～|至|到)\s*"
    + _TIME.format(p="e")
)
_SPLIT = re.compile(r"[;；\n]+|(?<=\d)\s*[,，、]\s*(?=\D)|(?<=[点分半时])\s*[,，、]\s*")
WEEKDAY_NAMES = ("", "周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _time(match: re.Match[str], p: str) -> dt.time | None:
    hour = int(match[f"{p}h"])
    minute_text = match[f"{p}m"]
    minute = 30 if minute_text == "半" else int(minute_text or 0)
    # "下午2点-4点" : the end is in the afternoon too unless it says otherwise.
    half = match[f"{p}half"] or (match["shalf"] if p == "e" else None)
    if half in ("下午", "晚上") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_slots(value: str) -> list[SlotSpec]:
    """The weekly times in `value`, or ValidationError naming the entries that could not be read."""
    entries = [e.strip() for e in _SPLIT.split(text(value)) if e and e.strip()]
    slots: list[SlotSpec] = []
    bad: list[str] = []
    for entry in entries:
        m = _ENTRY.fullmatch(entry)
        start = _time(m, "s") if m else None
        end = _time(m, "e") if m else None
        if m is None or start is None or end is None:
            bad.append(entry)
            continue
        weekday = _DAYS[m["cn"]] if m["cn"] else int(m["num"])
        slots.append((weekday, start, end))
    if bad:
        raise ValidationError(
            _("Could not read “%(entries)s”: write a weekday and two times, e.g. 周一 9:00-11:00."),
            code="invalid",
            params={"entries": "”, “".join(bad)},
        )
    try:
        check_slots(slots)
    except Refused as exc:
        raise ValidationError(str(exc.message), code=exc.code) from None
    return slots


def format_slots(slots: Any) -> str:
    """Slots (model rows or (weekday, start, end) triples) as the field shows them back."""
    parts = []
    for slot in slots:
        weekday, start, end = (slot.weekday, slot.start, slot.end) if hasattr(slot, "weekday") else slot
        parts.append(f"{WEEKDAY_NAMES[weekday]} {start:%H:%M}-{end:%H:%M}")
    return "; ".join(parts)


class SlotsField(forms.CharField):
    """A section's weekly times as one line of text; cleans to [(weekday, start, end)]."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Weekly class times"))
        kwargs.setdefault("help_text", _("e.g. 周一 9:00-11:00; 周三 14:00-16:00 (weekdays 周一…周日 or 1–7)"))
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[SlotSpec]:  # type: ignore[override]
        value = super().clean(value)
        return parse_slots(value) if value else []
