// Arrow keys turn pages; in a right-to-left comic the left arrow goes forward.
(function () {
  var rtl = document.documentElement.dir === "rtl";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var forward = rtl ? "ArrowLeft" : "ArrowRight";
    var back = rtl ? "ArrowRight" : "ArrowLeft";
    var rel = event.key === forward ? "next" : event.key === back ? "prev" : null;
    if (!rel) return;
    var link = document.querySelector('link[rel="' + rel + '"]');
    if (link) { window.location.href = link.getAttribute("href"); }
  });
})();
