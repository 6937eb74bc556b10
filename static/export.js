// The export's progress page: reads the page again every second and swaps in its
// progress section, until the export is finished (without JavaScript, a meta refresh
// reloads the whole page instead).
(function () {
  "use strict";
  var INTERVAL_MS = 1000;

  function poll(section) {
    var url = section.dataset.poll;
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html")
            .getElementById("export-progress");
          if (!fresh) { return; }
          section.replaceWith(fresh);
          if (fresh.dataset.poll) { poll(fresh); }
        })
        .catch(function () { poll(section); });
    }, INTERVAL_MS);
  }

  var section = document.getElementById("export-progress");
  if (section && section.dataset.poll) { poll(section); }
})();
