"""Read aloud on the text pages a retiree reads (issue #11): core/_read_aloud.html and static/yinling/read_aloud.js.

The browser's speech synthesis is replaced in the page by a stub that records what it is asked to say, so the
tests hear the words without a sound card: a press speaks the text it is for in Chinese (a zh-CN voice), a second
press stops it, the end of the speech resets the button, and without speech synthesis (or JavaScript) there is
no button at all.
"""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts.models import User
from yinling.core.tests.test_url_walk import World, _build
from yinling.testing.personas import make_retiree_account, make_retiree_record

from .conftest import PHONE
from .elder_rules import axe_violations, measure
from .helpers import attach_session, zh
from .test_elder_pages import add_movements

pytestmark = pytest.mark.browser

# A speechSynthesis that records: window.__speech.spoken (text, lang, voice), .cancelled, .current (utterance).
STUB_SPEECH = """(() => {
  const log = {spoken: [], utterances: [], cancelled: 0, current: null};
  window.__speech = log;
  const stub = {
    speaking: false,
    getVoices() { return [{name: 'Samantha', lang: 'en-US'}, {name: 'Tingting', lang: 'zh-CN'}]; },
    speak(u) { log.spoken.push({text: u.text, lang: u.lang, voice: u.voice ? u.voice.name : null});
               log.utterances.push(u); log.current = u; this.speaking = true; },
    cancel() { log.cancelled++; this.speaking = false; },
  };
  Object.defineProperty(window, 'speechSynthesis', {value: stub, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def _world() -> tuple[World, User, Any]:
    """The URL walk's data with the retiree's hours and a service to confirm (returned); and a retiree who has
    not joined the time bank (their /timebank/ is its introduction)."""
    world = _build()
    need = add_movements(world)
    User.objects.filter(pk=world.cast.retiree.pk).update(elder_mode=True)
    newcomer = make_retiree_account(make_retiree_record(world.cast.tree.unit_a, "王桂兰", "13700137000", 7, age=84))
    User.objects.filter(pk=newcomer.pk).update(elder_mode=True)
    return world, newcomer, need


def _speech(page: Any) -> dict[str, Any]:
    return page.evaluate("() => ({spoken: window.__speech.spoken, cancelled: window.__speech.cancelled})")


def test_it_reads_each_text_page_aloud_and_stops_on_a_second_press(new_context: Any, live_server: Any) -> None:
    world, newcomer, need = _world()
    cast = world.cast
    # (who, path, the button's target, words the speech must hold)
    pages = [
        (cast.retiree, "/", "my-record-text", [zh("My record"), cast.retiree_record.name, cast.tree.unit_a.name]),
        (cast.retiree, "/timebank/", "tb-balance-text", [zh("Balance"), "4.00"]),
        (
            cast.retiree,
            "/timebank/statement/",
            "tb-statement-summary",
            [zh("Opening balance"), zh("Closing balance"), cast.retiree_record.name],
        ),
        (cast.retiree, f"/timebank/needs/{need.pk}/confirm/", "tb-confirm-text", [cast.family_record.name]),
        (cast.retiree, "/notifications/", "note-", []),
        (newcomer, "/timebank/", "tb-intro", [zh("Time bank"), "互助池"]),
    ]
    problems: list[str] = []
    contexts: dict[int, Any] = {}
    for user, path, target, words in pages:
        if user.pk not in contexts:
            contexts[user.pk] = new_context(PHONE)
            contexts[user.pk].add_init_script(STUB_SPEECH)
            attach_session(contexts[user.pk], live_server.url, user)
        page = contexts[user.pk].new_page()
        assert page.goto(path).status == 200, path
        button = page.locator(f"button.yl-speak[data-speak-for^='{target}']").first
        assert button.is_visible(), f"{path}: no read-aloud button"
        assert button.get_attribute("aria-pressed") == "false"
        assert button.locator(".yl-speak-label").inner_text() == zh("Read aloud")

        button.click()
        heard = _speech(page)
        assert len(heard["spoken"]) == 1, path
        said = heard["spoken"][0]
        for word in words:
            assert word in said["text"], f"{path}: {word!r} not in {said['text']!r}"
        # What it reads is the target's text as drawn, one line each, and not the button's own words.
        expected = page.evaluate(
            "id => document.getElementById(id).innerText.split(/\\n+/).map(s => s.trim()).filter(Boolean).join('\\n')",
            button.get_attribute("data-speak-for"),
        )
        assert said["text"] == expected and expected, (said["text"], expected)
        assert zh("Read aloud") not in said["text"], f"{path}: the button reads its own label"
        assert said["lang"] == "zh-CN" and said["voice"] == "Tingting", said
        assert button.get_attribute("aria-pressed") == "true"
        assert button.locator(".yl-speak-label").inner_text() == zh("Stop reading")
        page.mouse.move(0, 0)
        page.wait_for_timeout(400)  # the button's colour transition (0.15 s) ends: measure what is seen at rest
        problems += measure(page, f"{path} while speaking") + axe_violations(page, f"{path} while speaking")

        button.click()  # the second press stops
        heard = _speech(page)
        assert len(heard["spoken"]) == 1 and heard["cancelled"] >= 1, heard
        assert button.get_attribute("aria-pressed") == "false"
        assert button.locator(".yl-speak-label").inner_text() == zh("Read aloud")

        button.click()  # a third speaks again; the end of the speech resets the button
        assert len(_speech(page)["spoken"]) == 2
        page.evaluate("() => window.__speech.current.onend()")
        assert button.get_attribute("aria-pressed") == "false"
        page.wait_for_timeout(400)
        problems += measure(page, path) + axe_violations(page, path)
    for context in contexts.values():
        problems += [f"console: {m}" for m in context.console_log.csp_violations()]
    assert not problems, "\n".join(problems)


def test_it_stops_one_reading_when_another_starts(new_context: Any, live_server: Any) -> None:
    from yinling.notifications.services import notify

    world, _newcomer, _need = _world()
    notify(world.cast.retiree, "k", "第二条通知：明天上午有体检。")
    context = new_context(PHONE)
    context.add_init_script(STUB_SPEECH)
    attach_session(context, live_server.url, world.cast.retiree)
    page = context.new_page()
    page.goto("/notifications/")
    first, second = page.locator("button.yl-speak").nth(0), page.locator("button.yl-speak").nth(1)
    first.click()
    second.click()
    heard = _speech(page)
    texts = [page.locator("#" + b.get_attribute("data-speak-for")).inner_text().strip() for b in (first, second)]
    assert texts[0] == "第二条通知：明天上午有体检。"
    assert [s["text"] for s in heard["spoken"]] == texts
    assert heard["cancelled"] >= 1
    assert first.get_attribute("aria-pressed") == "false"
    assert second.get_attribute("aria-pressed") == "true"
    # The first utterance's error event (Chromium fires it after a cancel) leaves the second one's button alone.
    page.evaluate("() => window.__speech.utterances[0].onerror()")
    assert second.get_attribute("aria-pressed") == "true"
    page.evaluate("() => window.__speech.utterances[1].onend()")
    assert second.get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize("without", ["speech", "javascript"])
def test_it_shows_no_button_where_the_browser_cannot_speak(
    browser: Any, new_context: Any, live_server: Any, without: str
) -> None:
    world, _newcomer, _need = _world()
    if without == "speech":
        context = new_context(PHONE)
        context.add_init_script(NO_SPEECH)
    else:
        context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        attach_session(context, live_server.url, world.cast.retiree)
        page = context.new_page()
        for path in ("/", "/timebank/", "/timebank/statement/", "/notifications/"):
            page.goto(path)
            assert page.locator("button.yl-speak").count() >= 1, path  # in the page, hidden
            assert page.locator("button.yl-speak:visible").count() == 0, path
            assert page.locator("main h1").is_visible(), path  # the page is there all the same
    finally:
        if without == "javascript":
            context.close()
