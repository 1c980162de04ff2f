/* The projector page: a countdown to the next venue code, then the new code and its QR code
   from the page's data-venue-url (a small JSON answer; the QR code comes as inline SVG drawn by
   the server). Without JavaScript the page reloads itself when the code changes. A code that
   could not be renewed for about a minute no longer works and is greyed out; a login that has
   ended reloads the page, which asks for it.
   Written for old WebViews: no arrow functions, no const/let. */
(function () {
  "use strict";
  var main = document.querySelector("[data-venue-url]");
  if (!main || !window.fetch) { return; }
  var url = main.getAttribute("data-venue-url");
  if (main.getAttribute("data-state") === "planned") {
    // Shown before check-in opens: look every few seconds, and show the code once it does.
    window.setInterval(function () {
      window.fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (venue) {
        if (!venue || venue.state !== "planned") { window.location.reload(); }
      }).catch(function () { /* try again at the next look */ });
    }, 5000);
    return;
  }
  if (!document.querySelector("[data-field='code']")) { return; }
  var left = parseInt(main.getAttribute("data-seconds-left"), 10) || 30;
  var countdownText = main.getAttribute("data-countdown") || "#";
  var timer = null;
  var fresh = new Date().getTime();  // when the code shown was last known to be current

  function setText(name, value) {
    var element = main.querySelector("[data-field='" + name + "']");
    if (element) { element.textContent = value; }
  }

  function tick() {
    setText("countdown", countdownText.split("#").join(String(Math.max(left, 0))));
  }

  function refresh() {
    window.fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        window.location.reload();  // the login ended: the page asks for it again
        throw new Error("login");
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (venue) {
      if (venue.state !== "checking_in") { window.location.reload(); return; }
      var qr = main.querySelector("[data-field='qr']");
      if (qr) { qr.innerHTML = venue.qr_svg; }
      setText("code", venue.code.slice(0, 3) + " " + venue.code.slice(3));
      setText("short_url", venue.short_url);
      main.setAttribute("data-code", venue.code);
      main.removeAttribute("data-stale");
      fresh = new Date().getTime();
      left = venue.seconds_left;
      tick();
    }).catch(function () {
      left = 2;  // the server did not answer: try again shortly
      if (new Date().getTime() - fresh > 55000) {
        main.setAttribute("data-stale", "1");  // the code shown no longer works: grey it out
      }
    });
  }

  main.setAttribute("data-code", (main.querySelector("[data-field='code']").textContent || "").replace(/\s/g, ""));
  tick();
  timer = window.setInterval(function () {
    left -= 1;
    if (left <= 0) {
      left = 30;
      refresh();
    }
    tick();
  }, 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
  main.setAttribute("data-ticking", timer ? "1" : "0");
}());
