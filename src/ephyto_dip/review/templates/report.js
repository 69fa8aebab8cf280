/* Filters of the review page. The state lives in the URL (?q=…&box=…&status=…&predicate=…,
   or the same after #) so that a view can be shared as a link and opened by a headless browser. */
(function () {
  "use strict";
  var KEYS = ["q", "box", "status", "predicate"];
  var controls = {
    q: document.getElementById("q"),
    box: document.getElementById("f-box"),
    status: document.getElementById("f-status"),
    predicate: document.getElementById("f-predicate")
  };
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.box"));
  var shown = document.getElementById("shown");
  var nothing = document.getElementById("nothing");
  var link = document.getElementById("view-link");

  function norm(s) { return String(s || "").toLowerCase().replace(/\s+/g, " ").trim(); }

  // what a search matches: everything the row shows, plus its box's name
  var haystacks = rows.map(function (r) { return norm(r.textContent + " " + r.getAttribute("data-box")); });

  function state() {
    var s = {};
    KEYS.forEach(function (k) { s[k] = controls[k].value; });
    return s;
  }

  function matches(i, s, words) {
    var r = rows[i];
    if (s.box && r.getAttribute("data-box") !== s.box) return false;
    if (s.status && r.getAttribute("data-status") !== s.status) return false;
    if (s.predicate && r.getAttribute("data-predicate") !== s.predicate) return false;
    for (var w = 0; w < words.length; w++) {
      if (haystacks[i].indexOf(words[w]) < 0) return false;
    }
    return true;
  }

  function query(s) {
    var p = new URLSearchParams();
    KEYS.forEach(function (k) { if (s[k]) p.set(k, s[k]); });
    return p.toString();
  }

  function apply(updateUrl) {
    var s = state();
    var words = norm(s.q).split(" ").filter(Boolean);
    var count = 0;
    rows.forEach(function (r, i) {
      var ok = matches(i, s, words);
      r.hidden = !ok;
      if (ok) count++;
    });
    sections.forEach(function (sec) {
      sec.hidden = !sec.querySelector("tr.row:not([hidden])");
    });
    shown.textContent = count + " of " + rows.length + " rows shown";
    document.body.setAttribute("data-shown", String(count));
    nothing.hidden = count > 0;
    var q = query(s);
    link.setAttribute("href", "?" + q);
    if (updateUrl) {
      var anchor = location.hash.indexOf("=") >= 0 ? "" : location.hash;  // a #q=… state is replaced, an anchor kept
      try { history.replaceState(null, "", "?" + q + anchor); } catch (e) { /* file:// may refuse: the link still works */ }
    }
  }

  function setSelect(sel, value) {
    if (!value) { sel.value = ""; return; }
    var opts = Array.prototype.slice.call(sel.options);
    var hit = opts.filter(function (o) {
      return o.value === value || norm(o.getAttribute("data-label")) === norm(value);
    })[0];
    if (!hit) {  // a value no row has yet (e.g. a status): keep it, it simply matches nothing
      hit = new Option(value + " (0)", value);
      sel.add(hit);
    }
    sel.value = hit.value;
  }

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") >= 0) {  // #q=… works too; a plain #EPD-001 is an anchor
      new URLSearchParams(hash).forEach(function (v, k) { params.set(k, v); });
    }
    controls.q.value = params.get("q") || "";
    setSelect(controls.box, params.get("box"));
    setSelect(controls.status, params.get("status"));
    setSelect(controls.predicate, params.get("predicate"));
  }

  function reset() {
    controls.q.value = "";
    ["box", "status", "predicate"].forEach(function (k) { controls[k].value = ""; });
    apply(true);
  }

  var timer = null;
  controls.q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { apply(true); }, 120);
  });
  ["box", "status", "predicate"].forEach(function (k) {
    controls[k].addEventListener("change", function () { apply(true); });
  });
  document.getElementById("reset").addEventListener("click", reset);
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-predicate]"), function (b) {
    b.addEventListener("click", function () { setSelect(controls.predicate, b.getAttribute("data-filter-predicate")); apply(true); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-status]"), function (b) {
    b.addEventListener("click", function () { setSelect(controls.status, b.getAttribute("data-filter-status")); apply(true); });
  });

  // following a link to a row the filters hide shows everything again
  function reveal() {
    var id = decodeURIComponent(location.hash.replace(/^#/, ""));
    if (!id || id.indexOf("=") >= 0) return;
    var target = document.getElementById(id);
    if (target && target.closest("[hidden]")) {
      reset();
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") >= 0) { fromUrl(); apply(false); } else { reveal(); }
  });

  // a printout has everything: folded parts open while printing
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-opened]"), function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-print-opened");
    });
  });

  // tabs: the element table (with its filters) or the ISPM 12 box crosswalk; #crosswalk opens the latter
  function showTab(name) { if (document.getElementById("tabs")) document.body.setAttribute("data-tab", name); }
  Array.prototype.forEach.call(document.querySelectorAll("#tabs a[data-tab]"), function (a) {
    a.addEventListener("click", function () { showTab(a.getAttribute("data-tab")); });
  });
  function tabFromHash() {
    var id = decodeURIComponent(location.hash.replace(/^#/, ""));
    var target = id && id.indexOf("=") < 0 ? document.getElementById(id) : null;
    showTab(target && target.closest("#crosswalk") ? "crosswalk" : "rows");
  }
  window.addEventListener("hashchange", tabFromHash);

  fromUrl();
  apply(false);
  tabFromHash();
  reveal();
})();
