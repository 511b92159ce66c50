"""The zh-hans catalogue is complete, not fuzzy, compiled, and used by default."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CATALOGUE = Path(settings.BASE_DIR) / "yinling" / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for what makemessages writes (obsolete #~ entries are skipped)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current.line:
            entries.append(current)
        current, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#~"):
            if not text:
                finish()
            continue
        if text.startswith("#,"):
            current.flags.update(flag.strip() for flag in text[2:].split(","))
            continue
        if text.startswith("#"):
            continue
        match = re.match(r"^(msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", text)
        if match:
            keyword, index, literal = match.groups()
            if keyword == "msgid" and current.line:
                finish()
            if keyword == "msgid":
                current.line = number
            target = (keyword, int(index or 0))
            value = ast.literal_eval(literal)
        elif text.startswith('"') and target is not None:
            value = ast.literal_eval(text)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        keyword, index = target
        if keyword == "msgid":
            current.msgid += value
        elif keyword == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        else:
            current.msgstr[index] = current.msgstr.get(index, "") + value
    finish()
    return entries


@pytest.fixture(scope="module")
def header_and_entries() -> tuple[Entry, list[Entry]]:
    entries = _parse_po(PO)
    assert entries and entries[0].msgid == "", "the catalogue must start with its header"
    return entries[0], entries[1:]


def test_it_has_a_chinese_header_with_one_plural_form(header_and_entries: tuple[Entry, list[Entry]]) -> None:
    header = header_and_entries[0].msgstr[0]
    assert "Language: zh_Hans\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header


def test_it_translates_every_msgid(header_and_entries: tuple[Entry, list[Entry]]) -> None:
    _, entries = header_and_entries
    assert len(entries) > 100
    untranslated = [e.msgid for e in entries if not e.msgstr.get(0, "").strip()]
    assert untranslated == []
    extra_plural_forms = [e.msgid for e in entries if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert extra_plural_forms == []


def test_it_has_no_fuzzy_entries(header_and_entries: tuple[Entry, list[Entry]]) -> None:
    header, entries = header_and_entries
    fuzzy = [e.msgid or "<header>" for e in [header, *entries] if "fuzzy" in e.flags]
    assert fuzzy == []


def test_it_keeps_every_placeholder(header_and_entries: tuple[Entry, list[Entry]]) -> None:
    placeholder = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")
    _, entries = header_and_entries
    broken = [
        e.msgid
        for e in entries
        if sorted(placeholder.findall(e.msgid)) != sorted(placeholder.findall(e.msgstr.get(0, "")))
    ]
    assert broken == []


def test_it_has_a_compiled_catalogue_matching_the_po(header_and_entries: tuple[Entry, list[Entry]]) -> None:
    _, entries = header_and_entries
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        got = compiled.gettext(e.msgid) if e.msgid_plural is None else compiled.ngettext(e.msgid, e.msgid_plural, 2)
        if got != e.msgstr[0]:
            stale.append(e.msgid)
    assert stale == [], "the .mo is out of date: run compilemessages -l zh_Hans"
    catalog = compiled._catalog  # type: ignore[attr-defined]
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}
    assert compiled_ids == {e.msgid for e in entries}, "the .mo holds messages the .po does not"


def test_it_shows_the_login_page_in_chinese_by_default(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page
    assert '<html lang="zh-CN">' in page
    assert "Sign in" not in page


def test_it_shows_the_login_page_in_english_when_chosen(client: Client, db: None) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in" in page
    assert "登录" not in page
    assert '<html lang="en">' in page
