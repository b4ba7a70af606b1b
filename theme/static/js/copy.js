// Copy buttons on source blocks and on terminals with a command: copy exactly the code
// or the command as written (no line numbers, no prompt, no output); code that scrolls
// sideways says so. No framework; progressive enhancement only.
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

  function copyButton(name, text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + name);
    button.addEventListener("click", function () {
      writeClipboard(text()).then(function () {
        button.textContent = "Copied";
        status.textContent = "Copied " + name + " to the clipboard";
      }, function () {
        button.textContent = "Copy failed";
      }).then(function () {
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
    return button;
  }

  // The bar the page reserved above a block (render.py), or a new one.
  function codeBar(block, label) {
    var bar = block.querySelector(":scope > .code-bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "code-bar";
      bar.dataset.label = label;
      block.insertBefore(bar, block.firstChild);
    }
    return bar;
  }

  document.querySelectorAll(".highlight.source").forEach(function (block, index) {
    var figure = block.closest("figure.sample");
    var caption = figure && figure.querySelector("figcaption.sample-caption");
    var name = caption ? caption.textContent.trim() : (block.dataset.lang || "code") + " block";
    var button = copyButton(name, function () { return codeText(block); });
    // The button sits in a bar above the code (in the caption for included
    // files), so it never covers a line, on a phone included.
    if (caption && figure.querySelector(".highlight.source") === block) {
      caption.appendChild(button);
    } else {
      codeBar(block, block.dataset.lang || "").appendChild(button);
    }
    block.dataset.copyIndex = String(index);
  });

  // Terminals: the command as the post wrote it (the wrapping on screen is only drawn).
  document.querySelectorAll(".terminal").forEach(function (terminal) {
    var commands = terminal.querySelectorAll(":scope > pre .command");
    if (!commands.length) { return; }
    var button = copyButton("the command", function () {
      return Array.prototype.map.call(commands, function (c) { return c.textContent; }).join("\n") + "\n";
    });
    codeBar(terminal, "shell").appendChild(button);
  });

  // A source block that overflows by a few characters (it fits at FIT_FLOOR of its size
  // or more) is set that much smaller; one that still scrolls sideways is marked, gets a
  // visible cue, and is reachable by keyboard.
  var FIT_FLOOR = 0.85;
  function fitFewCharacters(pre) {
    pre.style.fontSize = "";
    if (pre.scrollWidth - pre.clientWidth <= 1) { return; }
    var padding = parseFloat(getComputedStyle(pre).paddingLeft) + parseFloat(getComputedStyle(pre).paddingRight);
    var ratio = (pre.clientWidth - padding) / (pre.scrollWidth - padding);
    if (ratio >= FIT_FLOOR) {
      pre.style.fontSize = (Math.floor(parseFloat(getComputedStyle(pre).fontSize) * ratio * 10) / 10) + "px";
    }
  }

  // The bar above a source block: its own, or the caption of the file it shows.
  function barOf(block) {
    var figure = block.closest("figure.sample");
    var caption = figure && figure.querySelector("figcaption.sample-caption");
    if (caption && figure.querySelector(".highlight.source") === block) { return caption; }
    return block.querySelector(":scope > .code-bar");
  }

  function showScrollCue(block, scrolls) {
    var bar = barOf(block);
    if (!bar) { return; }
    var cue = bar.querySelector(".scroll-cue");
    if (!cue && scrolls) {
      cue = document.createElement("span");
      cue.className = "scroll-cue";
      cue.textContent = "scrolls sideways";
      bar.insertBefore(cue, bar.querySelector(".copy"));
    }
    if (cue) { cue.hidden = !scrolls; }
  }

  function markScrollable() {
    document.querySelectorAll(".highlight.source pre").forEach(fitFewCharacters);
    document.querySelectorAll(".highlight pre, .terminal pre, .terminal .output[data-scroll]").forEach(function (pre) {
      var block = pre.closest(".highlight, .terminal");
      var scrolls = pre.scrollWidth > pre.clientWidth + 1;
      if (scrolls) {
        pre.setAttribute("tabindex", "0");
      } else {
        pre.removeAttribute("tabindex");
      }
      if (block.classList.contains("highlight")) {
        block.classList.toggle("scrolls", scrolls);
        showScrollCue(block, scrolls);
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
