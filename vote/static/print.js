// The invitations page's print button (kept out of the page so the CSP can forbid inline code).
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
