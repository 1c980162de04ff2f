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
  if (!input || !input.value || !status || !window.fetch) { return; }
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
