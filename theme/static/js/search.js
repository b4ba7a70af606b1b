// The search page: Pagefind's own UI (self-hosted beside the site), started
// with the words of the header's search box (?q=...).
(function () {
  "use strict";
  if (typeof PagefindUI === "undefined") { return; }
  var ui = new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "Search posts and code" }
  });
  // Pagefind labels its input with a title only; tie it to the page's visible label.
  var input = document.querySelector("#search input");
  var label = document.getElementById("search-label");
  if (input && label) {
    input.id = "search-input";
    input.removeAttribute("title");
    label.htmlFor = input.id;
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();
