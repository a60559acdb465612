/* 民声 Minsheng — the suggestion form: while a citizen types a title, up to five similar published
 * suggestions of the same campaign are offered (suggestions:similar), so that duplicates are
 * avoided. Progressive enhancement only: without JavaScript the form works, with no hints.
 * The hints go into an aria-live region, so screen readers announce them; links open in a new
 * tab, so the text being typed is never lost.
 */
(function () {
  "use strict";

  var DELAY = 400; // milliseconds of quiet typing before asking
  var MIN_LENGTH = 2;

  function render(region, results) {
    region.textContent = "";
    if (!results.length) {
      return;
    }
    var heading = document.createElement("p");
    heading.className = "mb-0 fw-semibold";
    heading.textContent = region.getAttribute("data-heading");
    region.appendChild(heading);
    var list = document.createElement("ul");
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = result.title;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + region.getAttribute("data-new-tab");
      link.appendChild(hidden);
      item.appendChild(link);
      var meta = [];
      if (result.number) {
        meta.push(result.number);
      }
      if (result.answer) {
        meta.push(result.answer);
      }
      if (result.followers) {
        meta.push(region.getAttribute("data-followers").replace("{count}", String(result.followers)));
      }
      if (meta.length) {
        var details = document.createElement("span");
        details.className = "similar-meta d-block";
        details.textContent = meta.join(" · ");
        item.appendChild(details);
      }
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function watch(input) {
    var region = document.getElementById("similar-suggestions");
    var url = input.getAttribute("data-similar-url");
    if (!region || !url || !window.fetch) {
      return;
    }
    var timer = null;
    var asked = "";
    var latest = 0;

    function ask() {
      var title = input.value.trim();
      if (title === asked) {
        return;
      }
      asked = title;
      if (title.length < MIN_LENGTH) {
        render(region, []);
        return;
      }
      var mine = ++latest;
      fetch(url + "?" + new URLSearchParams({ title: title.slice(0, 100) }).toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (mine === latest) {
            render(region, data.results || []);
          }
        })
        .catch(function () {
          /* No hints this time: the form itself is unaffected. */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    if (input.value.trim()) {
      ask(); // a form returned with errors: offer the hints for the title already typed
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-similar-url]").forEach(watch);
  });
})();
