/* Door check-in: scan residents' invitation QR codes with the phone's rear camera.
 *
 * Frames are decoded with the vendored jsQR (loaded when the camera is first started); an
 * invitation link (…/v/12#12345-…-12345) or a bare 25-digit code is posted to the attendance
 * API (method "scan") and the answer shown large:
 * the name in green, or the refusal in the server's own plain words in red. The same code in
 * front of the camera is not posted again until it has been out of view for a few seconds.
 * A typed code is sent the same way (method "code"), so the camera keeps running. Without a
 * camera or a secure context the page says so; typing and finding by name still work, also
 * without this script (plain forms).
 */
(function () {
  "use strict";
  var root = document.getElementById("door");
  var section = document.getElementById("scan");
  if (!root || !section) {
    return;
  }
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var note = document.getElementById("scan-note");
  var video = document.getElementById("scan-video");
  var result = document.getElementById("door-result");
  var count = document.getElementById("door-count");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d");
  var stream = null;
  var busy = false;
  var lastCode = "";
  var lastSeen = 0;
  var QUIET_MS = 4000; // the same code is posted again only after this long out of view
  var MAX_WIDTH = 640; // frames are scaled down to this width before decoding

  section.hidden = false;

  function text(name) {
    return root.getAttribute("data-" + name) || "";
  }

  function show(message, ok) {
    var line = document.createElement("p");
    line.className = "door-result " + (ok ? "ok" : "refused");
    line.textContent = message;
    result.textContent = "";
    result.appendChild(line);
  }

  function codeOf(scanned) {
    var part = scanned.indexOf("#") >= 0 ? scanned.slice(scanned.lastIndexOf("#") + 1) : scanned;
    var digits = part.replace(/[\s-]/g, "");
    return /^[0-9]{25}$/.test(digits) ? part.trim() : "";
  }

  function counted() {
    var match = /\d+/.exec(count.textContent);
    if (match) {
      count.textContent = count.textContent.replace(/\d+/, String(Number(match[0]) + 1));
    }
  }

  // Post one check-in; the answer is shown large, then onDone(refusal or "") is called.
  function send(body, onDone) {
    busy = true;
    fetch(root.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": root.getAttribute("data-csrf"),
      },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            show(text("ok").replace("{name}", answer.name), true);
            counted();
            if (navigator.vibrate) {
              navigator.vibrate(120);
            }
            onDone("");
          } else {
            var refusal = answer.detail || answer.title || text("offline");
            show(refusal, false);
            onDone(refusal);
          }
        });
      })
      .catch(function () {
        show(text("offline"), false);
        onDone(text("offline"));
      })
      .then(function () {
        busy = false;
      });
  }

  function post(code) {
    send({ credential: code, method: "scan" }, function (refusal) {
      if (refusal === text("offline")) {
        lastCode = ""; // let the same code be tried again at once
      }
    });
  }

  function seen(scanned) {
    var now = Date.now();
    var code = codeOf(scanned);
    var key = code || scanned;
    if (key === lastCode && now - lastSeen < QUIET_MS) {
      lastSeen = now;
      return;
    }
    if (busy) {
      return;
    }
    lastCode = key;
    lastSeen = now;
    if (!code) {
      show(text("not-invitation"), false);
      return;
    }
    post(code);
  }

  function tick() {
    if (!stream) {
      return;
    }
    if (video.readyState >= 2 && video.videoWidth > 0) {
      var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(frame.data, frame.width, frame.height, {
        inversionAttempts: "dontInvert",
      });
      if (found && found.data) {
        seen(found.data);
      }
    }
    window.setTimeout(function () {
      window.requestAnimationFrame(tick);
    }, 120);
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    note.textContent = "";
  }

  function startCamera() {
    var media = navigator.mediaDevices;
    if (!window.isSecureContext || !media || !media.getUserMedia) {
      note.textContent = text("insecure");
      return;
    }
    withDecoder(function () {
      openCamera(media);
    });
  }

  // The decoder (about 250 kB) is fetched only when the camera is first started, so typing
  // and finding by name stay quick on a slow connection.
  function withDecoder(then) {
    if (typeof window.jsQR === "function") {
      then();
      return;
    }
    var script = document.createElement("script");
    script.src = root.getAttribute("data-decoder");
    script.onload = then;
    script.onerror = function () {
      note.textContent = text("no-decoder");
    };
    document.head.appendChild(script);
  }

  function openCamera(media) {
    media
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (opened) {
        stream = opened;
        video.srcObject = opened;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        note.textContent = text("scanning");
        var playing = video.play();
        if (playing && playing.catch) {
          playing.catch(function () {});
        }
        tick();
      })
      .catch(function () {
        note.textContent = text("no-camera");
      });
  }

  // A typed code is sent without leaving the page, so a running camera keeps scanning; the
  // refusal is named beside the field, as the form without JavaScript does.
  var codeForm = document.getElementById("code-form");
  var codeInput = document.getElementById("code");

  function fieldError(message) {
    var error = document.getElementById("code-error");
    if (!message) {
      if (error) {
        error.parentNode.removeChild(error);
      }
      codeInput.removeAttribute("aria-invalid");
      codeInput.setAttribute("aria-describedby", "code-hint");
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.id = "code-error";
      codeInput.parentNode.insertBefore(error, codeInput);
    }
    error.textContent = message;
    codeInput.setAttribute("aria-invalid", "true");
    codeInput.setAttribute("aria-describedby", "code-error code-hint");
  }

  if (codeForm && codeInput && window.fetch) {
    codeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = codeInput.value.trim();
      if (!code) {
        fieldError(text("empty-code"));
        codeInput.focus();
        return;
      }
      send({ credential: code, method: "code" }, function (refusal) {
        fieldError(refusal);
        if (!refusal) {
          codeInput.value = "";
        }
        codeInput.focus();
      });
    });
  }

  start.addEventListener("click", startCamera);
  stop.addEventListener("click", stopCamera);
  window.addEventListener("pagehide", stopCamera);
})();
