// Staff dashboard: shows only the period fields that apply, and draws the two charts from the
// figures the server rendered (the same figures as the tables under each chart).
(function () {
  "use strict";

  function showPeriodFields() {
    var select = document.getElementById("period");
    if (!select) { return; }
    document.querySelectorAll("[data-period]").forEach(function (field) {
      var shown = field.getAttribute("data-period").split(" ").indexOf(select.value) >= 0;
      field.hidden = !shown;
      field.querySelectorAll("input, select").forEach(function (input) { input.disabled = !shown; });
    });
  }

  var CATEGORY_COLOURS = ["#18753c", "#0063cb", "#6a6af4", "#666666", "#b34000"];

  function baseOptions(horizontal) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      locale: "fr-FR",
      plugins: { legend: { display: !horizontal, labels: { color: "#1e1e1e" } } },
      scales: {
        x: { ticks: { color: "#1e1e1e", precision: 0 }, beginAtZero: true },
        y: { ticks: { color: "#1e1e1e", precision: 0 }, beginAtZero: true }
      }
    };
  }

  function monthLabel(code) {
    var parts = code.split("-");
    var d = new Date(Number(parts[0]), Number(parts[1]) - 1, 1);
    return d.toLocaleDateString("fr-FR", { month: "short", year: "numeric" });
  }

  function drawCharts() {
    var source = document.getElementById("chart-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new Chart(document.getElementById("chart-categories"), {
      type: "bar",
      data: { labels: data.categories.labels,
              datasets: [{ label: "Sorties", data: data.categories.values,
                           backgroundColor: CATEGORY_COLOURS }] },
      options: baseOptions(true)
    });
    new Chart(document.getElementById("chart-months"), {
      type: "bar",
      data: { labels: data.months.labels.map(monthLabel),
              datasets: [
                { label: "Entrées", data: data.months.entries, backgroundColor: "#000091" },
                { label: "Sorties", data: data.months.exits, backgroundColor: "#e1000f" }
              ] },
      options: baseOptions(false)
    });
    document.documentElement.setAttribute("data-charts", "drawn");
  }

  // The « ETP » page: funded ETP as a line, realised ETP as bars, month by month.
  function drawEtpChart() {
    var source = document.getElementById("etp-chart-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var options = baseOptions(false);
    options.scales.y.ticks.precision = 2;
    new Chart(document.getElementById("chart-etp"), {
      type: "bar",
      data: { labels: data.labels.map(monthLabel),
              datasets: [
                { type: "line", label: "ETP conventionnés", data: data.conventioned,
                  borderColor: "#e1000f", backgroundColor: "#e1000f", stepped: "middle" },
                { label: "ETP réalisés", data: data.realised, backgroundColor: "#000091" }
              ] },
      options: options
    });
    document.documentElement.setAttribute("data-charts", "drawn");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("period");
    if (select) { select.addEventListener("change", showPeriodFields); }
    showPeriodFields();
    drawCharts();
    drawEtpChart();
  });
}());
