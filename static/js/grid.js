// Schnellerfassung (measure_grid.html). A row differs from what the page showed when one of
// its fields differs from the hidden "initial-…" input of that field (the texts from empty),
// the same comparison the server makes; such a row is marked "ungespeichert", and leaving
// the page with one asks first. A row's answer from the server refers to what was sent:
// once the row is edited again it is out of date (and while the browser's own check of a
// field blocks sending, no new answer would replace it), so it goes.
(function () {
  "use strict";

  var leaving = false;

  function fields(row) {
    return row.querySelectorAll("select, textarea, input:not([type=hidden])");
  }

  function shown(field) {
    var initial = field.form && field.form.elements.namedItem("initial-" + field.name);
    return initial ? initial.value : "";
  }

  function isUnsaved(row) {
    return Array.prototype.some.call(fields(row), function (field) {
      return field.value.trim() !== shown(field).trim();
    });
  }

  function mark(row) {
    var unsaved = isUnsaved(row);
    row.classList.toggle("portal-grid__row--unsaved", unsaved);
    var marker = row.querySelector("[data-grid-unsaved]");
    if (marker) {
      marker.hidden = !unsaved;
    }
  }

  function forgetAnswer(row) {
    var message = row.querySelector("[data-grid-message]");
    if (message && message.textContent.trim() !== "") {
      message.replaceChildren();
    }
    row.querySelectorAll(".portal-grid__error").forEach(function (error) {
      error.remove();
    });
    row.querySelectorAll(".kern-form-input--error").forEach(function (box) {
      box.classList.remove("kern-form-input--error");
    });
    row.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.classList.remove("kern-form-input__input--error", "kern-form-input__select--error");
      var described = (field.getAttribute("aria-describedby") || "")
        .split(" ")
        .filter(function (id) {
          return id && id !== field.id + "-error";
        });
      if (described.length) {
        field.setAttribute("aria-describedby", described.join(" "));
      } else {
        field.removeAttribute("aria-describedby");
      }
    });
  }

  function edited(event) {
    var row = event.target.closest && event.target.closest("[data-grid-row]");
    if (!row) {
      return;
    }
    forgetAnswer(row);
    mark(row);
  }

  function markAll() {
    leaving = false;
    document.querySelectorAll("[data-grid-row]").forEach(mark);
  }

  document.addEventListener("input", edited);
  document.addEventListener("change", edited);
  // Also after the browser restored typed values (back button, reload).
  window.addEventListener("pageshow", markAll);

  // A form sent without htmx leaves the page on purpose; htmx cancels the event.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-grid]") && !event.defaultPrevented) {
      leaving = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving) {
      return;
    }
    var rows = document.querySelectorAll("[data-grid-row]");
    if (Array.prototype.some.call(rows, isUnsaved)) {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = "";
    }
  });
})();
