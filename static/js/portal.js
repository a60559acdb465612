/* 民声 Minsheng — progressive enhancement only; every page works without JavaScript.
 * Loaded from <head> (not deferred) so the "no-js" class is gone before the first paint.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // A form came back with errors: move focus to the summary so it is read out first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
