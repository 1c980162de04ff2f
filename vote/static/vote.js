// The voting page, made easier on a phone. Everything here is a help: the page works without it.
//
// - The code from the invitation link travels after "#", so it never reaches server logs; it is
//   copied into the five code boxes, kept in sessionStorage for this tab (so switching language
//   keeps it) and removed from the address bar; a complete code is also kept in localStorage for
//   the meeting check-in page (checkin.js). Typed codes are checked digit by digit (Damm).
// - The server is asked whether the code has voted already; if so a plain page replaces the form.
// - Budget and several-choice questions count as the resident chooses and refuse a choice that
//   would go over the budget or the maximum, saying why.
// - Ranked questions become a list with "move up"/"move down" buttons; the selects underneath
//   (the no-JavaScript form) are kept in step, so the same fields are posted.
// Written for old Android WebViews: no arrow functions, no const/let, no fetch-only features.
(function () {
  "use strict";
  var root = document.documentElement;
  root.className += " js";
  var CODE_KEY = "vote-code:";
  var CHOICES_KEY = "vote-choices:";

  function storage() {
    try {
      return window.sessionStorage || null;
    } catch (e) {
      return null;  // storage refused (some private modes): the link's fragment still works
    }
  }
  function remember(key, value) {
    var store = storage();
    try { if (store) { store.setItem(key, value); return true; } } catch (e) { /* full */ }
    return false;
  }
  function recall(key) {
    var store = storage();
    try { return store ? store.getItem(key) : null; } catch (e) { return null; }
  }
  function forget(key) {
    var store = storage();
    try { if (store) { store.removeItem(key); } } catch (e) { /* nothing kept */ }
  }
  // The invitation's code, kept on this phone (localStorage) so that the meeting check-in page
  // (checkin.js) can offer it: a resident checks in without typing 25 digits again.
  function keepForCheckIn(ballotId, digits) {
    try { if (window.localStorage) { window.localStorage.setItem("invitation:" + ballotId, digits); } } catch (e) { /* refused or full */ }
  }
  function each(list, work) {
    for (var i = 0; i < list.length; i++) { work(list[i], i); }
  }
  function fill(text, values) {
    for (var key in values) {
      if (Object.prototype.hasOwnProperty.call(values, key)) {
        text = text.split("[" + key + "]").join(values[key]);
      }
    }
    return text;
  }
  function grouped3(amount) {
    return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function money(amount) {
    // As the server writes it (vote/pages/labels.py money), with a no-break space.
    if (root.lang === "zh-CN") {
      if (amount >= 10000 && amount % 100 === 0) {
        var whole = Math.floor(amount / 10000), cents = String(amount % 10000 / 100);
        var part = amount % 10000 ? "." + ("0" + cents).slice(-2).replace(/0$/, "") : "";
        return whole + part + "\u00a0万元";
      }
      return (amount >= 10000 ? grouped3(amount) : String(amount)) + "\u00a0元";
    }
    return "\u00a5" + grouped3(amount);
  }
  var announcer = document.getElementById("vote-announce");
  function announce(text) {
    if (!announcer) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // The review page: the code is kept for a language switch, and forgotten once confirmed.
  var review = document.getElementById("review-form");
  if (review) {
    var reviewed = review.querySelector("input[name=credential]");
    var reviewBallot = (review.getAttribute("action") || "").replace(/\D/g, "");
    if (reviewed && reviewed.value) { remember(CODE_KEY + reviewBallot, "typed:" + reviewed.value); }
    var confirmButton = review.querySelector("button[value=cast]");
    if (confirmButton) {
      confirmButton.addEventListener("click", function () {
        forget(CODE_KEY + reviewBallot);
        forget(CHOICES_KEY + reviewBallot);
      });
    }
  }

  var form = document.getElementById("vote-form");
  if (!form) { return; }
  var ballot = form.getAttribute("data-ballot");
  var boxes = form.querySelectorAll("input[name=code]");
  var codeBox = document.getElementById("credential-box");
  var check = document.getElementById("credential-check");
  var statusArea = document.getElementById("voter-status");

  // ---- The code in five boxes ----
  var DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9], [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5], [2, 5, 8, 1, 4, 3, 6, 7, 9, 0]
  ];
  function digitsOf(text) {
    // Full-width digits (as Chinese input methods type them) count as digits too.
    return String(text || "").replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48);
    }).replace(/[^0-9]/g, "");
  }
  function typedDigits() {
    var all = "";
    each(boxes, function (box) { all += digitsOf(box.value); });
    return all;
  }
  function codeState(digits) {
    if (digits.length < 25) { return { state: "count", n: digits.length }; }
    if (digits.length > 25) { return { state: "too-many" }; }
    var interim = 0;
    for (var i = 0; i < digits.length; i++) { interim = DAMM[interim][digits.charCodeAt(i) - 48]; }
    return { state: interim === 0 ? "ok" : "mistyped" };
  }
  function grouped(digits) {
    return digits.replace(/(\d{5})(?=\d)/g, "$1-");
  }
  function spread(digits, from) {
    // Fill the boxes from ``from`` on, five digits each; the last box takes what is left over.
    for (var i = from; i < boxes.length; i++) {
      var last = i === boxes.length - 1;
      boxes[i].value = last ? digits : digits.slice(0, 5);
      digits = last ? "" : digits.slice(5);
    }
  }
  var lastChecked = "";
  function showCheck() {
    var digits = typedDigits();
    var found = codeState(digits);
    if (check) {
      check.textContent = (check.getAttribute("data-" + found.state) || "").replace("#", String(found.n));
      check.className = (found.state === "mistyped" || found.state === "too-many") ? "field-error" : "hint";
    }
    each(boxes, function (box) {
      if (found.state === "ok") { box.setAttribute("aria-invalid", "false"); }
      else if (found.state !== "count") { box.setAttribute("aria-invalid", "true"); }
      else { box.removeAttribute("aria-invalid"); }
    });
    if (found.state === "ok") {
      var code = grouped(digits);
      var kept = recall(CODE_KEY + ballot) || "";
      if (kept.slice(kept.indexOf(":") + 1) !== code) { remember(CODE_KEY + ballot, "typed:" + code); }
      if (code !== lastChecked) { lastChecked = code; askStatus(code); }
    }
    return found.state;
  }
  each(boxes, function (box, index) {
    box.addEventListener("input", function () {
      var digits = digitsOf(box.value);
      if (digits.length > 5 && index < boxes.length - 1) {
        spread(digits, index);  // a pasted or scanned code: fill every box from here
        var next = Math.min(index + Math.ceil(digits.length / 5) - 1, boxes.length - 1);
        boxes[next].focus();
      } else {
        if (box.value !== digits) { box.value = digits; }
        if (digits.length === 5 && index < boxes.length - 1 && !digitsOf(boxes[index + 1].value)) {
          boxes[index + 1].focus();
        }
      }
      showCheck();
    });
    box.addEventListener("keydown", function (event) {
      var key = event.key || "";
      if ((key === "Backspace" || event.keyCode === 8) && !box.value && index > 0) {
        event.preventDefault();
        var before = boxes[index - 1];
        before.value = before.value.slice(0, -1);
        before.focus();
        showCheck();
      } else if (key === "Enter" || event.keyCode === 13) {
        event.preventDefault();  // Enter checks the code here, instead of sending the form
        if (showCheck() !== "ok") {
          for (var i = 0; i < boxes.length; i++) {
            if (digitsOf(boxes[i].value).length < 5) { boxes[i].focus(); break; }
          }
        }
      }
    });
  });

  // The code from the link (after "#"), else the one kept for this tab (a language switch).
  var fromLink = digitsOf(decodeURIComponent((window.location.hash || "").replace(/^#/, "")));
  if (fromLink && !typedDigits()) {
    spread(fromLink, 0);
    remember(CODE_KEY + ballot, "link:" + grouped(fromLink));
    if (codeState(fromLink).state === "ok") { keepForCheckIn(ballot, fromLink); }
    if (codeBox) { codeBox.hidden = true; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  } else if (!typedDigits()) {
    var kept = recall(CODE_KEY + ballot);
    if (kept) {
      spread(digitsOf(kept.slice(kept.indexOf(":") + 1)), 0);
      if (codeBox && kept.indexOf("link:") === 0) { codeBox.hidden = true; }
    }
  }

  if (codeBox && codeBox.hidden && codeState(typedDigits()).state !== "ok") {
    codeBox.hidden = false;  // a damaged link: let the resident type the code
  }

  // ---- Has this code voted already? ----
  function showState(name) {
    if (!statusArea) { return; }
    each(statusArea.querySelectorAll("[data-state]"), function (section) {
      section.hidden = section.getAttribute("data-state") !== name;
    });
    statusArea.hidden = !name;
    if (name && name !== "invalid-code") { form.hidden = true; }
    var shown = name ? statusArea.querySelector("[data-state='" + name + "'] .state-title") : null;
    if (shown) { shown.focus(); }
  }
  function askStatus(code) {
    if (!window.fetch || !form.getAttribute("data-status-url")) { return; }
    window.fetch(form.getAttribute("data-status-url"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": root.lang },
      body: JSON.stringify({ credential: code })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      var b = reply.body || {};
      if (reply.status === 403) {
        showState("invalid-code");
        if (codeBox) { codeBox.hidden = false; }
        each(boxes, function (box) { box.setAttribute("aria-invalid", "true"); });
      } else if (reply.status !== 200) {
        if (check) { check.textContent = b.detail || b.title || ""; check.className = "field-error"; }
        if (codeBox) { codeBox.hidden = false; }
      } else if (b.household_has_voted) {
        showState("household");
      } else if (b.has_voted && !b.revoting) {
        showState("voted");
      } else if (b.paper_serial !== null && b.paper_serial !== undefined) {
        each(statusArea ? statusArea.querySelectorAll("[data-field='serial']") : [], function (span) {
          span.textContent = String(b.paper_serial);
        });
        showState("paper");
      } else if (b.needs_checkin) {
        showState("needs-checkin");
      } else if (b.has_voted) {
        showState(b.revoting ? "voted-revote" : "voted");
      } else {
        showState("");
      }
    }).catch(function () { /* offline: the server checks again when the form is sent */ });
  }
  if (statusArea) {
    each(statusArea.querySelectorAll(".js-change-vote"), function (button) {
      button.addEventListener("click", function () {
        statusArea.hidden = true;
        form.hidden = false;
        var firstQuestion = form.querySelector("fieldset.question input, fieldset.question select, fieldset.question button");
        if (firstQuestion) { firstQuestion.focus(); }
      });
    });
  }

  form.addEventListener("submit", function (event) {
    if (!boxes.length) { return; }
    if (showCheck() !== "ok") {
      event.preventDefault();
      if (codeBox) { codeBox.hidden = false; }
      boxes[0].focus();
    }
  });

  // ---- Several choices and budgets: count as the resident chooses ----
  function setUpChoices(question) {
    var kind = question.getAttribute("data-kind");
    if (kind !== "multiple" && kind !== "budget") { return; }
    var inputs = question.querySelectorAll("input[type=checkbox]");
    var most = parseInt(question.getAttribute("data-max"), 10) || inputs.length;
    var limit = parseInt(question.getAttribute("data-limit"), 10) || 0;
    var counter = question.querySelector(".counter");
    var message = question.querySelector(".js-message");
    function text(name) { return question.getAttribute("data-text-" + name) || ""; }
    function sums() {
      var count = 0, total = 0;
      each(inputs, function (input) {
        if (input.checked) { count += 1; total += parseInt(input.getAttribute("data-cost"), 10) || 0; }
      });
      return { count: count, total: total };
    }
    function update() {
      var now = sums();
      var parts = [];
      if (kind === "budget") { parts.push(fill(text("total"), { total: money(now.total) })); }
      if (kind === "multiple" || most < inputs.length) { parts.push(fill(text("count"), { n: String(now.count) })); }
      if (counter) { counter.textContent = parts.join(" · "); counter.hidden = false; }
      each(inputs, function (input) {
        var cost = parseInt(input.getAttribute("data-cost"), 10) || 0;
        var why = "";
        if (!input.checked) {
          if (now.count >= most) { why = text("full-note"); }
          else if (kind === "budget" && now.total + cost > limit) { why = text("over-note"); }
        }
        var label = input.parentNode;
        var note = label.querySelector(".wont-fit-note");
        label.className = "choice" + (why ? " wont-fit" : "");
        if (note) { note.textContent = why; note.hidden = !why; }
      });
    }
    question.addEventListener("click", function (event) {
      var input = event.target;
      if (!input || input.type !== "checkbox") { return; }
      if (!input.checked) { if (message) { message.hidden = true; } return; }
      var now = sums();  // this choice included
      var refusal = "";
      if (now.count > most) {
        refusal = text("full");
      } else if (kind === "budget" && now.total > limit) {
        var cost = parseInt(input.getAttribute("data-cost"), 10) || 0;
        refusal = fill(text("over"), {
          option: input.getAttribute("data-option") || "",
          cost: money(cost),
          left: money(Math.max(limit - (now.total - cost), 0))
        });
      }
      if (refusal) {
        event.preventDefault();  // the box stays as it was
        if (message) { message.textContent = refusal; message.hidden = false; }
      } else if (message) {
        message.hidden = true;
      }
    });
    question.addEventListener("change", update);
    update();
  }

  // ---- Ranked questions: a list with move up / move down ----
  function button(label, name, action) {
    var made = document.createElement("button");
    made.type = "button";
    made.className = "small-button";
    made.setAttribute("data-action", action);
    made.textContent = label;
    // The name says which candidate, and begins with what the button shows (WCAG 2.5.3).
    made.setAttribute("aria-label", label + (root.lang === "zh-CN" ? "\uff1a" : ": ") + name);
    return made;
  }
  function setUpRanked(question) {
    if (question.getAttribute("data-kind") !== "ranked") { return; }
    var fallback = question.querySelector(".rank-fallback");
    var selects = question.querySelectorAll(".rank-fallback select");
    var most = parseInt(question.getAttribute("data-max"), 10) || selects.length;
    var counter = question.querySelector(".counter");
    var message = question.querySelector(".js-message");
    function text(name) { return question.getAttribute("data-text-" + name) || ""; }
    var candidates = [];
    each(selects, function (select, index) {
      candidates.push({ key: String(index), name: select.getAttribute("data-option") || "", select: select });
    });
    var order = [];
    var placed = candidates.filter(function (c) { return c.select.value; });
    placed.sort(function (a, b) {
      return (parseInt(a.select.value, 10) - parseInt(b.select.value, 10)) || (a.key - b.key);
    });
    each(placed.slice(0, most), function (c) { order.push(c); });

    var widget = document.createElement("div");
    widget.className = "rank-widget";
    var rankedHeading = document.createElement("p");
    rankedHeading.className = "rank-heading";
    rankedHeading.id = question.id + "-ranked";
    rankedHeading.textContent = text("ranked");
    var list = document.createElement("ol");
    list.className = "rank-list";
    list.setAttribute("aria-labelledby", rankedHeading.id);
    var empty = document.createElement("p");
    empty.className = "hint rank-empty";
    empty.textContent = text("empty");
    var othersHeading = document.createElement("p");
    othersHeading.className = "rank-heading";
    othersHeading.id = question.id + "-others";
    othersHeading.textContent = text("others");
    var others = document.createElement("ul");
    others.className = "rank-others";
    others.setAttribute("aria-labelledby", othersHeading.id);
    widget.appendChild(rankedHeading);
    widget.appendChild(list);
    widget.appendChild(empty);
    widget.appendChild(othersHeading);
    widget.appendChild(others);
    fallback.parentNode.insertBefore(widget, fallback);
    fallback.hidden = true;  // still sent with the form: the list writes its places into it

    function sync() {
      each(candidates, function (c) { c.select.value = ""; });
      each(order, function (c, index) { c.select.value = String(index + 1); });
      if (counter) { counter.textContent = fill(text("count"), { n: String(order.length) }); counter.hidden = false; }
    }
    function render(focusKey, actions) {
      list.innerHTML = "";
      others.innerHTML = "";
      each(order, function (c, index) {
        var item = document.createElement("li");
        item.className = "rank-item";
        item.setAttribute("data-key", c.key);
        var place = document.createElement("span");
        place.className = "rank-place";
        place.textContent = fill(text("place"), { n: String(index + 1) });
        var name = document.createElement("span");
        name.className = "rank-name";
        name.textContent = c.name;
        var buttons = document.createElement("span");
        buttons.className = "rank-buttons";
        var up = button(text("up"), c.name, "up");
        var down = button(text("down"), c.name, "down");
        up.disabled = index === 0;
        down.disabled = index === order.length - 1;
        buttons.appendChild(up);
        buttons.appendChild(down);
        buttons.appendChild(button(text("remove"), c.name, "remove"));
        item.appendChild(place);
        item.appendChild(name);
        item.appendChild(buttons);
        list.appendChild(item);
      });
      var full = order.length >= most;
      each(candidates, function (c) {
        if (order.indexOf(c) >= 0) { return; }
        var item = document.createElement("li");
        item.className = "rank-item";
        item.setAttribute("data-key", c.key);
        var name = document.createElement("span");
        name.className = "rank-name";
        name.textContent = c.name;
        var add = button(text("add"), c.name, "add");
        if (full) { add.setAttribute("aria-disabled", "true"); }
        item.appendChild(name);
        item.appendChild(add);
        others.appendChild(item);
      });
      empty.hidden = order.length > 0;
      list.hidden = order.length === 0;
      othersHeading.hidden = others.hidden = order.length === candidates.length;
      sync();
      if (focusKey !== undefined) {
        for (var i = 0; i < actions.length; i++) {
          var target = widget.querySelector("li[data-key='" + focusKey + "'] button[data-action='" + actions[i] + "']");
          if (target && !target.disabled) { target.focus(); return; }
        }
      }
    }
    widget.addEventListener("click", function (event) {
      var target = event.target;
      while (target && target !== widget && target.tagName !== "BUTTON") { target = target.parentNode; }
      if (!target || target === widget) { return; }
      var item = target;
      while (item && !(item.getAttribute && item.getAttribute("data-key"))) { item = item.parentNode; }
      if (!item) { return; }
      var key = item.getAttribute("data-key");
      var candidate = candidates[parseInt(key, 10)];
      var at = order.indexOf(candidate);
      var action = target.getAttribute("data-action");
      if (message) { message.hidden = true; }
      if (action === "up" && at > 0) {
        order.splice(at, 1);
        order.splice(at - 1, 0, candidate);
        render(key, ["up", "down"]);
        announce(fill(text("moved"), { option: candidate.name, n: String(at) }));
      } else if (action === "down" && at >= 0 && at < order.length - 1) {
        order.splice(at, 1);
        order.splice(at + 1, 0, candidate);
        render(key, ["down", "up"]);
        announce(fill(text("moved"), { option: candidate.name, n: String(at + 2) }));
      } else if (action === "remove" && at >= 0) {
        order.splice(at, 1);
        render(key, ["add"]);
        announce(fill(text("removed"), { option: candidate.name }));
      } else if (action === "add" && at < 0) {
        if (order.length >= most) {
          if (message) { message.textContent = text("full"); message.hidden = false; }
          announce(text("full"));
          return;
        }
        order.push(candidate);
        render(key, ["up", "remove"]);
        announce(fill(text("added"), { option: candidate.name, n: String(order.length) }));
      }
    });
    render();
  }

  // ---- Choices kept over a language switch (with the code, in this tab only) ----
  function chosenFields() {
    var kept = [];
    each(form.querySelectorAll("fieldset.question input, fieldset.question select"), function (field) {
      if ((field.type === "radio" || field.type === "checkbox") ? field.checked : (field.tagName === "SELECT" && field.value)) {
        kept.push([field.name, field.value]);
      }
    });
    return kept;
  }
  if (!chosenFields().length) {
    var saved = recall(CHOICES_KEY + ballot);
    if (saved) {
      try {
        each(JSON.parse(saved), function (pair) {
          each(form.querySelectorAll("fieldset.question input, fieldset.question select"), function (field) {
            if (field.name !== pair[0]) { return; }
            if (field.tagName === "SELECT") { field.value = pair[1]; }
            else if (field.value === pair[1]) { field.checked = true; }
          });
        });
      } catch (e) { /* a damaged note: start afresh */ }
    }
  }
  forget(CHOICES_KEY + ballot);
  each(document.querySelectorAll("a[href^='/lang/']"), function (link) {
    link.addEventListener("click", function () {
      remember(CHOICES_KEY + ballot, JSON.stringify(chosenFields()));
      var digits = typedDigits();
      if (codeState(digits).state === "ok" && !remember(CODE_KEY + ballot, (codeBox && codeBox.hidden ? "link:" : "typed:") + grouped(digits))) {
        // No storage in this browser: carry the code in the fragment, which the redirect keeps.
        link.setAttribute("href", link.getAttribute("href").split("#")[0] + "#" + grouped(digits));
      }
    });
  });

  each(form.querySelectorAll("fieldset.question"), function (question) {
    setUpChoices(question);
    setUpRanked(question);
  });
  if (boxes.length && typedDigits()) { showCheck(); }
  var summary = document.getElementById("form-error");
  if (summary) { summary.focus(); }
})();
