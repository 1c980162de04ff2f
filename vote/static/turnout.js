/* Live turnout on the chair's console: follows the server-sent events of each panel's
   data-turnout-stream and updates the figures without reloading. Without JavaScript the panel
   shows the figures of when the page loaded and a link to refresh them. */
(function () {
  "use strict";

  function field(panel, name) {
    return panel.querySelector('[data-field="' + name + '"]');
  }

  function setText(panel, name, value) {
    var element = field(panel, name);
    if (element) { element.textContent = String(value); }
  }

  function show(panel, part, visible) {
    var element = panel.querySelector('[data-part="' + part + '"]');
    if (element) { element.hidden = !visible; }
  }

  function percent(part, whole) {
    return (whole ? (100 * part) / whole : 0).toFixed(1);
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = String(text);
    row.appendChild(td);
  }

  function render(panel, turnout) {
    setText(panel, "voted", turnout.voted);
    setText(panel, "electorate", turnout.electorate);
    setText(panel, "percent", turnout.percent.toFixed(1));
    setText(panel, "households_voted", turnout.households_voted);
    setText(panel, "households_eligible", turnout.households_eligible);
    show(panel, "households", true);
    var byArea = turnout.area_voted !== null && turnout.area_voted !== undefined;
    if (byArea) {
      setText(panel, "area_voted", turnout.area_voted);
      setText(panel, "area_eligible", turnout.area_eligible);
    }
    show(panel, "area", byArea);
    var body = panel.querySelector(".turnout-buildings tbody");
    if (body) {
      var rows = document.createDocumentFragment();
      turnout.buildings.forEach(function (building) {
        var row = document.createElement("tr");
        cell(row, building.building || panel.getAttribute("data-no-building"));
        cell(row, building.eligible);
        cell(row, building.voted);
        cell(row, percent(building.voted, building.eligible) + "%");
        rows.appendChild(row);
      });
      while (body.firstChild) { body.removeChild(body.firstChild); }
      body.appendChild(rows);
    }
    show(panel, "buildings", turnout.buildings.length > 0);
    panel.setAttribute("data-voted", String(turnout.voted));
    panel.setAttribute("data-state", turnout.state);
  }

  function status(panel, which) {
    setText(panel, "status", panel.getAttribute("data-" + which) || "");
    panel.setAttribute("data-connection", which);
  }

  function follow(panel) {
    var url = panel.getAttribute("data-turnout-stream");
    if (!url || !window.EventSource || !window.JSON) { return; }
    var source = new EventSource(url);
    source.addEventListener("turnout", function (event) {
      var turnout = JSON.parse(event.data);
      render(panel, turnout);
      if (turnout.state !== "open") {
        source.close();
        status(panel, "ended");
      } else {
        status(panel, "live");
      }
    });
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED) { status(panel, "reconnecting"); }
    });
  }

  var panels = document.querySelectorAll("[data-turnout-stream]");
  for (var i = 0; i < panels.length; i += 1) { follow(panels[i]); }
}());
