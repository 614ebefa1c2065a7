// Arrow keys and swipes turn pages; in a right-to-left comic the left arrow goes forward.
(function () {
  // The reading direction is data-reading, not dir: text runs its own way in either.
  var rtl = document.documentElement.getAttribute("data-reading") === "rtl";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var forward = rtl ? "ArrowLeft" : "ArrowRight";
    var back = rtl ? "ArrowRight" : "ArrowLeft";
    var rel = event.key === forward ? "next" : event.key === back ? "prev" : null;
    if (!rel) return;
    go(rel);
  });
  function go(rel) {
    var link = document.querySelector('link[rel="' + rel + '"]');
    if (link) { window.location.href = link.getAttribute("href"); }
  }
  // On a phone, a swipe across the page turns it (the way the pages run).
  var start = null;
  document.addEventListener("touchstart", function (event) {
    start = event.touches.length === 1 ? [event.touches[0].clientX, event.touches[0].clientY] : null;
  }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (!start || event.changedTouches.length !== 1 || window.visualViewport && window.visualViewport.scale > 1.01) return;
    var dx = event.changedTouches[0].clientX - start[0];
    var dy = event.changedTouches[0].clientY - start[1];
    start = null;
    if (Math.abs(dx) < 80 || Math.abs(dy) > Math.abs(dx) / 2) return;
    go((dx < 0) !== rtl ? "next" : "prev");
  }, { passive: true });
})();
