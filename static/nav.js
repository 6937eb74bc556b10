// The header's dropdowns work as plain <details> without this script; with it, an open
// dropdown closes on a click elsewhere, on Escape, or when another one opens.
(function () {
  "use strict";
  var nav = document.querySelector(".site-nav");
  if (!nav) return;
  var menu = nav.querySelector("[data-nav-menu]");
  var groups = Array.prototype.slice.call(nav.querySelectorAll("[data-nav-group]"));
  var wide = window.matchMedia("(min-width: 769px)");

  // Browsers without ::details-content cannot show a closed menu's links on a wide
  // screen, so there the menu is kept open instead.
  var showsClosedContent = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function fitMenu() {
    if (menu && !showsClosedContent) menu.open = wide.matches;
  }
  fitMenu();
  if (wide.addEventListener) wide.addEventListener("change", fitMenu);

  function openOnes() {
    var open = groups.filter(function (group) { return group.open; });
    if (menu && menu.open && !(wide.matches && !showsClosedContent)) open.push(menu);
    return open;
  }

  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) return;
      groups.forEach(function (other) {
        if (other !== group) other.open = false;
      });
    });
  });

  document.addEventListener("click", function (event) {
    openOnes().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = openOnes();
    if (!open.length) return;
    // The innermost open dropdown closes first; focus returns to its button.
    var inner = open.filter(function (details) { return details !== menu; });
    var target = inner.length ? inner[0] : open[0];
    target.open = false;
    target.querySelector("summary").focus();
  });
})();
