// The table of contents of a long post: open beside the text where the screen is wide
// enough to hold it there (the stylesheet's breakpoint), closed on narrow screens until
// the reader opens it; a chosen entry closes it again there.
(function () {
  "use strict";
  var details = document.querySelector(".toc-details");
  if (!details) { return; }
  var wide = window.matchMedia("(min-width: 75rem)");
  function follow() { details.open = wide.matches; }
  follow();
  wide.addEventListener("change", follow);
  details.addEventListener("click", function (event) {
    if (!wide.matches && event.target.closest("a")) { details.open = false; }
  });
})();
