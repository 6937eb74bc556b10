// Report charts: each <canvas data-chart="ID"> is drawn from the JSON in the element
// with that id (the same numbers are in the table under the chart).
(function () {
  "use strict";
  if (!window.Chart) return;
  var colours = ["#1f6feb", "#d97706", "#059669", "#b91c1c", "#7c3aed", "#0e7490"];

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var names = Object.keys(data.series);
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
        indexAxis: data.kind === "bar" ? "y" : "x",
        scales: {x: {beginAtZero: true}, y: {beginAtZero: true}},
        plugins: {legend: {display: names.length > 1}}
      }
    });
  });
})();
