/* 民声 Minsheng — the dashboards' charts and the board's "select all".
 * Data comes from <script type="application/json"> blocks ({{ data|json_script }}); no inline
 * scripts (Content-Security-Policy). Every chart has a table with the same figures beside it, so
 * nothing is lost without JavaScript or to a screen reader.
 */
(function () {
  "use strict";

  var COLOURS = {
    red: "#b3141b",
    grey: "#57606a",
    gold: "#b7791f"
  };

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function volumeChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: canvas.dataset.labelReceived, data: data.received, backgroundColor: COLOURS.grey },
          { label: canvas.dataset.labelReplied, data: data.replied, backgroundColor: COLOURS.red }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
    });
  }

  function timelinessChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: canvas.dataset.labelOnTime, data: data.on_time_rate, yAxisID: "rate",
            borderColor: COLOURS.red, backgroundColor: COLOURS.red, spanGaps: true
          },
          {
            label: canvas.dataset.labelDays, data: data.average_reply_days, yAxisID: "days",
            borderColor: COLOURS.grey, backgroundColor: COLOURS.grey, borderDash: [6, 4], spanGaps: true
          }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          rate: { type: "linear", position: "left", min: 0, max: 100 },
          days: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false } }
        }
      }
    });
  }

  var DRAW = { volume: volumeChart, timeliness: timelinessChart };

  function drawCharts() {
    if (!window.Chart) {
      return;
    }
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (reduceMotion) {
      window.Chart.defaults.animation = false;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var draw = DRAW[canvas.dataset.chart];
      var data = readData(canvas.dataset.source);
      if (draw && data) {
        draw(canvas, data);
      }
    });
  }

  function selectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      var form = box.form;
      var name = box.dataset.selectAll;
      box.classList.remove("d-none");
      box.addEventListener("change", function () {
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
    drawCharts();
  });
})();
