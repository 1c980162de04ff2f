// The voting page without a server round trip for the code: the credential travels after "#"
// in the invitation link, so it never reaches server logs. This script copies it into the form,
// hides the typing box, and asks the server whether this code has already voted.
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) { return; }
  var input = form.querySelector("input[name=credential]");
  var box = document.getElementById("credential-box");
  var status = document.getElementById("voter-status");
  var hash = decodeURIComponent((window.location.hash || "").replace(/^#/, ""));
  if (hash && input && !input.value) {
    input.value = hash;
    if (box) { box.hidden = true; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }
  // The code's last digit is a Damm check digit: a mistyped digit or two swapped neighbours are
  // caught here, as the resident types, before anything is sent.
  var DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9], [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5], [2, 5, 8, 1, 4, 3, 6, 7, 9, 0]
  ];
  function digitsOf(text) {
    // Full-width digits (as Chinese input methods type them) count as digits too.
    return text.replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48);
    }).replace(/[^0-9]/g, "");
  }
  function codeState(text) {
    var digits = digitsOf(text);
    if (digits.length < 25) { return { state: "count", n: digits.length }; }
    if (digits.length > 25) { return { state: "too-many" }; }
    var interim = 0;
    for (var i = 0; i < digits.length; i++) { interim = DAMM[interim][digits.charCodeAt(i) - 48]; }
    return { state: interim === 0 ? "ok" : "mistyped" };
  }
  var check = document.getElementById("credential-check");
  function showCheck() {
    if (!input || !check) { return null; }
    var found = codeState(input.value);
    check.textContent = check.getAttribute("data-" + found.state).replace("#", String(found.n));
    check.className = (found.state === "mistyped" || found.state === "too-many") ? "field-error" : "hint";
    input.setAttribute("aria-invalid", found.state === "ok" ? "false" : "true");
    return found.state;
  }
  if (input && check) {
    input.addEventListener("input", showCheck);
    if (input.value) { showCheck(); }
    form.addEventListener("submit", function (event) {
      if (showCheck() !== "ok") {
        event.preventDefault();
        if (box) { box.hidden = false; }
        input.focus();
      }
    });
  }
  if (!input || !input.value || !status || !window.fetch) { return; }
  if (codeState(input.value).state !== "ok") {
    if (box) { box.hidden = false; }  // a damaged link: let the resident type the code
    return;
  }
  fetch(form.getAttribute("data-status-url"), {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
    body: JSON.stringify({ credential: input.value })
  }).then(function (response) {
    return response.json().then(function (body) { return { ok: response.ok, body: body }; });
  }).then(function (reply) {
    var b = reply.body;
    if (!reply.ok) {
      status.textContent = b.detail || b.title || "";
      status.className = "notice error";
      if (box) { box.hidden = false; }
    } else if (b.household_has_voted) {
      status.textContent = status.getAttribute("data-household-voted");
      status.className = "notice error";
    } else if (b.has_voted) {
      status.textContent = status.getAttribute(b.revoting ? "data-can-revote" : "data-already-voted");
      status.className = b.revoting ? "notice" : "notice error";
    } else {
      return;
    }
    status.hidden = false;
  }).catch(function () { /* offline: the server will still check on submit */ });
})();
