// Post pages: a live character count against the channel's limit (copy buttons: copy.js).
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form && form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function showCount(meter, count, limit) {
    meter.querySelector(".count-value").textContent = count.toLocaleString("en");
    var note = meter.querySelector(".count-note");
    var over = limit && count > limit;
    meter.classList.toggle("over-limit", Boolean(over));
    note.textContent = over ? "— " + (count - limit).toLocaleString("en") + " over the limit" : "";
  }

  // The server counts what the channel receives (the plain text, links kept), so the
  // editor asks it rather than guessing from the Markdown.
  function watch(textarea) {
    var form = textarea.form;
    var meter = form && form.querySelector(".character-count");
    if (!meter) return;
    var timer = null;
    var channelField = form.querySelector('[name="channel"]');
    function refresh() {
      var body = new FormData();
      body.append("body", textarea.value);
      body.append("channel", channelField ? channelField.value : "");
      body.append("csrf_token", csrfToken(form));
      fetch(meter.dataset.preview || "/posts/preview", {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form) },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data) showCount(meter, data.characters, data.limit);
        })
        .catch(function () { /* the count is a help; the server checks on sending */ });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    textarea.addEventListener("input", later);
    if (channelField) channelField.addEventListener("change", refresh);
  }

  document.querySelectorAll("textarea[data-character-count]").forEach(watch);
})();
