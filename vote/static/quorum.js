/* The live quorum of a meeting (projector and console): follows the server-sent events of each
   panel's data-quorum-stream and updates the figures without reloading. Without JavaScript the
   panel shows the figures of when the page loaded. Counts only: the stream carries no name.
   Written for old WebViews: no arrow functions, no const/let. */
(function () {
  "use strict";

  function setText(panel, name, value) {
    var element = panel.querySelector('[data-field="' + name + '"]');
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

  function render(panel, quorum) {
    setText(panel, "checked_in", quorum.checked_in);
    setText(panel, "represented", quorum.represented);
    show(panel, "roll", quorum.roll !== null && quorum.roll !== undefined);
    setText(panel, "roll", quorum.roll === null ? "" : quorum.roll);
    var body = panel.querySelector(".quorum-ballots tbody");
    var none = (panel.querySelector(".quorum-ballots") || panel).getAttribute("data-no-area") || "";
    var byArea = !!panel.querySelector("th[data-col='area']");  // a column only where it means something
    if (body) {
      var rows = document.createDocumentFragment();
      quorum.ballots.forEach(function (b) {
        var row = document.createElement("tr");
        cell(row, b.title);
        cell(row, b.present + " / " + b.electorate + " (" + b.percent_present.toFixed(1) + "%)");
        if (byArea) { cell(row, b.area_present === null ? none : b.area_present + " / " + b.area_electorate); }
        cell(row, b.voted + " / " + b.electorate + " (" + percent(b.voted, b.electorate) + "%)");
        rows.appendChild(row);
      });
      while (body.firstChild) { body.removeChild(body.firstChild); }
      body.appendChild(rows);
    }
    show(panel, "ballots", quorum.ballots.length > 0);
    panel.setAttribute("data-checked-in", String(quorum.checked_in));
  }

  function isLive(quorum) {
    if (quorum.state !== "ended") { return true; }
    for (var i = 0; i < quorum.ballots.length; i++) {
      if (quorum.ballots[i].state === "open") { return true; }
    }
    return false;
  }

  function status(panel, which) {
    setText(panel, "status", panel.getAttribute("data-" + which) || "");
    panel.setAttribute("data-connection", which);
  }

  function follow(panel) {
    var url = panel.getAttribute("data-quorum-stream");
    if (!url || !window.EventSource || !window.JSON) { return; }
    var source = new EventSource(url);
    source.addEventListener("quorum", function (event) {
      var quorum = JSON.parse(event.data);
      render(panel, quorum);
      if (isLive(quorum)) {
        status(panel, "live");
      } else {
        source.close();
        status(panel, "ended");
      }
    });
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED) { status(panel, "reconnecting"); }
    });
  }

  var panels = document.querySelectorAll("[data-quorum-stream]");
  for (var i = 0; i < panels.length; i += 1) { follow(panels[i]); }
}());
