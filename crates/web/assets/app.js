// shoumi: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("submit", function (ev) {
  var btn = ev.submitter;
  if (btn && btn.classList.contains("danger")) {
    var msg = document.documentElement.lang === "en" ? "Are you sure?" : "确定要执行此操作吗？";
    if (!window.confirm(msg)) { ev.preventDefault(); }
  }
});
// Print buttons (the report prints with Ctrl+P too; the button only appears with script).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
