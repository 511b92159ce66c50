"""Pinyin keys for name search (张三 → "zhangsan", "zs"), from pypinyin.

pypinyin reads a name as ordinary text, so surnames with a special reading come out
wrong (曾国藩 → "ceng…"). The first character is read from this surname table when
it is in it.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",),
    "单": ("shan",),
    "仇": ("qiu",),
    "解": ("xie",),
    "区": ("ou",),
    "朴": ("piao",),
    "查": ("zha",),
    "翟": ("zhai",),
    "乐": ("yue",),
    "缪": ("miao",),
    "覃": ("qin",),
    "盖": ("ge",),
    "曲": ("qu",),
    "员": ("yun",),
    "尉": ("yu",),
    "种": ("chong",),
    "折": ("she",),
    "黑": ("he",),
    "繁": ("po",),
    "句": ("gou",),
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
}
_BY_LENGTH = sorted(SURNAME_READINGS, key=len, reverse=True)


@lru_cache(maxsize=65536)
def syllables(name: str) -> tuple[str, ...]:
    for surname in _BY_LENGTH:
        if name.startswith(surname) and len(name) > len(surname):
            return (*SURNAME_READINGS[surname], *_read(name[len(surname) :]))
    return _read(name)


def _read(text: str) -> tuple[str, ...]:
    # Most characters in names have one reading: those are looked up one by one (an import reads
    # 100,000 names, and pypinyin's phrase segmentation was a sixth of checking a row). A text
    # with any character of several readings, or none, is read whole, in context, as before.
    out: list[str] = []
    for ch in text:
        reading = _only_reading(ch)
        if reading is None:
            return tuple(p.lower() for p in lazy_pinyin(text, errors="ignore"))
        out.append(reading)
    return tuple(out)


@lru_cache(maxsize=65536)  # at most one entry per character pypinyin knows (about 42,000)
def _only_reading(ch: str) -> str | None:
    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    if len(readings) != 1 or len({r.lower() for r in readings[0]}) != 1:
        return None
    return readings[0][0].lower()


def full_pinyin(name: str) -> str:
    return "".join(syllables(name))


def initials(name: str) -> str:
    return "".join(p[0] for p in syllables(name) if p)
