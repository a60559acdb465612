/* 民声 Minsheng — a campaign's analysis charts (suggestions:analysis) and the report's print button.
 * The figures come from a <script type="application/json"> block ({{ chart_data|json_script }});
 * no inline scripts (Content-Security-Policy). Every chart has a table of the same figures beside
 * it, so nothing is lost without JavaScript or to a screen reader.
 */
(function () {
  "use strict";

  var RED = "#b3141b";
  var GREY = "#57606a";

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw(canvas, series) {
    var kind = canvas.dataset.analysisChart;
    var horizontal = kind === "hbar";
    return new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels: series.labels,
        datasets: [{
          label: canvas.dataset.label,
          data: series.values,
          backgroundColor: canvas.dataset.key === "weeks" ? GREY : RED,
          borderColor: canvas.dataset.key === "weeks" ? GREY : RED
        }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: horizontal
          ? { x: { beginAtZero: true, ticks: { precision: 0 } } }
          : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function drawCharts() {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-analysis-chart]").forEach(function (canvas) {
      var data = readData(canvas.dataset.source);
      var series = data && data[canvas.dataset.key];
      if (series && series.values.length) {
        draw(canvas, series);
      } else {
        canvas.closest("figure").classList.add("d-none");
      }
    });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.classList.remove("d-none");
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    printButtons();
    drawCharts();
  });
})();
