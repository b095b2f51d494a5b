// The report answers back: filters over the findings, the diagram's elements and flows open a panel, each
// judgement shows its route, and the view lives in the URL fragment (#view:...) so it can be shared.
// Model text is only ever written with textContent: it never becomes markup.
(function () {
  "use strict";
  var facts = JSON.parse(document.getElementById("ix-data").textContent);
  var FACETS = [
    ["order", "Legal order", "orders"],
    ["rating", "Rating", "rating"],
    ["family", "Family", "family"],
    ["element", "Element or flow", "element"],
    ["status", "Status", "status"]
  ];
  var RATING_ORDER = ["very high", "high", "medium", "low"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-finding]"));
  var diagram = document.getElementById("ix-diagram");
  var panel = document.getElementById("ix-panel");
  var state = {};
  var controls = {};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function values(row, facet) {
    var raw = row.getAttribute("data-" + facet[2]) || "";
    return facet[0] === "order" ? raw.split(" ") : [raw];
  }

  function label(facet, value) {
    if (facet[0] === "order") return value === "none" ? "none (technical)" : (facts.orders[value] || value) + " (" + value + ")";
    if (facet[0] === "element") return facts.elementNames[value] || value;
    return value.replace(/_/g, " ").replace(/-/g, " ");
  }

  function matches(row, skip) {
    for (var i = 0; i < FACETS.length; i++) {
      var f = FACETS[i];
      if (f[0] === skip || !state[f[0]]) continue;
      if (values(row, f).indexOf(state[f[0]]) < 0) return false;
    }
    if (state.q && skip !== "q") {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      var text = (row.getAttribute("data-finding") + " " + row.textContent).toLowerCase();
      for (var w = 0; w < words.length; w++) if (text.indexOf(words[w]) < 0) return false;
    }
    return true;
  }

  // Filters ------------------------------------------------------------------------------------------------
  function buildFilters() {
    var box = document.getElementById("ix-filters");
    if (!box || !rows.length) return;
    box.hidden = false;
    box.className = "ix-controls";
    box.setAttribute("role", "search");
    box.appendChild(el("h3", "Filter the findings"));
    var form = el("div", null, "ix-fields");
    FACETS.forEach(function (f) {
      var wrap = el("label", null, "ix-field");
      wrap.appendChild(el("span", f[1]));
      var select = el("select");
      select.id = "ix-filter-" + f[0];
      select.addEventListener("change", function () { state[f[0]] = select.value; apply(true); });
      wrap.appendChild(select);
      form.appendChild(wrap);
      controls[f[0]] = select;
    });
    var search = el("label", null, "ix-field ix-search");
    search.appendChild(el("span", "Text"));
    var input = el("input");
    input.type = "search";
    input.id = "ix-filter-q";
    input.placeholder = "id, threat, element, words";
    input.addEventListener("input", function () { state.q = input.value; apply(true); });
    search.appendChild(input);
    form.appendChild(search);
    controls.q = input;
    var clear = el("button", "Clear filters");
    clear.type = "button";
    clear.addEventListener("click", function () {
      FACETS.forEach(function (f) { state[f[0]] = ""; });
      state.q = "";
      apply(true);
    });
    form.appendChild(clear);
    box.appendChild(form);
    var count = el("p", null, "ix-total");
    count.id = "ix-total";
    count.setAttribute("aria-live", "polite");
    box.appendChild(count);
  }

  function fillOptions() {
    FACETS.forEach(function (f) {
      var select = controls[f[0]];
      if (!select) return;
      var counts = {};
      rows.forEach(function (row) {
        if (!matches(row, f[0])) return;
        values(row, f).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var all = {};
      rows.forEach(function (row) { values(row, f).forEach(function (v) { all[v] = true; }); });
      var keys = Object.keys(all).sort(function (a, b) {
        if (f[0] === "rating") return RATING_ORDER.indexOf(a) - RATING_ORDER.indexOf(b);
        return label(f, a).localeCompare(label(f, b));
      });
      while (select.firstChild) select.removeChild(select.firstChild);
      var any = el("option", "any");
      any.value = "";
      select.appendChild(any);
      keys.forEach(function (k) {
        var option = el("option", label(f, k) + " (" + (counts[k] || 0) + ")");
        option.value = k;
        select.appendChild(option);
      });
      select.value = state[f[0]] || "";
    });
    if (controls.q && controls.q.value !== (state.q || "")) controls.q.value = state.q || "";
  }

  function apply(write) {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row);
      row.classList.toggle("ix-hide", !ok);
      if (ok) shown++;
    });
    // A threat with no element left, a table with no row left and a severity with nothing left go too.
    document.querySelectorAll(".finding").forEach(function (group) {
      var own = group.querySelectorAll("[data-finding]");
      if (!own.length) return;
      group.classList.toggle("ix-hide", !group.querySelector("[data-finding]:not(.ix-hide)"));
    });
    document.querySelectorAll("table.technical").forEach(function (table) {
      if (!table.querySelector("[data-finding]")) return;
      table.classList.toggle("ix-hide", !table.querySelector("[data-finding]:not(.ix-hide)"));
    });
    document.querySelectorAll("[data-severity-heading]").forEach(function (h) {
      var sev = h.getAttribute("data-severity-heading");
      var n = rows.filter(function (r) { return r.getAttribute("data-severity") === sev && !r.classList.contains("ix-hide"); }).length;
      h.querySelector(".ix-count").textContent = filtering() ? n + " of " + rows.filter(function (r) { return r.getAttribute("data-severity") === sev; }).length : String(n);
      h.classList.toggle("ix-hide", n === 0);
    });
    var total = document.getElementById("ix-total");
    if (total) total.textContent = filtering() ? shown + " of " + rows.length + " findings shown" : "All " + rows.length + " findings shown";
    fillOptions();
    if (write) writeHash();
  }

  function filtering() {
    return FACETS.some(function (f) { return state[f[0]]; }) || !!state.q;
  }

  // The diagram and its panel ---------------------------------------------------------------------------
  function marks(kind, ids) {
    if (!diagram) return;
    diagram.querySelectorAll(".ix-" + kind).forEach(function (n) { n.classList.remove("ix-" + kind); });
    (ids.elements || []).forEach(function (id) {
      var node = diagram.querySelector('[data-element="' + cssId(id) + '"]');
      if (node) node.classList.add("ix-" + kind);
    });
    (ids.flows || []).forEach(function (id) {
      diagram.querySelectorAll("[data-flows]").forEach(function (edge) {
        if (edge.getAttribute("data-flows").split(" ").indexOf(id) >= 0) edge.classList.add("ix-" + kind);
      });
    });
  }

  function reveal() {
    // When the diagram is larger than its box, scroll the box (not the page) to what was chosen.
    var node = diagram && diagram.querySelector(".ix-selected");
    var box = diagram && diagram.parentNode;
    if (!node || !box || !box.classList.contains("ix-scroll") || !zoom) return;
    var b = box.getBoundingClientRect(), n = node.getBoundingClientRect();
    box.scrollLeft += n.left - b.left - (b.width - n.width) / 2;
    box.scrollTop += n.top - b.top - (b.height - n.height) / 2;
  }

  function cssId(id) { return String(id).replace(/["\\]/g, "\\$&"); }

  function section(title, items, render) {
    var box = el("section");
    box.appendChild(el("h4", title + " (" + items.length + ")"));
    if (!items.length) { box.appendChild(el("p", "none", "muted")); return box; }
    var list = el("ul");
    items.forEach(function (item) { list.appendChild(render(item)); });
    box.appendChild(list);
    return box;
  }

  function findingItem(f) {
    var li = el("li");
    var a = el("a", f[0]);
    a.href = "#" + f[0];
    li.appendChild(a);
    li.appendChild(document.createTextNode(" " + f[1] + " "));
    li.appendChild(el("span", f[2], "rating r-" + f[2].replace(/ /g, "-")));
    return li;
  }

  function pathItem(p) {
    var li = el("li");
    var names = p.elements.map(function (e) { return facts.elementNames[e] || e; });
    li.appendChild(el("strong", (facts.orders[p.jurisdiction] || p.jurisdiction) + ": "));
    li.appendChild(document.createTextNode(names.join(" \u2192 ") + " "));
    li.appendChild(el("span", "(" + p.data.join(", ") + ")", "muted"));
    return li;
  }

  function openPanel(title, rowsOfFacts, parts, filterId) {
    if (!panel) return;
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    panel.hidden = false;
    var head = el("div", null, "ix-panel-head");
    var h = el("h3", title);
    h.id = "ix-panel-title";
    h.tabIndex = -1;
    head.appendChild(h);
    var close = el("button", "Close");
    close.type = "button";
    close.addEventListener("click", function () { state.select = ""; state.route = ""; closePanel(); writeHash(); });
    head.appendChild(close);
    panel.appendChild(head);
    var dl = el("dl");
    rowsOfFacts.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      dl.appendChild(el("dt", r[0]));
      dl.appendChild(el("dd", r[1]));
    });
    panel.appendChild(dl);
    parts.forEach(function (p) { panel.appendChild(p); });
    var hasFindings = filterId && rows.some(function (r) { return r.getAttribute("data-element") === filterId; });
    if (hasFindings && controls.element) {
      var b = el("button", "Show only its findings");
      b.type = "button";
      b.addEventListener("click", function () {
        state.element = filterId;
        apply(true);
        document.getElementById("ix-filters").scrollIntoView();
      });
      panel.appendChild(b);
    }
    return h;
  }

  function closePanel() {
    if (panel) { panel.hidden = true; while (panel.firstChild) panel.removeChild(panel.firstChild); }
    marks("selected", {});
    marks("path", {});
  }

  function showElement(id) {
    var e = facts.elements[id];
    if (!e) return null;
    var paths = facts.paths.filter(function (p) { return p.elements.indexOf(id) >= 0; });
    var pathElements = [], pathFlows = [];
    paths.forEach(function (p) { pathElements = pathElements.concat(p.elements); pathFlows = pathFlows.concat(p.flows); });
    marks("path", {elements: pathElements, flows: pathFlows});
    marks("selected", {elements: [id]});
    reveal();
    return openPanel(e.name, [
      ["Kind", e.kind.replace(/_/g, " ")], ["Operated by", e.operator], ["Location", e.location],
      ["Trust boundary", e.boundary], ["Stores", e.stores.join(", ")],
      ["Compellable by", e.compelling.map(function (c) { return facts.orders[c] || c; }).join(", ")]
    ], [
      section("Findings on it", e.findings, findingItem),
      section("Legal bases reaching it", e.bases, function (b) {
        var li = el("li");
        li.appendChild(el("strong", b[1]));
        li.appendChild(document.createTextNode(" for " + b[0] + ", by " + b[2] + " "));
        li.appendChild(el("span", b[3].replace(/_/g, " "), "status " + b[3]));
        return li;
      }),
      section("Exposure paths through it", paths, pathItem)
    ], id);
  }

  function showFlows(ids) {
    var flows = ids.map(function (id) { return facts.flows[id]; }).filter(Boolean);
    if (!flows.length) return null;
    var paths = facts.paths.filter(function (p) { return ids.some(function (id) { return p.flows.indexOf(id) >= 0; }); });
    var pathElements = [], pathFlows = [];
    paths.forEach(function (p) { pathElements = pathElements.concat(p.elements); pathFlows = pathFlows.concat(p.flows); });
    marks("path", {elements: pathElements, flows: pathFlows});
    marks("selected", {flows: ids});
    reveal();
    var parts = [];
    var findings = [];
    flows.forEach(function (f) { findings = findings.concat(f.findings); });
    var first = flows[0];
    var title = flows.length === 1 ? first.name : flows.length + " flows: " + flows.map(function (f) { return f.name; }).join("; ");
    parts.push(section("Findings on it", findings, findingItem));
    parts.push(section("Exposure paths through it", paths, pathItem));
    return openPanel(title, [
      ["From", facts.elementNames[first.source]], ["To", facts.elementNames[first.sink]],
      ["Data", flows.map(function (f) { return f.data.join(", "); }).join("; ")],
      ["Protocol", flows.map(function (f) { return f.protocol + " (" + f.encryption + ")"; }).join("; ")],
      ["Crosses a legal order", flows.some(function (f) { return f.crosses; }) ? "yes" : "no"],
      ["Remote access", flows.some(function (f) { return f.remote_access; }) ? "yes" : "no"]
    ], parts, ids.length === 1 ? ids[0] : null);
  }

  function showRoute(code) {
    var j = facts.judgements[code];
    if (!j) return null;
    marks("selected", {elements: [j.holder]});
    marks("path", {elements: j.elements, flows: j.flows});
    reveal();
    var route = el("p", j.elements.map(function (e) { return facts.elementNames[e] || e; }).join(" \u2192 "));
    var back = el("a", "Back to the judgement");
    back.href = "#judgement-" + code;
    return openPanel("Route of the judgement on " + j.name, [
      ["Likelihood", j.words], ["Ends at", facts.elementNames[j.holder]]
    ], [route, back], null);
  }

  function select(value, focus) {
    var kind = value.split(":")[0], id = value.slice(kind.length + 1);
    var title = kind === "element" ? showElement(id) : kind === "flows" ? showFlows(id.split(",")) : null;
    if (title && focus) title.focus();
  }

  // Zoom: the diagram fits the page's width, or is drawn at a multiple of dot's own size inside a scroll box.
  var ZOOMS = [0, 0.75, 1, 1.5, 2];
  var zoom = 0, zoomStatus = null;
  function setZoom(level, status, write) {
    status = status || zoomStatus;
    if (!status) return;
    zoom = Math.max(0, Math.min(ZOOMS.length - 1, level));
    state.zoom = zoom ? String(zoom) : "";
    if (write) writeHash();
    var natural = Number(diagram.getAttribute("data-width")) || 0;
    diagram.style.width = ZOOMS[zoom] && natural ? Math.round(natural * ZOOMS[zoom]) + "px" : "";
    diagram.classList.toggle("ix-zoomed", !!ZOOMS[zoom]);
    status.textContent = ZOOMS[zoom] ? Math.round(ZOOMS[zoom] * 100) + "% of full size" : "fitted to the page";
  }
  function buildZoom() {
    var figure = document.querySelector(".ix-figure");
    if (!diagram || !figure || !diagram.getAttribute("data-width")) return;
    var bar = el("div", null, "ix-controls ix-zoom");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Diagram size");
    var status = el("span", "", "ix-zoom-state");
    status.setAttribute("aria-live", "polite");
    zoomStatus = status;
    [["Fit to page", function () { setZoom(0, status, true); }], ["Zoom out", function () { setZoom(zoom - 1, status, true); }],
     ["Zoom in", function () { setZoom(zoom + 1, status, true); }]].forEach(function (b) {
      var button = el("button", b[0]);
      button.type = "button";
      button.addEventListener("click", b[1]);
      bar.appendChild(button);
    });
    bar.appendChild(status);
    var hint = el("span", diagram.querySelector("[data-element]")
      ? "Choose an element or a flow (click, or Tab then Enter) to see its details."
      : "This overview sums organisations up; the boundary diagrams listed below draw their elements.", "ix-hint");
    bar.appendChild(hint);
    figure.parentNode.insertBefore(bar, figure);
    var scroller = el("div", null, "ix-scroll");
    figure.insertBefore(scroller, diagram);
    scroller.appendChild(diagram);
    setZoom(0, status, false);
  }

  function bindDiagram() {
    if (!diagram) return;
    diagram.querySelectorAll("[data-element], [data-flows]").forEach(function (node) {
      var value = node.hasAttribute("data-element") ? "element:" + node.getAttribute("data-element")
        : "flows:" + node.getAttribute("data-flows").split(" ").join(",");
      var go = function () { state.route = ""; state.select = value; select(value, true); writeHash(); };
      node.addEventListener("click", go);
      node.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); }
      });
    });
  }

  function bindRoutes() {
    document.querySelectorAll("a.ix-route").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        state.select = "";
        state.route = a.getAttribute("href").split("=")[1];
        writeHash();
        showSelection(true);
      });
    });
  }

  function showSelection(focus) {
    if (state.route) {
      var t = showRoute(state.route);
      if (t) {
        var fig = document.querySelector(".ix-figure");
        if (fig) fig.scrollIntoView();
        if (focus) t.focus({preventScroll: true});
      }
    } else if (state.select) {
      select(state.select, focus);
    } else {
      closePanel();
    }
  }

  // The view in the URL fragment: #view:order=CN&rating=high&q=words&select=element:id&route=CN ------------
  var KEYS = FACETS.map(function (f) { return f[0]; }).concat(["q", "select", "route", "zoom"]);

  function writeHash() {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (state[k]) params.set(k, state[k]); });
    var text = params.toString();
    var hash = text ? "#view:" + text : "";
    if (location.hash !== hash && (hash || location.hash.indexOf("#view:") === 0)) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function readHash() {
    if (location.hash.indexOf("#view:") !== 0) return false;
    var params = new URLSearchParams(location.hash.slice(6));
    state = {};
    KEYS.forEach(function (k) { state[k] = params.get(k) || ""; });
    return true;
  }

  buildFilters();
  buildZoom();
  bindDiagram();
  bindRoutes();
  readHash();
  setZoom(Number(state.zoom) || 0, null, false);
  apply(false);
  showSelection(false);
  window.addEventListener("hashchange", function () {
    if (readHash()) { setZoom(Number(state.zoom) || 0, null, false); apply(false); showSelection(true); return; }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.closest(".ix-hide")) {
      KEYS.forEach(function (k) { if (k !== "select" && k !== "route") state[k] = ""; });
      apply(false);
      target.scrollIntoView();
    }
  });
  document.documentElement.classList.add("ix-ready");
})();
