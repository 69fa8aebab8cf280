/* A minimal DOM, just enough to run the review page's review.js under Node (tests/test_review.py; this helper is the project's own):
   the rows with their decision controls, the review panel, location.search and localStorage.
   Input (argv[2]): JSON {cells: <the page's row-cells>, hashes: {id: data-row-hash}, search: "?..."}.
   Output: JSON {tsv, mismatch, decisions, jsHashes}. */
"use strict";
var fs = require("fs"), vm = require("vm"), path = require("path");
var input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
var templates = process.argv[3];

function el(tag, attrs) {
  var e = {tagName: tag, attrs: Object.assign({}, attrs || {}), children: [], value: "", hidden: false, disabled: false,
           textContent: "", listeners: {}, classList: {contains: function (c) { return (e.attrs["class"] || "").split(" ").indexOf(c) >= 0; }}};
  e.getAttribute = function (k) { return k in e.attrs ? e.attrs[k] : null; };
  e.setAttribute = function (k, v) { e.attrs[k] = String(v); };
  e.removeAttribute = function (k) { delete e.attrs[k]; };
  e.addEventListener = function (t, f) { (e.listeners[t] = e.listeners[t] || []).push(f); };
  e.querySelector = function (sel) {
    var cls = sel.split(".").pop();
    var stack = e.children.slice();
    while (stack.length) { var c = stack.shift(); if (c.classList.contains(cls)) return c; stack = stack.concat(c.children); }
    return null;
  };
  e.closest = function () { return null; };
  e.focus = function () {};
  return e;
}
var byId = {}, rows = [];
Object.keys(input.cells.rows).forEach(function (id) {
  var tr = el("tr", {"class": "row", id: id});
  tr.id = id;
  var box = el("div", {"class": "decide", "data-row-hash": input.hashes[id]});
  var sel = el("select", {"class": "decision"});
  sel.options = ["", "accepted", "changes-requested", "rejected"].map(function (v) { return {value: v}; });
  var comment = el("input", {"class": "decision-comment"});
  box.children = [sel, comment];
  tr.children = [box];
  rows.push(tr);
  byId[id] = tr;
});
["reviewer", "review-date", "decisions-tsv", "decision-count", "export-decisions", "clear-decisions", "hash-warning"]
  .forEach(function (id) { byId[id] = el("input", {id: id}); });
byId["row-cells"] = el("script");
byId["row-cells"].textContent = JSON.stringify(input.cells);
var body = el("body");
var store = {};
var context = {
  document: {
    title: "test", body: body,
    getElementById: function (id) { return byId[id] || null; },
    querySelectorAll: function (sel) { return sel === "tr.row" ? rows : []; },
    addEventListener: function () {}
  },
  location: {search: input.search || "", hash: ""},
  localStorage: {getItem: function (k) { return k in store ? store[k] : null; }, setItem: function (k, v) { store[k] = v; }},
  URLSearchParams: URLSearchParams, JSON: JSON, Date: Date, String: String, Array: Array, Object: Object, Math: Math,
  setTimeout: setTimeout
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(path.join(templates, "rowhash.js"), "utf8"), context);
vm.runInContext(fs.readFileSync(path.join(templates, "review.js"), "utf8"), context);
var jsHashes = {};
rows.forEach(function (tr) { jsHashes[tr.id] = tr.children[0].getAttribute("data-js-hash"); });
console.log(JSON.stringify({tsv: byId["decisions-tsv"].textContent, mismatch: body.getAttribute("data-hash-mismatch"),
                            decisions: body.getAttribute("data-decisions"), jsHashes: jsHashes,
                            exportDisabled: byId["export-decisions"].disabled}));
