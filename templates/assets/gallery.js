// Character gallery: search by name (case and accents ignored) and pages of 20, in the
// browser, with the data already in the page so it works from file:// too.
// characters/index.html?q=lin opens the gallery searched (a link can share a search).
(function () {
  var PAGE = 20;
  var cards = Array.prototype.slice.call(document.querySelectorAll("#gallery .character-card"));
  var list = document.getElementById("gallery");
  cards.sort(function (a, b) {  // "Guard 2" before "Guard 10"
    return a.getAttribute("data-name").localeCompare(b.getAttribute("data-name"), undefined,
                                                     {numeric: true, sensitivity: "base"});
  });
  cards.forEach(function (card) { list.appendChild(card); });
  var input = document.getElementById("character-search");
  var count = document.getElementById("character-count");
  var pager = document.getElementById("gallery-pager");
  var label = document.getElementById("gallery-page");
  var page = 0;
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function render() {
    var query = fold(input.value.trim());
    var shown = cards.filter(function (card) {
      return fold(card.getAttribute("data-name")).indexOf(query) !== -1;
    });
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1);
    cards.forEach(function (card) { card.hidden = true; });
    shown.slice(page * PAGE, page * PAGE + PAGE).forEach(function (card) { card.hidden = false; });
    count.textContent = count.getAttribute("data-template").replace("{n}", shown.length).replace("{total}", cards.length);
    pager.hidden = pages < 2;
    label.textContent = label.getAttribute("data-template").replace("{n}", page + 1).replace("{total}", pages);
  }
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) input.value = asked;
  input.addEventListener("input", function () { page = 0; render(); });
  pager.addEventListener("click", function (event) {
    var step = event.target.getAttribute("data-step");
    if (step) { page += parseInt(step, 10); if (page < 0) page = 0; render(); }
  });
  render();
})();
