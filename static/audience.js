// The new-asset form: choosing a content type chooses its default audience, until the
// author picks one. The fieldset names the internal types in data-internal-types.
(function () {
  "use strict";

  var group = document.querySelector("fieldset[data-internal-types]");
  var select = document.getElementById("content_type");
  if (!group || !select) return;
  var internal = group.dataset.internalTypes.split(" ");
  var picked = false;
  group.addEventListener("change", function () { picked = true; });
  select.addEventListener("change", function () {
    if (picked) return;
    var value = internal.indexOf(select.value) >= 0 ? "internal" : "external";
    var radio = group.querySelector("input[value='" + value + "']");
    if (radio) radio.checked = true;
  });
})();
