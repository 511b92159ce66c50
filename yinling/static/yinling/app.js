// Yinling front-end glue. Kept in a static file: the Content-Security-Policy forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first invalid field after a failed submit, so keyboard users land on it.
  var invalid = document.querySelector(".is-invalid");
  if (invalid) { invalid.focus(); }
});

// Search pickers (core/widgets.py): an ARIA combobox whose listbox the field's lookup URL fills.
// The server renders the options (scoped, masked); this only fetches them and handles choosing.
(function () {
  "use strict";
  var DELAY = 250;

  function setup(root) {
    var box = root.querySelector("[role='combobox']");
    var key = root.querySelector("[data-picker-key]");
    var list = root.querySelector("[role='listbox']");
    var status = root.querySelector("[data-picker-status]");
    var url = root.getAttribute("data-lookup");
    if (!box || !key || !list || !url) { return; }
    // With this script the box only searches and the hidden key carries the choice; the box's text
    // is sent only when nothing was chosen (the server then takes the one match, or says why not).
    var textName = box.getAttribute("name");
    box.removeAttribute("name");
    var timer = null;
    var controller = null;
    var active = -1;

    function options() { return Array.prototype.slice.call(list.querySelectorAll("[role='option']")); }

    function setActive(index) {
      var opts = options();
      active = index;
      opts.forEach(function (opt, n) {
        opt.setAttribute("aria-selected", n === index ? "true" : "false");
        opt.classList.toggle("active", n === index);
      });
      if (index >= 0 && opts[index]) {
        box.setAttribute("aria-activedescendant", opts[index].id);
        opts[index].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function show(open) {
      list.hidden = !open;
      box.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { setActive(-1); }
    }

    function choose(opt) {
      key.value = opt.getAttribute("data-value");
      box.value = opt.getAttribute("data-label");
      show(false);
      status.textContent = box.value;
      key.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var text = box.value.trim();
      if (controller) { controller.abort(); }
      if (!text) { list.innerHTML = ""; show(false); status.textContent = ""; return; }
      controller = new AbortController();
      var sep = url.indexOf("?") >= 0 ? "&" : "?";
      fetch(url + sep + "q=" + encodeURIComponent(text), { credentials: "same-origin", signal: controller.signal })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          list.innerHTML = html;  // server-rendered and escaped by Django's templates
          options().forEach(function (opt, n) { opt.id = list.id + "-" + n; });
          var note = list.querySelector("[data-picker-note]");
          status.textContent = note ? note.textContent : "";
          show(true);
          setActive(-1);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") { show(false); status.textContent = root.getAttribute("data-error") || ""; }
        });
    }

    box.addEventListener("input", function () {
      key.value = "";  // typed: nothing is chosen until an option is
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });
    box.addEventListener("keydown", function (event) {
      var opts = options();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        setActive(Math.min(active + 1, opts.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) { setActive(Math.max(active - 1, 0)); }
      } else if (event.key === "Enter") {
        if (!list.hidden && (active >= 0 || opts.length === 1)) {
          event.preventDefault();  // choose, do not submit the form yet
          choose(opts[active >= 0 ? active : 0]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); show(false); }
      }
    });
    box.addEventListener("blur", function () { show(false); });
    // Keep the focus in the box while an option is pressed, so blur does not close the list first.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var opt = event.target.closest("[role='option']");
      if (opt) { choose(opt); }
    });
    if (box.form) {
      box.form.addEventListener("submit", function () {
        if (!key.value && box.value.trim() && textName) { box.setAttribute("name", textName); }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), setup);
  });
})();

// The staff sidebar collapses to icons; the choice is kept in this browser (localStorage).
(function () {
  var KEY = "yl-nav-collapsed";
  function apply(collapsed) {
    document.body.classList.toggle("yl-nav-collapsed", collapsed);
    document.querySelectorAll("[data-yl-sidebar-toggle]").forEach(function (b) {
      b.setAttribute("aria-expanded", collapsed ? "false" : "true");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var stored = null;
    try { stored = window.localStorage.getItem(KEY); } catch (e) { /* private mode: not kept */ }
    apply(stored === "1");
    document.querySelectorAll("[data-yl-sidebar-toggle]").forEach(function (b) {
      b.addEventListener("click", function () {
        var collapsed = !document.body.classList.contains("yl-nav-collapsed");
        apply(collapsed);
        try { window.localStorage.setItem(KEY, collapsed ? "1" : "0"); } catch (e) { /* not kept */ }
      });
    });
  });
})();

// Quick search: "/" focuses the box from anywhere but a field; Escape closes its results.
(function () {
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("yl-q");
    if (!box) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape" && target === box) {
      var results = document.getElementById("yl-quick-results");
      if (results) results.innerHTML = "";
    }
  });
})();

// The user menu (a <details>): Escape closes it and gives the focus back to its button; so does a click outside.
(function () {
  document.addEventListener("keydown", function (event) {
    var menu = document.getElementById("yl-usermenu");
    if (event.key === "Escape" && menu && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    var menu = document.getElementById("yl-usermenu");
    if (menu && menu.open && !menu.contains(event.target)) { menu.open = false; }
  });
})();
