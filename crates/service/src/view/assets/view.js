// The result viewer: builds the page from the JSON in #doc. Everything a document supplies (text,
// code payloads, ids) goes in through textContent or setAttribute, never as markup.
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var body = document.body;
  var doc = JSON.parse(document.getElementById("doc").textContent);
  var result = doc.result || {};
  var pages = result.pages || [];
  var images = body.getAttribute("data-images") === "yes";
  var imageQuery = body.getAttribute("data-image-query") || "";
  var app = document.getElementById("app");
  app.textContent = "";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function box(cls, b) {
    return svg("rect", { "class": cls, x: b.left, y: b.top, width: b.width, height: b.height });
  }
  function tip(node, text) {
    var t = document.createElementNS(SVG, "title");
    t.textContent = text;
    node.appendChild(t);
  }
  // Letters and digits only, lowercased: "Invoice," matches a search for "invoice".
  function norm(s) {
    return String(s).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  }
  function count(name) {
    body.setAttribute(name, String(Number(body.getAttribute(name) || 0) + 1));
  }
  function confidenceClass(c) {
    return c >= 90 ? "c-hi" : c >= 70 ? "c-mid" : "c-lo";
  }

  // The record: status, timings, error.
  var head = el("section", { "class": "record" });
  head.appendChild(el("h1", {}, doc.document_id || "document"));
  var facts = el("dl");
  function fact(name, value, cls) {
    if (value === undefined || value === null || value === "") return;
    facts.appendChild(el("dt", {}, name));
    facts.appendChild(el("dd", cls ? { "class": cls } : {}, value));
  }
  var status = doc.status || (result.error ? "failed" : "completed");
  fact("Status", status, status === "failed" ? "failed" : null);
  fact("Pages", result.page_count);
  fact("Processing", doc.processing_ms != null ? doc.processing_ms + " ms" : null);
  fact("Attempts", doc.attempts);
  fact("Created", doc.created_at);
  fact("Started", doc.processing_started_at);
  fact("Completed", doc.completed_at);
  fact("Languages", (doc.languages || []).join(", "));
  var error = result.error || (doc.error_code ? { code: doc.error_code, message: doc.error_message } : null);
  if (error) fact("Error", error.code + ": " + (error.message || ""), "error");
  head.appendChild(facts);
  // A receipt's or an invoice's fields: listed here, their boxes marked on their pages.
  var fields = result.fields || {};
  var fieldNames = Object.keys(fields);
  if (fieldNames.length) {
    head.appendChild(el("h2", {}, "Fields"));
    var table = el("dl", { "class": "fields" });
    fieldNames.forEach(function (name) {
      var f = fields[name];
      var shown = f.text + (f.value != null && f.value !== f.text ? " → " + f.value : "") + (f.currency ? " " + f.currency : "");
      table.appendChild(el("dt", {}, name));
      table.appendChild(el("dd", { "data-field": name }, shown));
    });
    head.appendChild(table);
  }
  var items = result.line_items || [];
  if (items.length) {
    head.appendChild(el("h2", {}, "Line items"));
    var list = el("ol", { "class": "items" });
    items.forEach(function (it) {
      list.appendChild(el("li", {}, [it.description, it.quantity && "× " + it.quantity, it.unit_price, it.amount]
        .filter(function (x) { return x; }).join("  ")));
    });
    head.appendChild(list);
  }

  var tools = el("div", { "class": "tools" });
  var search = el("input", { type: "search", id: "search", placeholder: "Search the words", "aria-label": "Search the words" });
  var hits = el("span", { id: "hits", "aria-live": "polite" });
  tools.appendChild(search);
  tools.appendChild(hits);
  [["words", "Words"], ["blocks", "Blocks"], ["codes", "Codes"]].forEach(function (pair) {
    var label = el("label");
    var check = el("input", { type: "checkbox", id: "show-" + pair[0] });
    check.checked = true;
    check.addEventListener("change", function () {
      app.classList.toggle("hide-" + pair[0], !check.checked);
    });
    label.appendChild(check);
    label.appendChild(document.createTextNode(" " + pair[1]));
    tools.appendChild(label);
  });
  var legend = el("span", { "class": "legend" });
  [["c-hi", "confidence ≥ 90"], ["c-mid", "70-89"], ["c-lo", "< 70"], ["block", "block (reading order)"], ["code", "code"]]
    .forEach(function (pair) { legend.appendChild(el("span", { "class": pair[0] }, pair[1])); legend.appendChild(document.createTextNode(" ")); });
  tools.appendChild(legend);
  head.appendChild(tools);
  document.body.insertBefore(head, app);

  var wordRects = [];
  // Page images load as they come near the screen: a 200-page document does not fetch 200
  // previews at once.
  var lazy = [];
  function show(picture) {
    if (!picture.hasAttribute("href")) picture.setAttribute("href", picture.getAttribute("data-src"));
  }
  var codeCount = 0;
  var cellCount = 0;
  var fieldCount = 0;
  pages.forEach(function (p) {
    var section = el("section", { "class": "page", id: "page-" + p.page });
    var title = "Page " + p.page + " · " + (p.source === "text_layer" ? "text layer" : "OCR");
    if (p.confidence != null) title += " · mean confidence " + Math.round(p.confidence);
    if (p.rotation) title += " · turned " + p.rotation + "°";
    if (p.skew) title += " · deskewed " + Number(p.skew).toFixed(2) + "°";
    section.appendChild(el("h2", {}, title));

    var figure = el("div", { "class": "figure" });
    var canvas = svg("svg", { viewBox: "0 0 " + p.width + " " + p.height, role: "img", "aria-label": "Page " + p.page });
    canvas.appendChild(svg("rect", { "class": "paper", x: 0, y: 0, width: p.width, height: p.height }));
    if (images) {
      var picture = svg("image", {
        x: 0, y: 0, width: p.width, height: p.height, preserveAspectRatio: "none"
      });
      picture.setAttribute("data-src", "pages/" + p.page + ".webp" + imageQuery);
      // Counted on the body: what loaded and what did not (an expired link, a missing preview).
      picture.addEventListener("load", function () { count("data-previews-shown"); });
      picture.addEventListener("error", function () { count("data-previews-failed"); });
      canvas.appendChild(picture);
      lazy.push({ figure: figure, picture: picture });
    }
    var label = Math.max(14, Math.round(p.width / 40));
    (p.blocks || []).forEach(function (b, i) {
      var r = box("block" + (b.kind === "table" ? " table" : ""), b.bbox);
      var what = b.cells ? b.rows + " rows, " + b.cols + " columns" : b.lines.length + " lines";
      tip(r, "Block " + (i + 1) + " (" + b.kind + ", " + what + ")");
      canvas.appendChild(r);
      // A table's grid: one box a cell, its place and text as a tooltip.
      (b.cells || []).forEach(function (c) {
        var cell = box("cell", c.bbox);
        var span = (c.row_span > 1 || c.col_span > 1) ? " (" + c.row_span + "×" + c.col_span + ")" : "";
        tip(cell, "row " + (c.row + 1) + ", column " + (c.col + 1) + span + ": " + c.text);
        canvas.appendChild(cell);
        cellCount++;
      });
    });
    (p.words || []).forEach(function (w) {
      var r = box("word " + confidenceClass(w.confidence), w.bbox);
      tip(r, w.text + " (" + Math.round(w.confidence) + "%)");
      canvas.appendChild(r);
      wordRects.push({ rect: r, key: norm(w.text) });
    });
    // Numbers last, so they sit above the words they label.
    (p.blocks || []).forEach(function (b, i) {
      var t = svg("text", { "class": "block-no", x: b.bbox.left, y: b.bbox.top + label, "font-size": label });
      t.textContent = String(i + 1);
      canvas.appendChild(t);
    });
    fieldNames.forEach(function (name) {
      var f = fields[name];
      if (f.page !== p.page) return;
      var r = box("field", f.bbox);
      tip(r, name + ": " + f.text);
      canvas.appendChild(r);
      fieldCount++;
    });
    var codes = (p.codes && p.codes.length) ? p.codes
      : (p.qr_codes || []).map(function (q) { return { format: "QR Code", data: q.data, bbox: q.bbox }; });
    codes.forEach(function (c) {
      var r = box("code", c.bbox);
      tip(r, c.format + ": " + c.data);
      canvas.appendChild(r);
      codeCount++;
    });
    figure.appendChild(canvas);
    section.appendChild(figure);

    var side = el("div", { "class": "side" });
    if (codes.length) {
      side.appendChild(el("h3", {}, "Codes"));
      var list = el("ul", { "class": "codes" });
      codes.forEach(function (c) {
        var item = el("li");
        item.appendChild(el("b", {}, c.format + ": "));
        item.appendChild(el("span", { "class": "payload" }, c.data));
        list.appendChild(item);
      });
      side.appendChild(list);
    }
    side.appendChild(el("h3", {}, "Text, in reading order"));
    side.appendChild(el("pre", { "class": "text" }, p.text || ""));
    section.appendChild(side);
    app.appendChild(section);
  });
  // The first pages are fetched at once: they are on screen when the view opens, and a
  // headless browser under load may dump the page before its first intersection callback.
  var EAGER = 3;
  lazy.slice(0, EAGER).forEach(function (l) { show(l.picture); });
  lazy = lazy.slice(EAGER);
  if (typeof IntersectionObserver === "function") {
    var watcher = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        lazy.forEach(function (l) { if (l.figure === entry.target) show(l.picture); });
        watcher.unobserve(entry.target);
      });
    }, { rootMargin: "150% 0px" });
    lazy.forEach(function (l) { watcher.observe(l.figure); });
  } else {
    lazy.forEach(function (l) { show(l.picture); });
  }
  if (!pages.length) {
    app.appendChild(el("p", { "class": "empty" }, status === "completed" || status === "failed"
      ? "No pages to show." : "The document is " + status + "; reload when it is finished."));
  }

  function apply(query) {
    var key = norm(query);
    var found = 0;
    var first = null;
    wordRects.forEach(function (w) {
      var hit = key !== "" && w.key.indexOf(key) !== -1;
      w.rect.classList.toggle("hit", hit);
      if (hit) { found++; if (!first) first = w.rect; }
    });
    hits.textContent = key ? found + (found === 1 ? " word" : " words") : "";
    body.setAttribute("data-hits", String(found));
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
  }
  search.addEventListener("input", function () { apply(search.value); });
  // `#q=word` opens the view with that search made (a link to what was found).
  var m = /^#q=(.*)$/.exec(location.hash);
  if (m) {
    search.value = decodeURIComponent(m[1].replace(/\+/g, " "));
    apply(search.value);
  }
  body.setAttribute("data-words", String(wordRects.length));
  body.setAttribute("data-codes", String(codeCount));
  body.setAttribute("data-cells", String(cellCount));
  body.setAttribute("data-fields", String(fieldCount));
  body.setAttribute("data-ready", "yes");
})();
