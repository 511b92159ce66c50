/* The cockpit's charts (core/views_cockpit.py): each panel's table is already on the page; this draws the
   same figures with ECharts (SVG renderer) from the panel's JSON, adds the table/chart toggle, drills down
   when an org is clicked, and prints. Without JavaScript, or if a panel fails to load, the table stays. */
(function () {
  "use strict";
  if (!window.echarts || !window.fetch) return;

  // Dark enough for 3:1 against white as graphics; every series also gets a pattern (decal) and labels,
  // so colour is never the only cue.
  var COLOURS = ["#1f5fa8", "#b8430c", "#2f7d32", "#7b3fa0", "#8a5a00", "#0f766e"];
  var TEXT = "#212529";
  var SYMBOLS = ["circle", "rect", "triangle", "diamond"];

  function notZero(p) {
    var v = Math.abs(Number(p.value));
    return v ? String(v) : "";
  }

  function base(d) {
    return {
      color: COLOURS,
      animation: false,
      aria: { enabled: true, decal: { show: true } },
      textStyle: { color: TEXT, fontSize: 14 },
      legend: { top: 0, textStyle: { color: TEXT, fontSize: 14 } },
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 24, top: d.series.length > 1 ? 36 : 8, bottom: 8, containLabel: true },
    };
  }

  function bars(d, stacked) {
    var opt = base(d);
    opt.yAxis = { type: "category", data: d.categories, inverse: true, axisLabel: { color: TEXT } };
    opt.xAxis = { type: "value", axisLabel: { color: TEXT } };
    opt.series = d.series.map(function (s) {
      return {
        type: "bar", name: s.name, data: s.values, stack: stacked ? "total" : undefined,
        label: { show: true, position: stacked ? "inside" : "right", formatter: notZero,
                 color: stacked ? "#fff" : TEXT, textBorderColor: stacked ? TEXT : "transparent",
                 textBorderWidth: stacked ? 2 : 0 },
      };
    });
    if (d.series.length === 1) opt.legend.show = false;
    return opt;
  }

  function pyramid(d) {
    var opt = bars(d, true);
    opt.xAxis.axisLabel.formatter = function (v) { return String(Math.abs(v)); };
    opt.tooltip = { trigger: "item", formatter: function (p) { return p.seriesName + " " + p.name + ": " + Math.abs(p.value); } };
    // The first series (men) to the left of the axis, the second (women) to the right.
    opt.series.forEach(function (s, i) {
      if (i === 0) s.data = s.data.map(function (v) { return -v; });
    });
    return opt;
  }

  function line(d) {
    var opt = base(d);
    opt.tooltip = { trigger: "axis" };
    opt.xAxis = { type: "category", data: d.categories, axisLabel: { color: TEXT } };
    opt.yAxis = { type: "value", axisLabel: { color: TEXT } };
    opt.series = d.series.map(function (s, i) {
      return {
        type: "line", name: s.name, data: s.values, symbol: SYMBOLS[i % SYMBOLS.length], symbolSize: 9,
        lineStyle: { width: 3, type: i % 2 ? "dashed" : "solid" },
        label: { show: true, formatter: notZero, color: TEXT },
      };
    });
    return opt;
  }

  function pie(d) {
    var opt = base(d);
    var s = d.series[0];
    opt.legend.show = false;
    opt.series = [{
      type: "pie", name: s.name, radius: ["35%", "65%"],
      data: d.categories.map(function (c, i) { return { name: c, value: s.values[i] }; })
        .filter(function (item) { return item.value; }),
      label: { show: true, color: TEXT, formatter: "{b}: {c} ({d}%)" },
    }];
    return opt;
  }

  function option(kind, d) {
    if (kind === "line") return line(d);
    if (kind === "pie") return pie(d);
    if (kind === "pyramid") return pyramid(d);
    return bars(d, kind === "stacked");
  }

  function height(kind, d) {
    if (kind === "line" || kind === "pie") return 320;
    return Math.max(220, d.categories.length * 36 + 70);
  }

  // Returns a promise, so the panels load one after another: a few quick requests in a row rather than a
  // burst that competes with the page's other work on a busy server.
  function draw(panel) {
    var box = panel.querySelector(".cockpit-chart");
    var table = panel.querySelector(".cockpit-table");
    var toggle = panel.querySelector(".cockpit-toggle");
    var kind = panel.getAttribute("data-kind");
    return fetch(panel.getAttribute("data-panel-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) {
        box.hidden = false;
        box.style.height = height(kind, d) + "px";
        var chart = window.echarts.init(box, null, { renderer: "svg" });
        chart.setOption(option(kind, d));
        chart.on("click", function (p) {
          var url = d.drill_urls && d.drill_urls[p.dataIndex];
          if (url) window.location.assign(url);
        });
        window.addEventListener("resize", function () { chart.resize(); });
        // The table stays for screen readers (visually hidden) while the chart shows.
        // A wide table scrolls, so it takes keyboard focus while shown, and none while hidden.
        table.classList.add("visually-hidden");
        table.removeAttribute("tabindex");
        toggle.hidden = false;
        toggle.addEventListener("click", function () {
          var showTable = table.classList.contains("visually-hidden");
          table.classList.toggle("visually-hidden", !showTable);
          if (showTable) table.setAttribute("tabindex", "0"); else table.removeAttribute("tabindex");
          box.hidden = showTable;
          toggle.setAttribute("aria-pressed", showTable ? "true" : "false");
          toggle.textContent = toggle.getAttribute(showTable ? "data-show-chart" : "data-show-table");
          if (!showTable) chart.resize();
        });
        panel.setAttribute("data-drawn", "1");
      })
      .catch(function () { panel.setAttribute("data-drawn", "0"); });
  }

  var queue = Promise.resolve();
  document.querySelectorAll(".cockpit-panel[data-panel-url]").forEach(function (panel) {
    queue = queue.then(function () { return draw(panel); });
  });
  document.querySelectorAll(".cockpit-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
