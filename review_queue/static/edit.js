// The rich-text body editor (Squire): edits the sanitized HTML so tables, images and attachment
// links survive; the HTML source field (what the form sends, and the editor without this script)
// is hidden once the editor is up and filled from it on submit. No inline script (CSP).
(function () {
  "use strict";
  var root = document.getElementById("editor");
  var source = document.getElementById("html-source");
  if (!root || !source || !window.Squire) { return; }
  var editor = new window.Squire(root, {
    blockTag: "P",
    // the server cleans with the portal's allow-list on save; here pasted HTML is only parsed,
    // inert, in a template element (no scripts run, no resources load)
    sanitizeToDOMFragment: function (html) {
      var t = document.createElement("template");
      t.innerHTML = html;
      t.content.querySelectorAll("script, style, iframe, object, embed").forEach(function (n) { n.remove(); });
      return document.importNode(t.content, true);
    }
  });
  editor.setHTML(source.value);
  document.getElementById("rich").hidden = false;
  document.getElementById("source").hidden = true;
  document.getElementById("toolbar").addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-cmd]");
    if (b) { editor[b.dataset.cmd](); editor.focus(); }
  });
  root.closest("form").addEventListener("submit", function () { source.value = editor.getHTML(); });
  window.huijuEditor = editor;  // for the browser tests
}());
