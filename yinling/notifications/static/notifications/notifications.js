// The inbox's "read aloud" buttons: the browser's speech synthesis reads the item's text. A static file
// (the Content-Security-Policy forbids inline scripts); the buttons stay hidden where speech is missing.
(function () {
  "use strict";
  function setup(root) {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
    root.querySelectorAll("button.yl-speak[data-speak-for]").forEach(function (button) {
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-speak-for"));
        if (!target) { return; }
        window.speechSynthesis.cancel();
        var spoken = new window.SpeechSynthesisUtterance(target.textContent.trim());
        spoken.lang = document.documentElement.lang || "zh-CN";
        window.speechSynthesis.speak(spoken);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  // htmx swaps the inbox after a button: set up the new items too.
  document.addEventListener("htmx:afterSwap", function () { setup(document); });
})();
