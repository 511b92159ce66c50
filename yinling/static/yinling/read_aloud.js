// Read aloud (issue #11; DOMAIN.md's elder rules): a button.yl-speak reads the text of the element named by its
// data-speak-for with the browser's speech synthesis, in the page's language (a zh-CN voice on Chinese pages).
// A second press stops it. The buttons are `hidden` in the HTML and shown here only where the browser can speak,
// so without JavaScript or speech the page is the same minus the button. Used by core/_read_aloud.html and the
// inbox; a static file, since the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  if (window.ylReadAloud) { return; }  // included more than once on a page
  var canSpeak = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
  var current = null;  // {button, utterance} while speaking

  function label(button, speaking) {
    var words = button.getAttribute(speaking ? "data-stop-label" : "data-speak-label");
    if (words) { button.querySelector(".yl-speak-label").textContent = words; }
    button.setAttribute("aria-pressed", speaking ? "true" : "false");
  }

  function stop() {
    if (!current) { return; }
    var button = current.button;
    current = null;
    window.speechSynthesis.cancel();
    label(button, false);
  }

  // The words to say: the element's rendered text, one line a pause (a dt and its dd, a paragraph).
  function words(target) {
    return (target.innerText || target.textContent || "").split(/\n+/)
      .map(function (line) { return line.trim(); }).filter(Boolean).join("\n");
  }

  function voiceFor(lang) {
    var voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
    var wanted = lang.toLowerCase();
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-") === wanted) { return voices[i]; }
    }
    return null;
  }

  function speak(button) {
    var target = document.getElementById(button.getAttribute("data-speak-for"));
    if (!target) { return; }
    var text = words(target);
    if (!text) { return; }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "zh-CN";
    var voice = voiceFor(utterance.lang);
    if (voice) { utterance.voice = voice; }
    var finished = function () {
      if (current && current.utterance === utterance) { var b = current.button; current = null; label(b, false); }
    };
    utterance.onend = finished;
    utterance.onerror = finished;
    current = {button: button, utterance: utterance};
    label(button, true);
    window.speechSynthesis.speak(utterance);
  }

  function show(root) {
    if (!canSpeak) { return; }
    root.querySelectorAll("button.yl-speak[data-speak-for]").forEach(function (button) {
      button.hidden = false;
      if (!button.hasAttribute("aria-pressed")) { button.setAttribute("aria-pressed", "false"); }
    });
  }

  window.ylReadAloud = {stop: stop};
  if (!canSpeak) { return; }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.yl-speak[data-speak-for]") : null;
    if (!button) { return; }
    var again = current && current.button === button;
    stop();
    if (!again) { speak(button); }
  });
  // Leaving the page stops the voice (Chromium would go on reading over the next page).
  window.addEventListener("pagehide", stop);
  document.addEventListener("DOMContentLoaded", function () { show(document); });
  // htmx swaps parts of a page (the inbox after a button): show the new buttons too.
  document.addEventListener("htmx:afterSwap", function () { show(document); });
})();
