// Checks a receipt on the phone itself and says exactly what it checked:
//  1. the board entry the server points to is a cast with this receipt's tracker (the receipt
//     code, 26 digits, is the same number; the page carries both), and its hash is
//     SHA-256(0x00 || entry bytes);
//  2. the entry's inclusion proof (RFC 9162) leads to the root of the signed tree head;
//  3. that tree head's Ed25519 signature verifies with the service's published key, which the page
//     carries (rendered from the published key), never taken from the proof response.
// SHA-256 is written out below and Ed25519 is TweetNaCl (vendor/tweetnacl), so it works on plain
// http and on old browsers without WebCrypto. The signed bytes are those of docs/bulletin-board.md.
(function () {
  "use strict";
  var box = document.getElementById("proof-check");
  var textNode = document.getElementById("proof-check-text");
  if (!box || !textNode || !window.XMLHttpRequest || !window.Uint8Array) { return; }
  var T = JSON.parse(textNode.textContent);
  var summary = document.getElementById("proof-check-summary");
  var stepList = document.getElementById("proof-check-steps");
  var details = document.getElementById("proof-check-details");

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function sha256(bytes) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var length = bytes.length, bitLength = length * 8;
    var padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
    view.setUint32(padded.length - 4, bitLength >>> 0);
    var w = new Array(64);
    for (var offset = 0; offset < padded.length; offset += 64) {
      for (var i = 0; i < 16; i++) { w[i] = view.getUint32(offset + i * 4); }
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    var outView = new DataView(out.buffer);
    for (i = 0; i < 8; i++) { outView.setUint32(i * 4, h[i]); }
    return out;
  }

  function fromHex(hex) {
    if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex)) { throw new Error("bad hex"); }
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }
  function toHex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return s;
  }
  function fromBase64(text) {
    var raw = window.atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function utf8(text) {
    if (window.TextEncoder) { return new window.TextEncoder().encode(text); }
    var raw = unescape(encodeURIComponent(text));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }
  function node(left, right) {
    var joined = new Uint8Array(65);
    joined[0] = 1; joined.set(left, 1); joined.set(right, 33);
    return sha256(joined);
  }
  function leafHash(data) {
    var joined = new Uint8Array(data.length + 1);
    joined.set(data, 1);
    return sha256(joined);
  }
  function isCount(n) { return typeof n === "number" && n >= 0 && Math.floor(n) === n; }

  // RFC 9162 section 2.1.3.2: the root from a leaf hash and its inclusion proof.
  function rootFromProof(index, size, leaf, path) {
    if (index >= size) { return null; }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      var p = path[i];
      if (sn === 0) { return null; }
      if ((fn % 2 === 1) || fn === sn) {
        r = node(p, r);
        if (fn % 2 === 0) { while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = node(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  // docs/bulletin-board.md, "The signed message": five lines, each ending in "\n".
  function treeHeadMessage(ballotId, head) {
    return utf8("luwan-vote-board/1 tree-head\n" + ballotId + "\n" + head.tree_size + "\n" +
      head.root_hash + "\n" + head.timestamp + "\n");
  }

  // The tools check themselves on known vectors first: SHA-256("abc") (FIPS 180-2) and the
  // first Ed25519 test of RFC 8032 section 7.1 (empty message).
  function toolsWork() {
    if (!window.nacl || !window.nacl.sign || !window.nacl.sign.detached) { return false; }
    if (toHex(sha256(new Uint8Array([97, 98, 99]))) !==
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") { return false; }
    var key = fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    var signature = fromHex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    if (!window.nacl.sign.detached.verify(new Uint8Array(0), signature, key)) { return false; }
    signature[0] ^= 1;
    return !window.nacl.sign.detached.verify(new Uint8Array(0), signature, key);
  }

  function fill(template, values) {
    return template.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  function step(name, passed, text) {
    var item = document.createElement("li");
    item.className = passed ? "check ok" : (passed === false ? "check error" : "check skipped");
    item.setAttribute("data-check", name);
    item.setAttribute("data-passed", passed === null ? "skipped" : String(passed));
    var mark = document.createElement("strong");
    mark.textContent = passed ? "✓ " + T.passed + ": " : (passed === false ? "✗ " + T.failed + ": " : "– ");
    item.appendChild(mark);
    item.appendChild(document.createTextNode(text));
    stepList.appendChild(item);
  }
  function detail(label, value) {
    var term = document.createElement("dt");
    term.textContent = label;
    var description = document.createElement("dd");
    var code = document.createElement("code");
    code.textContent = value;
    description.appendChild(code);
    details.appendChild(term);
    details.appendChild(description);
  }
  // A signing time (milliseconds since 1970, UTC) as Beijing time: UTC+8 all year.
  function beijingTime(ms) {
    var shifted = new Date(ms + 8 * 3600 * 1000).toISOString();
    return shifted.substr(0, 10) + " " + shifted.substr(11, 8) + " " + T.d_zone;
  }
  function finish(result, text) {
    summary.className = result === "ok" ? "notice ok" : (result === "fail" ? "notice error" : "notice");
    summary.textContent = text;
    box.setAttribute("data-result", result);
  }
  function get(url, done) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.onload = function () {
      var body = null;
      if (request.status === 200) {
        try { body = JSON.parse(request.responseText); } catch (e) { body = null; }
      }
      done(body);
    };
    request.onerror = function () { done(null); };
    request.send();
  }

  box.hidden = false;
  summary.textContent = T.checking;
  var tracker = box.getAttribute("data-tracker");
  var receiptCode = box.getAttribute("data-receipt-code") || tracker;
  var ballotId = box.getAttribute("data-board-ballot-id");
  var key = null, keyId = "?";
  try {
    key = fromBase64(box.getAttribute("data-public-key") || "");
    if (key.length !== 32) { key = null; } else { keyId = toHex(sha256(key)).substr(0, 16); }
  } catch (e) { key = null; }

  var tools = false;
  try { tools = toolsWork(); } catch (e) { tools = false; }
  if (!tools) { finish("error", T.tools_failed); return; }

  get(box.getAttribute("data-proof-url"), function (proof) {
    var head = proof && proof.tree_head;
    if (!head || !isCount(proof.leaf_index) || !isCount(proof.tree_size) ||
        !(proof.hashes instanceof Array)) {
      finish("error", T.unreachable);
      return;
    }
    var leavesUrl = box.getAttribute("data-leaves-url") + "?start=" + proof.leaf_index + "&count=1";
    get(leavesUrl, function (leaves) {
      if (!(leaves instanceof Array)) { finish("error", T.unreachable); return; }
      check(proof, head, leaves);
    });
  });

  function check(proof, head, leaves) {
    var size = head.tree_size;
    // 1. The entry is this receipt's cast, and its hash is computed here from its bytes.
    var leaf = null, entryOk = false;
    try {
      var entry = leaves.length === 1 && leaves[0].index === proof.leaf_index ? leaves[0] : null;
      var event = entry ? JSON.parse(entry.data) : null;
      if (event && event.type === "cast" && event.tracker === tracker) {
        leaf = leafHash(utf8(entry.data));
        entryOk = toHex(leaf) === proof.leaf_hash;
      }
    } catch (e) { entryOk = false; }
    step("entry", entryOk, entryOk ? fill(T.entry_ok, { tracker: receiptCode, n: proof.leaf_index + 1 }) : T.entry_bad);

    // 2. The inclusion proof leads from that hash to the root of the signed head.
    var logOk = false, root = null;
    if (entryOk) {
      try {
        root = rootFromProof(proof.leaf_index, proof.tree_size, leaf, proof.hashes.map(fromHex));
        logOk = root !== null && proof.tree_size === size && toHex(root) === head.root_hash;
      } catch (e) { logOk = false; }
      step("log", logOk, fill(logOk ? T.log_ok : T.log_bad, { size: size }));
    } else {
      step("log", null, fill(T.log_skipped, { size: size }));
    }

    // 3. The head is signed with the published key: over the root computed here, so a
    //    signature only passes for the very record the proof reached.
    var signedOk = false;
    if (logOk && key !== null && isCount(head.timestamp)) {
      try {
        signedOk = window.nacl.sign.detached.verify(
          treeHeadMessage(ballotId, { tree_size: size, root_hash: toHex(root), timestamp: head.timestamp }),
          fromBase64(head.signature), key);
      } catch (e) { signedOk = false; }
    }
    if (key === null) {
      step("signature", false, T.key_bad);
    } else if (logOk) {
      step("signature", signedOk, fill(signedOk ? T.signed_ok : T.signed_bad, { size: size, key: keyId }));
    } else {
      step("signature", null, fill(T.signed_skipped, { key: keyId }));
    }

    detail(T.d_entries, String(size));
    detail(T.d_position, String(proof.leaf_index));
    detail(T.d_leaf, String(proof.leaf_hash));
    detail(T.d_path, proof.hashes.join(" "));
    detail(T.d_root, String(head.root_hash));
    detail(T.d_time, isCount(head.timestamp) ? beijingTime(head.timestamp) : String(head.timestamp));
    detail(T.d_signature, String(head.signature));
    detail(T.d_key, box.getAttribute("data-public-key") || "");
    detail(T.d_key_id, keyId);
    detail(T.d_message, "luwan-vote-board/1 tree-head\\n" + ballotId + "\\n" + size + "\\n" +
      head.root_hash + "\\n" + head.timestamp + "\\n");

    var ok = entryOk && logOk && signedOk;
    finish(ok ? "ok" : "fail", ok ? T.all_ok : T.some_bad);
  }
})();
