/* The ballot editor: shows the fields of each question's kind as it changes, and counts who is
   eligible while the chair types the eligibility rules (asking the server, which counts on the
   roll). Without JavaScript the editor's "show the fields" and "count who is eligible" buttons
   do the same with a form post. */
(function () {
  "use strict";

  var form = document.getElementById("ballot-editor");
  if (!form) { return; }
  document.documentElement.classList.add("js");

  function showKind(select) {
    var question = select.closest("[data-question]");
    if (!question) { return; }
    var groups = question.querySelectorAll("[data-kinds]");
    for (var i = 0; i < groups.length; i++) {
      var kinds = groups[i].getAttribute("data-kinds").split(" ");
      groups[i].hidden = kinds.indexOf(select.value) === -1;
    }
  }

  var ELIGIBILITY = /^(role_|unit_)|^(buildings|min_age|tags_any|tags_all|voting_unit|weighting)$/;
  var live = document.getElementById("eligible-live");
  var timer = null;
  var asked = 0;

  function count() {
    var params = new URLSearchParams();
    var fields = form.elements;
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (!field.name || !ELIGIBILITY.test(field.name)) { continue; }
      if (field.type === "checkbox" && !field.checked) { continue; }
      params.append(field.name, field.value);
    }
    var mine = ++asked;
    fetch(form.getAttribute("data-count-url") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (answer && mine === asked && live) { live.textContent = answer.text; }
    }).catch(function () { /* the count stays as it was; the button still counts */ });
  }

  function changed(event) {
    var target = event.target;
    if (!target || !target.name) { return; }
    if (/^q\d+_kind$/.test(target.name)) { showKind(target); }
    if (live && ELIGIBILITY.test(target.name)) {
      window.clearTimeout(timer);
      timer = window.setTimeout(count, 400);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
