// Progressive enhancement only: every page works without this file.
// Marks the page as scripted, so controls that only serve browsers without JavaScript
// (such as "Update the form") can be hidden by the stylesheet.
document.documentElement.classList.add("js");

// A refusal (400, 403, 409, 422) answers an HTMX request with what to show in its place (the
// form with its errors, the row with why): swap it in as a success is, not drop it as an
// error. Registered before the boards' own handlers, which see the decision.
(function () {
  "use strict";
  var REFUSALS = [400, 403, 409, 422];
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (REFUSALS.indexOf(xhr.status) >= 0 && xhr.responseText) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
