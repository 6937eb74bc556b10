// Page viewers (templates/macros/viewer.html): one page at a time with Previous/Next
// buttons, the left and right arrow keys while the viewer has focus, and a "Page 3 of 12"
// counter read out by screen readers. Only the shown page and its neighbours get their src
// (data-src until then); without this script the macro's noscript column shows every page,
// loaded lazily. Several viewers may share a page
// (the macro includes this file once per viewer; it runs once).
//
// Reading beacons: inside an element carrying data-beacon-url and data-visit, a viewer
// with data-item reports how long each of its pages was shown while the tab was visible
// (and the viewer on screen): batches of {visit, seq, views: [{item, page, ms}]} sent with
// navigator.sendBeacon every 15 seconds while there is something new, and when the page is
// hidden or left. Each batch holds the time since the previous one, so batches add up.
(function () {
  "use strict";
  if (window.tandemViewers) return;
  window.tandemViewers = true;

  var FLUSH_MS = 15000;
  var MAX_VIEWS = 200;

  // ---- reading time, per enclosing beacon element ---------------------------------------

  var trackers = [];

  function Tracker(root) {
    this.url = root.dataset.beaconUrl;
    this.visit = root.dataset.visit || "";
    this.seq = 0;
    this.pending = {}; // "item:page" -> ms not yet sent
    this.viewers = [];
  }

  Tracker.prototype.add = function (item, page, ms) {
    if (!(ms > 0)) return;
    var key = item + ":" + page;
    this.pending[key] = (this.pending[key] || 0) + ms;
  };

  Tracker.prototype.flush = function () {
    this.viewers.forEach(function (viewer) { viewer.settle(); });
    var views = Object.keys(this.pending).map(function (key) {
      var parts = key.split(":");
      return { item: Number(parts[0]), page: Number(parts[1]), ms: Math.round(this.pending[key]) };
    }, this).filter(function (view) { return view.ms > 0; });
    this.pending = {};
    for (var start = 0; start < views.length; start += MAX_VIEWS) {
      this.seq += 1;
      var body = JSON.stringify({ visit: this.visit, seq: this.seq, views: views.slice(start, start + MAX_VIEWS) });
      if (navigator.sendBeacon) {
        navigator.sendBeacon(this.url, new Blob([body], { type: "application/json" }));
      }
    }
  };

  function trackerFor(section) {
    var root = section.closest("[data-beacon-url]");
    if (!root || section.dataset.item === undefined) return null;
    for (var i = 0; i < trackers.length; i += 1) {
      if (trackers[i].root === root) return trackers[i];
    }
    var tracker = new Tracker(root);
    tracker.root = root;
    trackers.push(tracker);
    return tracker;
  }

  function flushAll() { trackers.forEach(function (tracker) { tracker.flush(); }); }

  // ---- one viewer -----------------------------------------------------------------------

  function Viewer(section) {
    this.section = section;
    this.pages = Array.prototype.slice.call(section.querySelectorAll(".viewer-page"));
    this.count = this.pages.length;
    this.current = 1;
    this.counter = section.querySelector(".viewer-counter");
    this.prev = section.querySelector(".viewer-prev");
    this.next = section.querySelector(".viewer-next");
    this.onScreen = true;
    this.since = null;
    this.tracker = trackerFor(section);
    this.item = section.dataset.item;
    section.classList.add("viewer-js");
    // One page needs no turning.
    section.querySelector(".viewer-controls").hidden = this.count < 2;
    var self = this;
    this.prev.addEventListener("click", function () { self.go(self.current - 1); });
    this.next.addEventListener("click", function () { self.go(self.current + 1); });
    section.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "ArrowRight") { self.go(self.current + 1); event.preventDefault(); }
      if (event.key === "ArrowLeft") { self.go(self.current - 1); event.preventDefault(); }
    });
    if (this.tracker) {
      this.tracker.viewers.push(this);
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          self.settle();
          self.onScreen = entries[entries.length - 1].isIntersecting;
          self.resume();
        }).observe(section);
      }
    }
    this.show(1);
    this.resume();
  }

  Viewer.prototype.counting = function () {
    return this.tracker && this.onScreen && document.visibilityState === "visible";
  };

  // Credit the shown page with the time since the last settle, and start again from now.
  Viewer.prototype.settle = function () {
    if (this.since !== null && this.tracker) {
      var now = performance.now();
      this.tracker.add(this.item, this.current, now - this.since);
      this.since = this.counting() ? now : null;
    }
  };

  Viewer.prototype.resume = function () {
    this.since = this.counting() ? performance.now() : null;
  };

  Viewer.prototype.load = function (number) {
    var page = this.pages[number - 1];
    if (!page) return;
    var img = page.querySelector("img[data-src]");
    if (img && !img.getAttribute("src")) img.src = img.dataset.src;
  };

  Viewer.prototype.show = function (number) {
    this.current = number;
    this.pages.forEach(function (page, index) {
      var shown = index + 1 === number;
      page.classList.toggle("is-current", shown);
      page.hidden = !shown;
    });
    this.load(number);
    this.load(number - 1);
    this.load(number + 1);
    this.counter.textContent = "Page " + number + " of " + this.count;
    var focused = document.activeElement;
    this.prev.disabled = number <= 1;
    this.next.disabled = number >= this.count;
    // A button that turns disabled drops the focus to the page: keep it in the viewer,
    // so the arrow keys go on working.
    if (focused && focused.disabled && this.section.contains(focused)) this.section.focus();
  };

  Viewer.prototype.go = function (number) {
    if (number < 1 || number > this.count || number === this.current) return;
    this.settle();
    this.show(number);
    this.resume();
  };

  // ---- start ----------------------------------------------------------------------------

  var viewers = [];

  function start() {
    document.querySelectorAll("section.viewer").forEach(function (section) {
      if (section.querySelector(".viewer-page")) viewers.push(new Viewer(section));
    });
    if (!trackers.length) return;
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flushAll(); // settles every viewer; hidden time is not counted from here on
      } else {
        viewers.forEach(function (viewer) { viewer.resume(); });
      }
    });
    window.addEventListener("pagehide", flushAll);
    window.setInterval(flushAll, FLUSH_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
