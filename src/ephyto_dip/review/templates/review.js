/* Review decisions on the review page, offline: each row's decision and comment, the reviewer's
   name and date, kept in this browser (localStorage) until exported as the TSV that
   `ephyto-dip review apply` merges. Each exported line carries the row hash the page computes
   (EphytoRowHash.rowHash, the same as ephyto_dip.decisions.row_hash). A link can pre-fill
   decisions: ?reviewer=NAME&date=YYYY-MM-DD&decide=EPD-001:accepted:comment (decide repeats). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("row-cells").textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
  var reviewer = document.getElementById("reviewer");
  var date = document.getElementById("review-date");
  var out = document.getElementById("decisions-tsv");
  var count = document.getElementById("decision-count");
  var exportButton = document.getElementById("export-decisions");
  var storeKey = "ephyto-dip-review:" + document.title;
  var COLUMNS = ["mapping_id", "decision", "reviewer", "date", "comment", "row_hash"];

  // the page's own hash of every row, beside the one Python wrote: they must agree
  var mismatch = 0;
  rows.forEach(function (tr) {
    var cells = data.rows[tr.id];
    var box = tr.querySelector(".decide");
    if (!cells || !box) return;
    var h = EphytoRowHash.rowHash(cells);
    box.setAttribute("data-js-hash", h);
    if (h !== box.getAttribute("data-row-hash")) mismatch++;
  });
  document.body.setAttribute("data-hash-mismatch", String(mismatch));
  if (mismatch) {
    document.getElementById("hash-warning").hidden = false;
    exportButton.disabled = true;
  }

  function clean(s) { return String(s || "").replace(/[\t\r\n]+/g, " ").trim(); }

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function decisions() {
    var list = [];
    rows.forEach(function (tr) {
      var box = tr.querySelector(".decide");
      if (!box) return;
      var value = box.querySelector("select.decision").value;
      if (!value) return;
      list.push([tr.id, value, clean(reviewer.value), clean(date.value), clean(box.querySelector(".decision-comment").value),
                 box.getAttribute("data-js-hash")]);
    });
    return list;
  }

  function tsv() {
    return [COLUMNS.join("\t")].concat(decisions().map(function (d) { return d.join("\t"); })).join("\n") + "\n";
  }

  function save() {
    var state = {reviewer: reviewer.value, date: date.value, rows: {}};
    rows.forEach(function (tr) {
      var box = tr.querySelector(".decide");
      if (!box) return;
      var value = box.querySelector("select.decision").value;
      var comment = box.querySelector(".decision-comment").value;
      if (value || comment) state.rows[tr.id] = [value, comment];
    });
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* storage refused: the export still works */ }
  }

  function refresh(store) {
    rows.forEach(function (tr) {
      var box = tr.querySelector(".decide");
      if (!box) return;
      var value = box.querySelector("select.decision").value;
      if (value) tr.setAttribute("data-decision", value); else tr.removeAttribute("data-decision");
    });
    var n = decisions().length;
    count.textContent = n + " decision" + (n === 1 ? "" : "s") + (n && !clean(reviewer.value) ? " (enter your name to export)" : "");
    out.textContent = tsv();  // the text, not .value: a readonly textarea shows it, and a saved page keeps it
    document.body.setAttribute("data-decisions", String(n));
    if (store) save();
  }

  function setRow(id, value, comment) {
    var tr = document.getElementById(id);
    var box = tr && tr.querySelector(".decide");
    if (!box) return;
    var sel = box.querySelector("select.decision");
    if (value === "" || Array.prototype.some.call(sel.options, function (o) { return o.value === value; })) sel.value = value;
    box.querySelector(".decision-comment").value = comment || "";
  }

  // restore what this browser kept, then what the link says
  try {
    var kept = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (kept) {
      reviewer.value = kept.reviewer || "";
      date.value = kept.date || "";
      Object.keys(kept.rows || {}).forEach(function (id) { setRow(id, kept.rows[id][0], kept.rows[id][1]); });
    }
  } catch (e) { /* nothing kept */ }
  var params = new URLSearchParams(location.search);
  if (params.get("reviewer")) reviewer.value = params.get("reviewer");
  if (params.get("date")) date.value = params.get("date");
  params.getAll("decide").forEach(function (item) {
    var parts = item.split(":");
    setRow(parts[0], parts[1] || "", parts.slice(2).join(":"));
  });
  if (!date.value) date.value = today();

  document.addEventListener("change", function (ev) {
    if (ev.target.closest && (ev.target.closest(".decide") || ev.target === reviewer || ev.target === date)) refresh(true);
  });
  document.addEventListener("input", function (ev) {
    if (ev.target.classList && (ev.target.classList.contains("decision-comment") || ev.target === reviewer)) refresh(true);
  });
  exportButton.addEventListener("click", function () {
    if (!clean(reviewer.value)) { reviewer.focus(); return; }
    var blob = new Blob([tsv()], {type: "text/tab-separated-values"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "decisions-" + clean(reviewer.value).replace(/[^A-Za-z0-9]+/g, "-") + "-" + clean(date.value) + ".tsv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  });
  document.getElementById("clear-decisions").addEventListener("click", function () {
    rows.forEach(function (tr) { setRow(tr.id, "", ""); });
    refresh(true);
  });
  refresh(false);
})();
