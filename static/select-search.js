// Searchable selects: every <select multiple>, and any long single select marked
// data-search, becomes a Tom Select box (static/vendor/tom-select) where people type to
// filter the options and remove a choice with its ×. Without this script, or if Tom Select
// did not load, the plain <select> works as it is and keeps its "Hold Ctrl" hint.
(function () {
  "use strict";

  if (typeof window.TomSelect !== "function") return;

  function enhance(select) {
    var several = select.multiple;
    var hint = document.getElementById(select.id + "-hint");
    // The typing box Tom Select adds is what people focus: it takes over the select's
    // description and error state, less the Ctrl hint that no longer applies.
    var described = (select.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter(function (id) { return id && (!hint || id !== hint.id); });
    var widget = new window.TomSelect(select, {
      plugins: several ? { remove_button: { title: "Remove this choice" } } : {},
      placeholder: select.dataset.placeholder || (several ? "Type to search…" : "Type to search or choose…"),
      hidePlaceholder: false,
      maxOptions: null, // every option, not the first fifty
      allowEmptyOption: !several,
      closeAfterSelect: !several,
      clearAfterSelect: true, // type the next choice without first deleting the last one
    });
    var control = widget.control_input;
    // Tom Select names its list of options after the field's label too; a name of its
    // own keeps the label pointing at one control, the box people type in.
    widget.dropdown_content.removeAttribute("aria-labelledby");
    widget.dropdown_content.setAttribute("aria-label", "Choices");
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    if (select.getAttribute("aria-invalid") === "true") {
      control.setAttribute("aria-invalid", "true");
      widget.wrapper.classList.add("is-invalid");
    }
    if (hint) hint.remove();
    // The select itself stays in the form, hidden and out of the tab order; hidden from
    // screen readers too, so the field is announced once, as the box people type in.
    select.setAttribute("aria-hidden", "true");
  }

  var selects = document.querySelectorAll("select[multiple][id], select[data-search][id]");
  Array.prototype.forEach.call(selects, enhance);
})();
