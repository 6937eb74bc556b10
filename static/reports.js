// Report charts: each <canvas data-chart="ID"> is drawn from the JSON in the element
// with that id (the same numbers are in the table under the chart).
(function () {
  "use strict";
  if (!window.Chart) return;
  var colours = ["#1f6feb", "#d97706", "#059669", "#b91c1c", "#7c3aed", "#0e7490"];

  // A category label cut to what fits beside or under the chart; the tooltip keeps the
  // whole label, so an asset's long title is still readable on a phone.
  function shorten(label, limit) {
    var text = String(label);
    return text.length > limit ? text.slice(0, limit - 1).trimEnd() + "…" : text;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var names = Object.keys(data.series);
    var sideways = data.kind === "bar";
    // The category axis: down the left for bars (titles), along the bottom for lines (weeks).
    var categories = {
      beginAtZero: true,
      ticks: {
        autoSkip: true,
        autoSkipPadding: 8,
        maxRotation: sideways ? 0 : 45,
        font: {size: 11},
        callback: function (value) {
          var label = this.getLabelForValue(value);
          // Titles get about two fifths of the chart's width, at roughly 6 px a letter.
          var limit = sideways ? Math.max(12, Math.floor(this.chart.width * 0.4 / 6)) : 16;
          return shorten(label, limit);
        }
      }
    };
    var amounts = {beginAtZero: true, ticks: {autoSkip: true, maxRotation: 0, font: {size: 11}}};
    new window.Chart(canvas, {
      type: data.kind,
      data: {
        labels: data.labels,
        datasets: names.map(function (name, index) {
          var colour = colours[index % colours.length];
          return {label: name, data: data.series[name], borderColor: colour,
                  backgroundColor: colour, tension: 0.2};
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: sideways ? "y" : "x",
        scales: sideways ? {y: categories, x: amounts} : {x: categories, y: amounts},
        plugins: {
          legend: {display: names.length > 1, labels: {boxWidth: 12, font: {size: 11}}},
          tooltip: {callbacks: {title: function (items) {
            return items.length ? String(data.labels[items[0].dataIndex]) : "";
          }}}
        }
      }
    });
  });
})();
