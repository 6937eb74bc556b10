// Copy buttons: <button data-copy="ID"> copies the value of the field with that id and
// says so in the .copy-status next to it. Scripts are files (the CSP forbids inline ones).
(function () {
  "use strict";

  function copy(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    function done(message) { if (status) status.textContent = message; }
    function fallback() {
      source.focus();
      source.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      done(ok ? "Copied to the clipboard." : "Press Ctrl+C (or ⌘C) to copy the selected text.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(
        function () { done("Copied to the clipboard."); },
        fallback
      );
    } else {
      fallback();
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
})();
