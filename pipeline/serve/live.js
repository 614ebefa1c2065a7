/* Panelwright serve: reload this tab when a build changed the site, keeping the reader's
   place; show the build's problems over the last good site. Served only by
   `panelwright serve`, never written into a built site. One event stream, no polling. */
(function () {
  "use strict";
  var script = document.currentScript;
  var site = (script && script.getAttribute("data-site")) || "";
  var KEY = "panelwright-serve-place";
  var ID = "panelwright-problems";
  var here = location.pathname + location.search;

  function restorePlace() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return; }
    if (!saved || saved.path !== here) return;
    try { sessionStorage.removeItem(KEY); } catch (e) { /* storage off */ }
    // the reload turned the browser's own restoring off (it lands before the images
    // have their sizes); this entry gets it back for the back and forward buttons
    var put = function () {
      window.scrollTo(saved.x, saved.y);
      try { history.scrollRestoration = "auto"; } catch (e) { /* old browser */ }
    };
    put();  // now, and again once the images have their sizes
    if (document.readyState !== "complete") window.addEventListener("load", put);
  }

  function keepPlace() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ path: here, x: window.scrollX,
                                                   y: window.scrollY }));
    } catch (e) { /* storage off: the browser's own restore still helps */ }
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;  // never innerHTML: problems quote the writer's files
    if (css) node.style.cssText = css;
    return node;
  }

  function hideProblems() {
    var old = document.getElementById(ID);
    if (old) old.remove();
  }

  function showProblems(problems) {
    hideProblems();
    var box = el("section", "", "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;"
      + "z-index:2147483647;background:#fff8f6;color:#1b1b1b;border-top:4px solid #b3261e;"
      + "box-shadow:0 -4px 16px rgba(0,0,0,.25);padding:1rem 1.25rem;"
      + "font:15px/1.45 system-ui,sans-serif;text-align:left");
    box.id = ID;
    // its words are English, whatever the comic's: an Arabic or Hebrew page's right-to-left
    // direction would put each file:line after its message
    box.dir = "ltr";
    box.lang = "en";
    box.setAttribute("role", "alert");
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    var head = el("h2", errors + (errors === 1 ? " problem" : " problems")
      + " in the last save; below is the last good build", "margin:0 0 .5rem;font-size:1.05rem;"
      + "color:#b3261e");
    var close = el("button", "Hide", "float:right;margin-left:1rem");
    close.type = "button";
    close.addEventListener("click", hideProblems);
    box.appendChild(close);
    box.appendChild(head);
    var list = el("ul", "", "margin:0;padding:0;list-style:none");
    problems.forEach(function (p) {
      var item = el("li", "", "margin:.5rem 0");
      item.className = "panelwright-problem";
      item.appendChild(el("code", p.location, "font-weight:bold"));
      item.appendChild(el("span", ": " + p.severity + ": " + p.message));
      if (p.hint) item.appendChild(el("div", "hint: " + p.hint, "color:#444;padding-left:1.5rem"));
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }

  restorePlace();
  if (!window.EventSource) return;
  var events = new EventSource("/__panelwright/events");
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.site && state.site !== site) {  // a newer good build: show it (and any
      keepPlace();                             // problems of a later save, once reloaded)
      try { history.scrollRestoration = "manual"; } catch (e) { /* old browser */ }
      events.close();
      location.reload();
    } else if (state.problems && state.problems.length) {
      showProblems(state.problems);
    } else {
      hideProblems();
    }
  };
})();
