/* The meeting check-in page on a resident's phone. A help only: the page works without it.
   When this phone kept the voting code of an invitation to one of the meeting's ballots
   (vote.js saves it in localStorage as "invitation:<ballot id>" when the invitation link is
   opened), offer to check in with it, and "this is not me" to forget it and type another.
   Written for old Android WebViews: no arrow functions, no const/let. */
(function () {
  "use strict";
  var KEY = "invitation:";
  var section = document.getElementById("saved-code");
  var typed = document.getElementById("checkin-form");
  if (!section || !typed) { return; }

  function store() {
    try { return window.localStorage || null; } catch (e) { return null; }
  }
  function read(key) {
    var s = store();
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }
  function drop(key) {
    var s = store();
    try { if (s) { s.removeItem(key); } } catch (e) { /* nothing kept */ }
  }

  var ballots = (section.getAttribute("data-ballots") || "").split(" ");
  var found = null;
  var i;
  if (section.getAttribute("data-saved-refused")) {
    // The saved code was refused (replaced by a newer invitation): forget it.
    for (i = 0; i < ballots.length; i++) { if (ballots[i]) { drop(KEY + ballots[i]); } }
  }
  for (i = 0; i < ballots.length && !found; i++) {
    if (!ballots[i]) { continue; }
    var kept = read(KEY + ballots[i]);
    var digits = kept ? kept.replace(/\D/g, "") : "";
    if (digits.length === 25) { found = { key: KEY + ballots[i], digits: digits }; }
  }
  if (!found) { return; }

  var end = section.querySelector("[data-field='end']");
  if (end) {
    end.textContent = (end.getAttribute("data-ending") || "#").split("#").join(found.digits.slice(-5));
  }
  section.querySelector("input[name='credential']").value = found.digits;
  section.hidden = false;
  typed.hidden = true;
  document.getElementById("not-me").addEventListener("click", function () {
    for (var j = 0; j < ballots.length; j++) { if (ballots[j]) { drop(KEY + ballots[j]); } }
    section.hidden = true;
    typed.hidden = false;
    document.getElementById("credential").focus();
  });
}());
