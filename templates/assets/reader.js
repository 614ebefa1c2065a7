// The reader: arrow keys and swipes turn pages, and guided view reads the page panel by
// panel. Plain script, no framework, so the site works from file:// and any static host.
//
// Guided view zooms the page so that one panel fills the screen, then moves to the next
// in reading order (the order of the panels in the page: a right-to-left comic lays them
// out mirrored already). The legibility rule: balloon text is never drawn smaller than
// the site's body text. When a whole panel cannot fill the screen at that size (a phone),
// guided view steps from balloon to balloon within the panel at that size instead.
(function () {
  "use strict";
  var root = document.documentElement;
  // The reading direction is data-reading, not dir: text runs its own way in either.
  var rtl = root.getAttribute("data-reading") === "rtl";
  var page = document.querySelector(".comic-page");
  var toggle = document.querySelector(".guided-toggle");
  var status = document.querySelector(".guided-status");
  var KEY = "panelwright-guided";
  var panels = page ? [].slice.call(page.querySelectorAll(".panel")) : [];
  var views = [];  // what guided view shows, in order: {panel, x, y, w, h, scale} in page px
  var at = 0;
  var guided = false;

  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* storage off */ }
  }
  function remembered() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function go(rel, hash) {
    var link = document.querySelector('link[rel="' + rel + '"]');
    if (link) { window.location.href = link.getAttribute("href") + (hash || ""); return true; }
    return false;
  }

  function bodyPx() { return parseFloat(getComputedStyle(document.body).fontSize) || 16; }

  // Where a panel stands in the page, in page px: on a scroll page (the webtoon scroll)
  // panels stand in strips stacked inside it, so the offsets add up to the page.
  function offsetIn(el) {
    var x = 0, y = 0;
    while (el && el !== page) { x += el.offsetLeft; y += el.offsetTop; el = el.offsetParent; }
    return [x, y];
  }

  // The views of one panel, in page px (the page's own layout, before any zoom).
  function panelViews(panel) {
    var vw = window.innerWidth, vh = window.innerHeight - bar();
    var spot = offsetIn(panel), px = spot[0], py = spot[1], pw = panel.offsetWidth, ph = panel.offsetHeight;
    var fit = Math.min(vw / pw, vh / ph);
    var svg = panel.querySelector("svg.lettering");
    var balloons = svg ? [].slice.call(svg.querySelectorAll(".balloon")) : [];
    if (!balloons.length) return [{panel: panel, x: px, y: py, w: pw, h: ph, scale: fit}];
    var unit = pw / svg.viewBox.baseVal.width;  // page px per lettering unit
    var smallest = Infinity;
    balloons.forEach(function (g) {
      var text = g.querySelector("text");
      if (text) smallest = Math.min(smallest, parseFloat(text.getAttribute("font-size")) * unit);
    });
    var legible = 1.01 * bodyPx() / smallest;  // a hair over: layout px are whole numbers
    if (fit >= legible) return [{panel: panel, x: px, y: py, w: pw, h: ph, scale: fit}];
    // too small on this screen: each balloon in turn, at the legible size, inside its panel
    return balloons.map(function (g) {
      var b = g.getBBox();
      var w = Math.min(vw / legible, pw), h = Math.min(vh / legible, ph);
      var cx = px + (b.x + b.width / 2) * unit, cy = py + (b.y + b.height / 2) * unit;
      var x = Math.max(px, Math.min(cx - w / 2, px + pw - w));
      var y = Math.max(py, Math.min(cy - h / 2, py + ph - h));
      return {panel: panel, x: x, y: y, w: w, h: h, scale: legible};
    });
  }
  function bar() { var b = document.querySelector(".guided-bar"); return guided && b ? b.offsetHeight : 0; }

  function layout() {
    views = [];
    panels.forEach(function (panel) {
      panelViews(panel).forEach(function (v) {
        // two balloons that need the same view (kept inside a small panel) are one step
        var last = views[views.length - 1];
        if (last && last.panel === v.panel && Math.abs(last.x - v.x) < 1 && Math.abs(last.y - v.y) < 1) return;
        views.push(v);
      });
    });
  }

  function show(index) {
    at = Math.max(0, Math.min(index, views.length - 1));
    var v = views[at];
    if (!v) return;
    var vw = window.innerWidth, vh = window.innerHeight - bar();
    var tx = (vw - v.w * v.scale) / 2 - v.x * v.scale;
    var ty = (vh - v.h * v.scale) / 2 - v.y * v.scale;
    page.style.transform = "translate(" + tx + "px, " + ty + "px) scale(" + v.scale + ")";
    panels.forEach(function (p) { p.classList.toggle("current", p === v.panel); });
    var n = panels.indexOf(v.panel) + 1;
    if (status) status.textContent = status.getAttribute("data-template")
      .replace("{n}", n).replace("{total}", panels.length);
  }

  function setGuided(on, start) {
    if (!page) return;
    guided = on;
    root.classList.toggle("guided", on);
    if (toggle) toggle.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      page.style.width = window.innerWidth + "px";  // the page as wide as the screen, zoomed from there
      layout();
      page.style.transition = "none";  // straight to the first view; moves between views glide
      show(start === "last" ? views.length - 1 : typeof start === "number" ? start : 0);
      void page.offsetWidth;
      page.style.transition = "";
    } else {
      page.style.transform = ""; page.style.width = "";
      panels.forEach(function (p) { p.classList.remove("current"); });
      if (status) status.textContent = "";
    }
  }

  function step(delta) {
    if (!guided) return go(delta > 0 ? "next" : "prev");
    var next = at + delta;
    if (next >= views.length) return go("next", "");
    if (next < 0) return go("prev", "#last");
    show(next);
  }

  if (toggle) toggle.addEventListener("click", function () {
    setGuided(!guided); remember(guided);
  });
  var exit = document.querySelector(".guided-exit");
  if (exit) exit.addEventListener("click", function () { setGuided(false); remember(false); });
  [].forEach.call(document.querySelectorAll(".guided-step"), function (button) {
    button.addEventListener("click", function () { step(parseInt(button.getAttribute("data-step"), 10)); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.shiftKey) return;
    if (event.key === "g" || event.key === "G") { setGuided(!guided); remember(guided); return; }
    if (event.key === "Escape" && guided) { setGuided(false); remember(false); return; }
    var forward = rtl ? "ArrowLeft" : "ArrowRight";
    var back = rtl ? "ArrowRight" : "ArrowLeft";
    if (event.key === forward || (guided && (event.key === "ArrowDown" || event.key === " "))) {
      event.preventDefault(); step(1);
    } else if (event.key === back || (guided && event.key === "ArrowUp")) {
      event.preventDefault(); step(-1);
    }
  });

  // Double click (a mouse) or double tap (a phone) on a panel: guided view, from that panel.
  function fromPanel(panel) {
    if (guided) { setGuided(false); remember(false); return; }
    setGuided(true); remember(true);
    for (var i = 0; i < views.length; i++) if (views[i].panel === panel) { show(i); break; }
  }
  panels.forEach(function (panel) {
    panel.addEventListener("dblclick", function (event) { event.preventDefault(); fromPanel(panel); });
  });

  // On a phone, a swipe the way the pages run steps a panel in guided view, else turns the page.
  var start = null, lastTap = null;
  document.addEventListener("touchstart", function (event) {
    start = event.touches.length === 1 ? [event.touches[0].clientX, event.touches[0].clientY] : null;
  }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (!start || event.changedTouches.length !== 1) return;
    if (!guided && window.visualViewport && window.visualViewport.scale > 1.01) return;
    var touch = event.changedTouches[0];
    var dx = touch.clientX - start[0], dy = touch.clientY - start[1];
    start = null;
    if (Math.abs(dx) < 10 && Math.abs(dy) < 10) {  // a tap: two quick ones on a panel toggle guided view
      var panel = touch.target && touch.target.closest ? touch.target.closest(".panel") : null;
      var now = Date.now();
      if (panel && lastTap && lastTap.panel === panel && now - lastTap.time < 350) {
        lastTap = null; event.preventDefault(); fromPanel(panel);
      } else {
        lastTap = {panel: panel, time: now};
      }
      return;
    }
    if (Math.abs(dx) < (guided ? 40 : 80) || Math.abs(dy) > Math.abs(dx) / 2) return;
    step((dx < 0) !== rtl ? 1 : -1);
  }, { passive: false });

  window.addEventListener("resize", function () {
    if (!guided) return;
    var panel = views[at] && views[at].panel;
    page.style.width = window.innerWidth + "px";
    layout();
    for (var i = 0; i < views.length; i++) if (views[i].panel === panel) { show(i); return; }
    show(0);
  });

  // Guided view stays on from page to page; coming back a page starts at its last panel.
  if (page && remembered()) {
    var begin = function () { setGuided(true, window.location.hash === "#last" ? "last" : 0); };
    if (document.readyState === "complete") begin(); else window.addEventListener("load", begin);
  }
})();
