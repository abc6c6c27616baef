// The error summary above a form (components/_form_errors.html): after a failed submit it
// takes the focus, so the reader hears how many entries need correcting; its links move
// the focus to the field, with the field's label in view. Without JavaScript the links
// still jump to the field.
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]:not([data-focused])");
    if (!summary) {
      return;
    }
    summary.setAttribute("data-focused", "");
    summary.focus();
  }

  function labelOf(control) {
    var fieldset = control.closest("fieldset");
    if (control.type === "checkbox" && fieldset && fieldset.querySelector("legend")) {
      return fieldset.querySelector("legend");
    }
    return (control.labels && control.labels[0]) || control;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var control = document.getElementById(link.getAttribute("href").slice(1));
    if (!control) {
      return;
    }
    event.preventDefault();
    labelOf(control).scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
  });
  // A form answered by htmx brings its summary with the swapped part.
  document.addEventListener("htmx:afterSettle", function () {
    focusSummary(document);
  });
})();
