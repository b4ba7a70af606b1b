// Copy buttons on source blocks: copy exactly the code (no line numbers, no
// prompt, no output). No framework; progressive enhancement only.
(function () {
  function codeText(block) {
    var lines = block.querySelectorAll("pre > code > .line");
    if (!lines.length) { return block.querySelector("pre").innerText; }
    return Array.prototype.map.call(lines, function (line) {
      var copy = line.cloneNode(true);
      copy.querySelectorAll(".ln").forEach(function (n) { n.remove(); });
      return copy.textContent;
    }).join("\n") + "\n";
  }
  document.querySelectorAll(".highlight.source").forEach(function (block) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to clipboard");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(codeText(block)).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
    block.insertBefore(button, block.firstChild);
  });
})();
