/* Site-wide behaviour that Material's markup lacks: the "Copied to clipboard" dialog is
 * announced to screen readers (Material writes the message into it without a live region). */
(function () {
  "use strict";
  var dialog = document.querySelector(".md-dialog");
  if (dialog) {
    dialog.setAttribute("role", "status");
    dialog.setAttribute("aria-live", "polite");
  }
})();
