// Copy buttons on source blocks: copy exactly the code (no line numbers, no
// prompt, no output). No framework; progressive enhancement only.
(function () {
  "use strict";

  function codeText(block) {
    var lines = block.querySelectorAll("pre > code > .line");
    if (!lines.length) { return block.querySelector("pre").textContent; }
    return Array.prototype.map.call(lines, function (line) {
      var copy = line.cloneNode(true);
      copy.querySelectorAll(".ln").forEach(function (n) { n.remove(); });
      return copy.textContent;
    }).join("\n") + "\n";
  }

  // Clipboard API where the page is a secure context, else the old selection trick.
  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      (ok ? resolve : reject)();
    });
  }

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  document.querySelectorAll(".highlight.source").forEach(function (block, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    var figure = block.closest("figure.sample");
    var caption = figure && figure.querySelector("figcaption.sample-caption");
    var name = caption ? caption.textContent.trim() : (block.dataset.lang || "code") + " block";
    button.setAttribute("aria-label", "Copy " + name);
    button.addEventListener("click", function () {
      writeClipboard(codeText(block)).then(function () {
        button.textContent = "Copied";
        status.textContent = "Copied " + name + " to the clipboard";
      }, function () {
        button.textContent = "Copy failed";
      }).then(function () {
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
    // The button sits in a bar above the code (in the caption for included
    // files), so it never covers a line, on a phone included.
    if (caption && figure.querySelector(".highlight.source") === block) {
      caption.appendChild(button);
    } else {
      var bar = document.createElement("div");
      bar.className = "code-bar";
      var lang = document.createElement("span");
      lang.className = "code-lang";
      lang.textContent = block.dataset.lang || "";
      bar.appendChild(lang);
      bar.appendChild(button);
      block.insertBefore(bar, block.firstChild);
    }
    block.dataset.copyIndex = String(index);
  });

  // Code that scrolls sideways must be reachable by keyboard.
  function markScrollable() {
    document.querySelectorAll(".highlight pre, .terminal pre").forEach(function (pre) {
      if (pre.scrollWidth > pre.clientWidth + 1) {
        pre.setAttribute("tabindex", "0");
      } else {
        pre.removeAttribute("tabindex");
      }
    });
  }
  markScrollable();
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrollable, 150);
  });
})();
