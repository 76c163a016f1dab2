// Keyboard review for the queue (j/k move, a approve, r reject, e edit, o open, x select,
// u undo the last approval) and the item page (a approve, r reject, e edit, u undo the approval).
// No framework, no inline script (CSP); the reason prompt's words come from the page's language.
(function () {
  "use strict";
  function typing(ev) {
    var t = ev.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.unit"));
  var current = 0;
  function show(i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("current", n === current); });
    rows[current].scrollIntoView({ block: "nearest" });
  }
  function click(sel) {
    var el = rows.length ? rows[current].querySelector(sel) : null;
    if (el) { el.click(); }
  }
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input.pick").forEach(function (c) { c.checked = all.checked; });
    });
  }
  // keep the reviewer's place across the page reload that follows each action
  var KEY = "huiju-review-row";
  var saved = parseInt(window.sessionStorage.getItem(KEY) || "0", 10);
  show(isNaN(saved) ? 0 : saved);
  var form = document.getElementById("queue-form");
  if (form) {
    form.addEventListener("submit", function () { window.sessionStorage.setItem(KEY, String(current)); });
  }
  document.addEventListener("keydown", function (ev) {
    if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var reason;
    var prompt = document.body.dataset.reasonPrompt || "";
    if (ev.key === "u") {  // also when the approval just made emptied the queue
      var undo = document.querySelector("#undoable button.undo, #undo-form button.undo");
      if (undo) { undo.click(); ev.preventDefault(); }
      return;
    }
    if (rows.length) {
      switch (ev.key) {
        case "j": show(current + 1); break;
        case "k": show(current - 1); break;
        case "x": click("input.pick"); break;
        case "a": click("button.approve"); break;
        case "r":
          reason = window.prompt(prompt, "");
          if (reason === null) { return; }
          document.getElementById("reason").value = reason;
          click("button.reject");
          break;
        case "e": window.location = rows[current].dataset.edit; break;
        case "o": case "Enter": window.location = rows[current].dataset.open; break;
        default: return;
      }
      ev.preventDefault();
      return;
    }
    var approve = document.querySelector("#approve-form button.approve");
    var reject = document.querySelector("#reject-form");
    var edit = document.getElementById("edit-link");
    if (ev.key === "a" && approve) { approve.click(); }
    else if (ev.key === "r" && reject) {
      reason = window.prompt(prompt, "");
      if (reason === null) { return; }
      reject.querySelector("input[name=reason]").value = reason;
      reject.querySelector("button").click();
    } else if (ev.key === "e" && edit) { window.location = edit.href; }
    else { return; }
    ev.preventDefault();
  });
}());
