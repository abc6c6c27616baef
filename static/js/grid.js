// Schnellerfassung: a row's message from the server refers to what was sent. Once the
// user edits the row again it is out of date (and while the browser's own check of a
// field blocks sending, no new answer would replace it), so it goes.
(function () {
  "use strict";

  function clearRowMessage(event) {
    var row = event.target.closest("[data-grid-row]");
    if (!row) {
      return;
    }
    var status = row.querySelector("[data-grid-status]");
    if (status && status.textContent.trim() !== "") {
      status.replaceChildren();
    }
    row.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
    });
  }

  document.addEventListener("input", clearRowMessage);
  document.addEventListener("change", clearRowMessage);
})();
