/* The explorer (/explore/): every paper in one list, narrowed by facets, sorted, with the whole
 * view in the address (shareable; Back restores it), a reading list and its export.
 *
 * Data (generator/site/explore.py; decoded by explore-data.js, which map.js shares):
 * explore/facets.json holds what filtering, counting and sorting need (tables of tags, venues,
 * dates; per paper a few base-64 digits per column). Titles, slugs and author names come in chunks
 * (explore/titles/N.json), fetched for the rows on screen, and all of them only when the text
 * filter or the reading list needs every title. The author table and each paper's author ids
 * (explore/authors.json, most of the data at scale) are loaded only for the author filter: an
 * ?author= address, the "Show the authors" button or the author box. Citations for the export:
 * explore/cite/N.json, loaded only for the papers exported. Every text from the data is inserted
 * with textContent, never as HTML. The page itself holds the first rows, so they show before (and
 * without) this script. While rows wait for their titles the list is aria-busy. */
(function () {
  "use strict";

  var mount = document.getElementById("explore");
  if (!mount || !window.fetch || !window.URLSearchParams || !window.paperCollectionExploreData) return;
  var controls = document.getElementById("explore-controls");
  var list = document.getElementById("explore-list");
  var status = document.getElementById("explore-status");
  var moreBox = document.getElementById("explore-more");
  var configElement = document.getElementById("__config");
  var config = configElement ? JSON.parse(configElement.textContent) : {};
  var root = new URL(String(config.base || ".").replace(/\/?$/, "/"), location.href);
  var lists = window.paperCollectionReadingList;  // collection.js: the reading list in localStorage
  var exploreData = window.paperCollectionExploreData;  // explore-data.js: decodes facets.json, fetches title chunks
  var F = exploreData.filters;  // explore-data.js: the filters' rules, shared with the map

  var PAGE = 50, FACET_SHOWN = 12;
  var SORTS = [["added", "Date added (newest)"], ["year", "Year (newest)"], ["title", "Title (A-Z)"],
               ["venue", "Venue (A-Z)"]];
  var FORMATS = [["bibtex", "BibTeX", ".bib", "application/x-bibtex"], ["ris", "RIS", ".ris", "application/x-research-info-systems"],
                 ["csl", "CSL-JSON", ".json", "application/vnd.citationstyles.csl+json"]];
  var D = null;  // the facet data
  var papers = [];  // {i, title, slug, names (null until their chunk is in), year, venue, tags, authors, code, added, month, text}
  var bySlug = new Map();
  var order = {};  // sort name -> array of paper indices
  var state = null, shown = PAGE, cursor = -1, result = [];
  var citeChunks = {}, titles = null, allYears = [], allMonths = [];
  var drawGeneration = 0, drawnWaiters = [];

  // ---- helpers -------------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function paperUrl(p) { return new URL("papers/" + encodeURIComponent(p.slug) + "/", root).href; }
  /* Writes only what changed: an unchanged text costs no style or layout work. */
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }

  // ---- state <-> URL ---------------------------------------------------------------------
  function emptyState() {
    return { q: "", tags: [], mode: "any", from: 0, to: 0, venues: [], authors: [], code: false,
             addedFrom: "", addedTo: "", sort: "added", only: false };
  }
  function readState(search) {
    var params = new URLSearchParams(search), s = F.readFilters(search);
    s.sort = SORTS.some(function (x) { return x[0] === params.get("sort"); }) ? params.get("sort") : "added";
    /* A shared reading list joins the visitor's own (never replaces it). */
    if (params.has("sel")) lists.add(params.get("sel").split(",").filter(Boolean));
    return s;
  }
  function writeQuery(s) {
    var params = new URLSearchParams();
    if (s.q) params.set("q", s.q);
    s.tags.forEach(function (t) { params.append("tag", t); });
    if (s.tags.length && s.mode !== "any") params.set("mode", s.mode);
    if (s.from || s.to) params.set("year", (s.from || "") + "-" + (s.to || ""));
    s.venues.forEach(function (v) { params.append("venue", v); });
    s.authors.forEach(function (a) { params.append("author", a); });
    if (s.code) params.set("code", "1");
    if (s.addedFrom || s.addedTo) params.set("added", s.addedFrom + ".." + s.addedTo);
    if (s.sort !== "added") params.set("sort", s.sort);
    if (s.only) params.set("only", "selected");
    var query = params.toString();
    return query ? "?" + query : "";
  }
  /* Discrete changes make a history entry (Back undoes them); typing replaces the current one. */
  function commit(push) {
    var url = location.pathname + writeQuery(state) + location.hash;
    if (url !== location.pathname + location.search + location.hash)
      history[push ? "pushState" : "replaceState"](null, "", url);
    shown = PAGE;
    cursor = -1;
    redraw();
  }
  window.addEventListener("popstate", function () {
    if (!D) return;
    state = readState(location.search);
    shown = PAGE;
    cursor = -1;
    syncControls();
    redraw();
  });

  // ---- data -------------------------------------------------------------------------------
  function load(facets) {
    D = facets;
    var count = facets.count;
    papers = exploreData.papersOf(facets);
    titles = exploreData.titleChunks(facets, papers, root, function (p) { bySlug.set(p.slug, p); });
    var idx = papers.map(function (p) { return p.i; });
    allYears = Array.from(new Set(papers.map(function (p) { return p.year; }).filter(Boolean))).sort();
    allMonths = Array.from(new Set(facets.dates.map(function (d) { return d.slice(0, 7); }))).sort();
    order.added = idx;
    order.year = idx.slice().sort(function (a, b) { return (papers[b].year - papers[a].year) || (a - b); });
    order.title = Array.from(exploreData.decodeColumn(facets.titleOrder, count));  // made at build time: no titles needed
    /* The venue table is in alphabetical order already; papers without a venue come last. */
    order.venue = idx.slice().sort(function (a, b) {
      var va = papers[a].venue, vb = papers[b].venue;
      if (va < 0 || vb < 0) return (va < 0) - (vb < 0) || (a - b);
      return (va - vb) || (a - b);
    });
  }
  /* A promise: the titles and slugs of these papers are known. */
  function titlesOf(indices) { return titles.of(indices); }
  function allTitlesKnown() { return titles.allKnown(); }
  function everyTitle() { return titles.all(); }
  function busy(on) {
    if (on) list.setAttribute("aria-busy", "true"); else list.removeAttribute("aria-busy");
    if (!on) drawnWaiters.splice(0).forEach(function (resolve) { resolve(); });
  }
  /* A promise: the list on screen shows the current view (benchmarks/explore.py waits for it too). */
  function whenDrawn() {
    return list.getAttribute("aria-busy") === "true" ? new Promise(function (r) { drawnWaiters.push(r); }) : Promise.resolve();
  }
  window.paperCollectionExplorerDrawn = whenDrawn;
  function authorsKnown() { return exploreData.authorsKnown(D); }
  function titlesFailed() {
    busy(false);
    status.textContent = "The titles could not be loaded; change a filter to try again.";
  }
  // ---- filtering and facet counts (the rules: explore-data.js, shared with the map) -------------
  var TAGS = F.TAGS, YEAR = F.YEAR, VENUE = F.VENUE, AUTHOR = F.AUTHOR, CODE = F.CODE, ADDED = F.ADDED;
  var anyIn = F.anyIn;
  function compile(s) { return F.compile(s, D, lists.all()); }
  function failures(p, s, c) { return F.failures(p, s, c, D); }

  /* The list and, for every facet value, how many papers the list would hold if that value
   * were toggled now (all other filters kept). One pass: a paper failing no filter counts
   * everywhere; a paper failing exactly one filter counts only for that filter's values. */
  function compute(s) {
    var c = compile(s), nTags = D.tags.length;
    var counts = { tags: new Array(nTags).fill(0), years: new Map(), months: new Map(), code: 0,
                   codeOff: 0, venues: new Map(), venuesFree: 0, authors: new Map(), authorsFree: 0 };
    var passing = [];
    var chosenTags = c.tags, tagSet = new Set(chosenTags), tagBase = 0, tagDelta = new Array(nTags).fill(0);
    for (var n = 0; n < papers.length; n++) {
      var p = papers[n], mask = failures(p, s, c);
      if (mask === 0) passing.push(p.i);
      if (mask === 0 || mask === TAGS) {
        /* Toggling a tag the paper lacks and nobody chose has the same outcome for every such
         * tag ("base"); only the paper's own tags and the chosen ones differ from it. */
        var inter = 0, k;
        for (k = 0; k < chosenTags.length; k++) if (p.tags.indexOf(chosenTags[k]) >= 0) inter++;
        var passBase = togglePasses(inter, chosenTags.length + 1, s.mode) ? 1 : 0;
        tagBase += passBase;
        for (k = 0; k < p.tags.length; k++) {
          var own = p.tags[k], chosen = tagSet.has(own);
          tagDelta[own] += (togglePasses(inter + (chosen ? -1 : 1), chosenTags.length + (chosen ? -1 : 1), s.mode) ? 1 : 0) - passBase;
        }
        for (k = 0; k < chosenTags.length; k++) {
          var picked = chosenTags[k];
          if (p.tags.indexOf(picked) < 0)
            tagDelta[picked] += (togglePasses(inter, chosenTags.length - 1, s.mode) ? 1 : 0) - passBase;
        }
      }
      if (mask === 0 || mask === YEAR) counts.years.set(p.year, (counts.years.get(p.year) || 0) + 1);
      if (mask === 0 || mask === ADDED) counts.months.set(p.month, (counts.months.get(p.month) || 0) + 1);
      if (mask === 0 || mask === CODE) { counts.codeOff++; if (p.code) counts.code++; }
      if (mask === 0 || mask === VENUE) multiCount(counts, "venues", p.venue < 0 ? [] : [p.venue], c.venues);
      if (mask === 0 || mask === AUTHOR) multiCount(counts, "authors", p.authors, c.authors);
    }
    for (var t = 0; t < nTags; t++) counts.tags[t] = tagBase + tagDelta[t];
    var sorted = order[s.sort];
    if (s.sort !== "added") {
      var keep = new Uint8Array(papers.length);
      passing.forEach(function (i) { keep[i] = 1; });
      passing = sorted.filter(function (i) { return keep[i]; });
    }
    return { list: passing, counts: counts, compiled: c };
  }
  /* Whether a paper passes the tag filter with `inter` of its tags among `size` chosen ones. */
  function togglePasses(inter, size, mode) {
    return mode === "any" ? (size === 0 || inter > 0) : mode === "all" ? inter === size : inter === 0;
  }
  /* For an any-of facet: papers (failing no other filter) by value; those matching none of the
   * chosen values separately, since adding a value adds exactly those. */
  function multiCount(counts, name, values, chosen) {
    var free = !chosen.size || !anyIn(values, chosen);
    if (!free) return;
    counts[name + "Free"]++;
    for (var k = 0; k < values.length; k++) counts[name].set(values[k], (counts[name].get(values[k]) || 0) + 1);
  }
  /* How many papers remain if value v of an any-of facet is toggled. */
  function multiToggleCount(counts, name, v, chosen, total) {
    if (!chosen.has(v)) return (chosen.size ? total : 0) + (counts[name].get(v) || 0);
    if (chosen.size === 1) return total + counts[name + "Free"];
    return total - exclusiveTo(name, v, chosen);
  }
  function exclusiveTo(name, v, chosen) {  // passing papers whose only chosen value is v
    var count = 0;
    result.forEach(function (i) {
      var values = name === "venues" ? [papers[i].venue] : papers[i].authors, others = 0;
      values.forEach(function (x) { if (x !== v && chosen.has(x)) others++; });
      if (!others && values.indexOf(v) >= 0) count++;
    });
    return count;
  }

  // ---- controls ----------------------------------------------------------------------------
  var ui = {};
  function fieldset(legend, className) {
    var box = el("fieldset", "explore-facet " + (className || ""));
    box.appendChild(el("legend", "explore-facet__legend", legend));
    return box;
  }
  function labelled(control, text, id) {
    control.id = id;
    var label = el("label", "explore-label", text);
    label.htmlFor = id;
    return label;
  }
  function select(id, options) {
    var node = el("select", "explore-select");
    node.id = id;
    options.forEach(function (o) { var opt = el("option", null, o[1]); opt.value = o[0]; node.appendChild(opt); });
    return node;
  }

  function buildControls() {
    var form = el("form", "explore-form");
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter the papers");
    form.addEventListener("submit", function (e) { e.preventDefault(); });

    var textBox = el("div", "explore-text");
    ui.q = el("input", "explore-input");
    ui.q.type = "search";
    ui.q.autocomplete = "off";
    textBox.appendChild(labelled(ui.q, "Filter titles and authors", "explore-q"));
    textBox.appendChild(ui.q);
    ui.fulltext = el("a", "explore-fulltext", "Search abstracts too");
    textBox.appendChild(ui.fulltext);
    ui.q.addEventListener("input", function () { state.q = ui.q.value; commit(false); });
    form.appendChild(textBox);

    var sortBox = el("div", "explore-sort");
    ui.sort = select("explore-sort", SORTS);
    sortBox.append(labelled(ui.sort, "Sort by", "explore-sort"), ui.sort);
    ui.sort.addEventListener("change", function () { state.sort = ui.sort.value; commit(true); });
    form.appendChild(sortBox);
    controls.textContent = "";
    controls.appendChild(form);

    var details = el("details", "explore-filters");
    details.open = !window.matchMedia || window.matchMedia("(min-width: 45em)").matches;
    ui.filtersSummary = el("summary", null, "Filters");
    details.appendChild(ui.filtersSummary);
    var facets = el("div", "explore-form");
    details.appendChild(facets);
    controls.appendChild(details);
    form = facets;

    var tags = fieldset("Tags", "explore-facet--tags");
    ui.mode = select("explore-mode", [["any", "any of the chosen"], ["all", "all of the chosen"],
                                      ["none", "none of the chosen"]]);
    var modeRow = el("div", "explore-facet__mode");
    modeRow.append(labelled(ui.mode, "Papers with", "explore-mode"), ui.mode);
    ui.mode.addEventListener("change", function () { state.mode = ui.mode.value; commit(true); });
    tags.appendChild(modeRow);
    ui.tagList = el("ul", "explore-facet__values");
    ui.tagBoxes = D.tags.map(function (t, i) {
      var li = el("li"), box = el("input");
      box.type = "checkbox";
      box.value = t[0];
      var label = labelled(box, "", "explore-tag-" + i);
      label.prepend(box);
      label.appendChild(el("span", "explore-value__name", t[1]));
      var count = el("span", "explore-value__count");
      label.appendChild(count);
      box.addEventListener("change", function () { toggle(state.tags, t[0]); commit(true); });
      li.appendChild(label);
      ui.tagList.appendChild(li);
      return { box: box, count: count, li: li };
    });
    tags.appendChild(ui.tagList);
    form.appendChild(tags);

    var years = fieldset("Year", "explore-facet--range");
    ui.from = select("explore-from", []);
    ui.to = select("explore-to", []);
    years.append(labelled(ui.from, "from", "explore-from"), ui.from, labelled(ui.to, "to", "explore-to"), ui.to);
    ui.from.addEventListener("change", function () { state.from = +ui.from.value; commit(true); });
    ui.to.addEventListener("change", function () { state.to = +ui.to.value; commit(true); });
    /* The site has a page per year, venue and author exactly when some paper gives one. */
    if (allYears.length) years.appendChild(indexLink("years/", "Papers by year"));
    form.appendChild(years);

    ui.venue = valueFacet(form, "Venue", "venues", function (i) { return D.venues[i]; }, D.venues.length);
    ui.author = valueFacet(form, "Author", "authors", function (i) { return D.authors[i]; }, D.authorCount);
    if (D.venues.length) ui.venue.list.parentNode.appendChild(indexLink("venues/", "All venues"));
    if (D.authorCount) ui.author.list.parentNode.appendChild(indexLink("authors/", "All authors"));
    offerAuthors(ui.author);

    var more = fieldset("More", "explore-facet--more");
    ui.code = el("input");
    ui.code.type = "checkbox";
    var codeLabel = labelled(ui.code, "", "explore-code");
    codeLabel.prepend(ui.code);
    codeLabel.appendChild(el("span", "explore-value__name", "Has code"));
    ui.codeCount = el("span", "explore-value__count");
    codeLabel.appendChild(ui.codeCount);
    ui.code.addEventListener("change", function () { state.code = ui.code.checked; commit(true); });
    more.appendChild(codeLabel);
    var addedRow = el("div", "explore-facet__range");
    ui.addedFrom = select("explore-added-from", []);
    ui.addedTo = select("explore-added-to", []);
    addedRow.append(labelled(ui.addedFrom, "Added from", "explore-added-from"), ui.addedFrom,
                    labelled(ui.addedTo, "to", "explore-added-to"), ui.addedTo);
    ui.addedFrom.addEventListener("change", function () { state.addedFrom = ui.addedFrom.value; commit(true); });
    ui.addedTo.addEventListener("change", function () { state.addedTo = ui.addedTo.value; commit(true); });
    more.appendChild(addedRow);
    ui.only = el("input");
    ui.only.type = "checkbox";
    var onlyLabel = labelled(ui.only, "", "explore-only");
    onlyLabel.prepend(ui.only);
    onlyLabel.appendChild(el("span", "explore-value__name", "Only my reading list"));
    ui.onlyCount = el("span", "explore-value__count");
    onlyLabel.appendChild(ui.onlyCount);
    ui.only.addEventListener("change", function () { state.only = ui.only.checked; commit(true); });
    more.appendChild(onlyLabel);
    form.appendChild(more);

    var reset = el("button", "md-button explore-reset", "Clear all filters");
    reset.type = "button";
    reset.addEventListener("click", function () { var sort = state.sort; state = emptyState(); state.sort = sort; syncControls(); commit(true); });
    form.appendChild(reset);

    controls.appendChild(buildExport());
  }

  /* A facet with many values (venues, authors): the most frequent ones, the chosen ones, and a
   * box to find others by name. */
  function valueFacet(form, legend, name, label, size) {
    var box = fieldset(legend, "explore-facet--" + name);
    var facet = { name: name, label: label, find: null, list: el("ul", "explore-facet__values") };
    if (!size) { box.appendChild(el("p", "explore-facet__none", "Not known for these papers.")); form.appendChild(box); return facet; }
    if (size > FACET_SHOWN) {
      facet.find = el("input", "explore-input explore-input--small");
      facet.find.type = "search";
      facet.find.autocomplete = "off";
      box.append(labelled(facet.find, "Find " + legend.toLowerCase(), "explore-find-" + name), facet.find);
      facet.find.addEventListener("input", function () { redrawFacet(facet); });
    }
    box.appendChild(facet.list);
    form.appendChild(box);
    return facet;
  }

  /* Until the author table is in, the author facet is a button that loads it (so do the find box
   * and an ?author= address); redraw() replaces the button by the facet's values. */
  function offerAuthors(facet) {
    if (authorsKnown() || !D.authorCount) return;
    facet.load = el("button", "md-button explore-authors-load", "Show the authors (" + D.authorCount + ")");
    facet.load.type = "button";
    facet.list.parentNode.insertBefore(facet.load, facet.list);
    facet.load.addEventListener("click", wantAuthors);
    if (facet.find) facet.find.addEventListener("focus", wantAuthors);
  }
  function wantAuthors() {
    var button = ui.author.load;
    if (!button || authorsKnown()) return;
    button.textContent = "Loading the authors\u2026";
    button.setAttribute("aria-busy", "true");
    exploreData.authorTable(D, papers, root).then(redraw, function () {
      if (!ui.author.load) return;
      button.removeAttribute("aria-busy");
      button.textContent = "The authors could not be loaded; try again";
    });
  }
  function authorsShown() {
    var facet = ui.author, button = facet.load;
    if (!button || !authorsKnown()) return;
    facet.load = null;
    var focused = document.activeElement === button;
    button.remove();
    if (focused) {  // keyboard users stay in the facet: on the find box, else the first author
      var next = facet.find || facet.list.querySelector("input");
      if (next) next.focus();
    }
  }

  function indexLink(path, text) {
    var link = el("a", "explore-index-link", text);
    link.href = new URL(path, root).href;
    return link;
  }

  function toggle(array, value) {
    var at = array.indexOf(value);
    if (at >= 0) array.splice(at, 1); else array.push(value);
  }

  function syncControls() {
    ui.q.value = state.q;
    ui.sort.value = state.sort;
    ui.mode.value = state.mode;
    ui.tagBoxes.forEach(function (t, i) { t.box.checked = state.tags.indexOf(D.tags[i][0]) >= 0; });
    ui.code.checked = state.code;
    ui.only.checked = state.only;
  }

  // ---- drawing -----------------------------------------------------------------------------
  var last = null;
  /* performance.measure entries "explore:compute" and "explore:draw" (read by benchmarks/explore.py). */
  function redraw() {
    if (state.authors.length && !authorsKnown()) {
      /* The author filter needs the author table: fetch it once (an ?author= address, or Back). */
      var waiting = ++drawGeneration;
      busy(true);
      status.textContent = "Loading authors\u2026";
      exploreData.authorTable(D, papers, root).then(function () { if (waiting === drawGeneration) redraw(); },
        function () {
          if (waiting !== drawGeneration) return;
          busy(false);
          status.textContent = "The authors could not be loaded; change a filter to try again.";
        });
      return;
    }
    if ((state.q.trim() || (state.only && lists.all().length)) && !allTitlesKnown()) {
      /* The text filter and "only my reading list" read every title (or slug): fetch them all once. */
      var generation = ++drawGeneration;
      busy(true);
      status.textContent = "Loading titles\u2026";
      everyTitle().then(function () { if (generation === drawGeneration) redraw(); },
                        function () { if (generation === drawGeneration) titlesFailed(); });
      return;
    }
    var started = performance.now();
    var computed = compute(state);
    var computedAt = performance.now();
    result = computed.list;
    last = computed;
    var counts = computed.counts, total = result.length;
    ui.tagBoxes.forEach(function (t, i) {
      setText(t.count, String(counts.tags[i]));
      t.li.classList.toggle("explore-value--empty", counts.tags[i] === 0 && !t.box.checked);
    });
    rangeOptions(ui.from, ui.to, counts.years, state.from, state.to, "Any year", false);
    rangeOptions(ui.addedFrom, ui.addedTo, counts.months, state.addedFrom, state.addedTo, "Any time", true);
    setText(ui.codeCount, String(state.code ? counts.codeOff : counts.code));
    setText(ui.onlyCount, String(lists.all().length));
    redrawFacet(ui.venue);
    redrawFacet(ui.author);
    authorsShown();
    var q = state.q.trim();
    ui.fulltext.href = new URL("?search=" + encodeURIComponent(q), root).href;
    ui.fulltext.textContent = q ? "Search titles and abstracts for \u201c" + q + "\u201d" : "Search titles and abstracts";
    var active = (state.tags.length ? 1 : 0) + (state.from || state.to ? 1 : 0) + state.venues.length +
      state.authors.length + (state.code ? 1 : 0) + (state.addedFrom || state.addedTo ? 1 : 0) + (state.only ? 1 : 0);
    setText(ui.filtersSummary, active ? "Filters (" + active + " on)" : "Filters");
    drawList();
    updateExport();
    if (performance.measure) {
      try {
        performance.measure("explore:compute", { start: started, end: computedAt });
        performance.measure("explore:draw", { start: computedAt, end: performance.now() });
      } catch (error) { /* older browsers: no timings */ }
    }
  }

  /* Range selects: each option shows how many papers the list would hold with that bound. The
   * options are made once and only their text changes. */
  function rangeOptions(fromSelect, toSelect, histogram, from, to, anyText, isMonth) {
    var keys = isMonth ? allMonths : allYears;
    function count(lo, hi) {
      var n = 0;
      histogram.forEach(function (c, k) { if ((!lo || (k && k >= lo)) && (!hi || (k && k <= hi))) n += c; });
      return n;
    }
    function fill(node, isFrom, current) {
      var values = isFrom ? keys : keys.slice().reverse();
      if (node.options.length !== values.length + 1) {
        node.textContent = "";
        node.appendChild(el("option")).value = isMonth ? "" : "0";
        values.forEach(function (k) { node.appendChild(el("option")).value = String(k); });
      }
      setText(node.options[0], anyText + " (" + count(isFrom ? 0 : from, isFrom ? to : 0) + ")");
      values.forEach(function (k, n) {
        setText(node.options[n + 1], k + " (" + (isFrom ? count(k, to) : count(from, k)) + ")");
      });
      node.value = current ? String(current) : node.options[0].value;
    }
    fill(fromSelect, true, from);
    fill(toSelect, false, to);
  }

  function redrawFacet(facet) {
    if (!facet.list || !last || (facet.name === "authors" && !authorsKnown())) return;
    var name = facet.name, counts = last.counts;
    var chosen = name === "venues" ? last.compiled.venues : last.compiled.authors;
    var needle = facet.find ? facet.find.value.trim().toLowerCase() : "";
    var candidates = [];
    if (needle) {
      var table = name === "venues" ? D.venues : D.authors;
      for (var i = 0; i < table.length && candidates.length < 200; i++)
        if (table[i].toLowerCase().indexOf(needle) >= 0) candidates.push(i);
    } else {
      candidates = Array.from(counts[name].keys());
    }
    var values = Array.from(chosen).filter(function (v) { return v !== undefined; })
      .concat(topValues(candidates.filter(function (v) { return !chosen.has(v); }), counts[name], FACET_SHOWN));
    /* The items are kept between redraws; an item shows another value only when the top ones change. */
    facet.items = facet.items || [];
    values.forEach(function (v, k) {
      var item = facet.items[k];
      if (!item) {
        item = facet.items[k] = { v: -1, li: el("li"), box: el("input"), name: el("span", "explore-value__name"),
                                  count: el("span", "explore-value__count") };
        item.box.type = "checkbox";
        item.label = el("label", "explore-label");
        item.label.append(item.box, item.name, item.count);
        item.li.appendChild(item.label);
        item.box.addEventListener("change", function () {
          toggle(name === "venues" ? state.venues : state.authors, facet.label(item.v));  // state is replaced on Back
          commit(true);
          refocus("explore-" + name + "-" + item.v);
        });
      }
      if (item.v !== v) {
        item.v = v;
        item.box.id = item.label.htmlFor = "explore-" + name + "-" + v;
        item.name.textContent = facet.label(v);
      }
      item.box.checked = chosen.has(v);
      setText(item.count, String(multiToggleCount(counts, name, v, chosen, result.length)));
      if (item.li.parentNode !== facet.list) facet.list.appendChild(item.li);
    });
    for (var k = values.length; k < facet.items.length && facet.items[k].li.parentNode === facet.list; k++)
      facet.items[k].li.remove();
  }
  /* The `size` values with the highest counts (ties: table order), without sorting them all. */
  function topValues(values, count, size) {
    var top = [];
    function before(a, b) { var ca = count.get(a) || 0, cb = count.get(b) || 0; return ca > cb || (ca === cb && a < b); }
    values.forEach(function (v) {
      if (top.length === size && !before(v, top[size - 1])) return;
      var at = top.length;
      while (at > 0 && before(v, top[at - 1])) at--;
      top.splice(at, 0, v);
      if (top.length > size) top.pop();
    });
    return top;
  }
  function refocus(id) { var node = document.getElementById(id); if (node) node.focus(); }

  /* The rows on screen, kept between redraws: a redraw rewrites only the rows whose paper changed
   * (and ticks the boxes), instead of making 50 rows of new elements each time. */
  var rowPool = [];
  /* Rows are drawn at once from the facet data; a row whose title is still on its way shows
   * "Loading title…" (and the list is aria-busy) until its chunk arrives. */
  function drawList() {
    var generation = ++drawGeneration, slice = result.slice(0, shown);
    var waiting = slice.some(function (i) { return papers[i].title === null; });
    if (waiting) {
      busy(true);
      titlesOf(slice).then(function () {
        if (generation !== drawGeneration) return;
        var chosen = new Set(lists.all());
        slice.forEach(function (i, k) {
          if (rowPool[k].i === i) return;
          fillRow(rowPool[k], papers[i]);
          rowPool[k].box.checked = chosen.has(papers[i].slug);
        });
        busy(false);
      }, function () { if (generation === drawGeneration) titlesFailed(); });
    }
    var total = result.length;
    setText(status, total === papers.length && !state.q ? total + " papers" : total + " of " + papers.length + " papers");
    var selected = new Set(lists.all());
    if (!rowPool.length) list.textContent = "";  // the page's own rows, made without this script
    slice.forEach(function (i, k) {
      var row = rowPool[k] || (rowPool[k] = newRow());
      if (row.i !== i) fillRow(row, papers[i]);
      row.box.checked = papers[i].slug !== null && selected.has(papers[i].slug);
      row.li.classList.remove("explore-row--current");
      if (row.li.parentNode !== list) list.appendChild(row.li);
    });
    for (var k = slice.length; k < rowPool.length && rowPool[k].li.parentNode === list; k++) rowPool[k].li.remove();
    moreBox.textContent = "";
    if (total > shown) {
      var button = el("button", "md-button explore-more", "Show " + Math.min(PAGE, total - shown) + " more (" + (total - shown) + " left)");
      button.type = "button";
      button.addEventListener("click", function () {
        var first = shown;
        shown += PAGE;
        drawList();
        whenDrawn().then(function () { focusRow(first); });
      });
      moreBox.appendChild(button);
    }
    if (!waiting) busy(false);
  }

  function newRow() {
    var row = { i: -1, li: el("li", "explore-row"), box: el("input", "explore-row__select"),
                link: el("a", "explore-row__title"), meta: el("p", "explore-row__meta"), tags: el("p", "explore-row__tags") };
    row.box.type = "checkbox";
    var body = el("div", "explore-row__body");
    body.append(row.link, row.meta, row.tags);
    row.li.append(row.box, body);
    return row;
  }
  function fillRow(row, p) {
    var known = p.title !== null;
    row.i = known ? p.i : -1;  // a row still waiting is filled again when its title arrives
    row.li.classList.toggle("explore-row--waiting", !known);
    row.box.disabled = !known;
    row.box.setAttribute("aria-label", "Reading list: " + (known ? p.title : "paper loading"));
    row.link.textContent = known ? p.title : "Loading title\u2026";
    if (known) {
      row.li.dataset.slug = p.slug;
      row.link.href = paperUrl(p);
    } else {
      delete row.li.dataset.slug;
      row.link.removeAttribute("href");
    }
    var meta = [];
    if (p.names && p.names.length) meta.push(p.names.join(", "));  // from the title chunk, with the title
    if (p.venue >= 0) meta.push(D.venues[p.venue]);
    if (p.year) meta.push(String(p.year));
    meta.push("added " + p.added);
    if (p.code) meta.push("code");
    row.meta.textContent = meta.join(" \u00b7 ");  // one text node: the page's own rows use spans and CSS dots
    var tags = [];
    p.tags.forEach(function (t) {
      var a = el("a", "paper-tag paper-tag--small", D.tags[t][1]);
      a.href = new URL("tags/" + encodeURIComponent(D.tags[t][0]) + "/", root).href;
      tags.push(a, " ");
    });
    row.tags.replaceChildren.apply(row.tags, tags);
  }
  /* One listener for every row's box (rows are reused, their papers change). */
  list.addEventListener("change", function (event) {
    var box = event.target, li = box.closest ? box.closest(".explore-row") : null;
    if (!li || !box.classList.contains("explore-row__select") || !li.dataset.slug) return;
    lists.set(li.dataset.slug, box.checked);
    afterSelection();
  });

  function afterSelection() {
    setText(ui.onlyCount, String(lists.all().length));
    if (state.only) redraw(); else updateExport();
  }

  // ---- keyboard: j/k or arrows move, Enter opens (the focused link), x selects --------------
  function rows() { return list.querySelectorAll(".explore-row"); }
  function focusRow(n) {
    var all = rows();
    if (!all.length) return;
    cursor = Math.max(0, Math.min(n, all.length - 1));
    all.forEach(function (r, k) { r.classList.toggle("explore-row--current", k === cursor); });
    all[cursor].querySelector(".explore-row__title").focus();
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || !D) return;
    if (target && (target.isContentEditable || /^(textarea|select)$/i.test(target.tagName) ||
                   (target.tagName === "INPUT" && target.type !== "checkbox"))) return;
    var inList = list.contains(target);
    var current = target && target.closest ? target.closest(".explore-row") : null;
    if (current) cursor = Array.prototype.indexOf.call(rows(), current);
    var key = event.key;
    if (key === "j" || (inList && key === "ArrowDown")) { event.preventDefault(); focusRow(cursor + 1); }
    else if (key === "k" || (inList && key === "ArrowUp")) { event.preventDefault(); focusRow(cursor - 1); }
    else if (key === "x" && cursor >= 0) {
      var box = rows()[cursor] && rows()[cursor].querySelector(".explore-row__select");
      if (box) { event.preventDefault(); box.click(); focusRow(cursor); }
    }
  });

  // ---- reading list export -------------------------------------------------------------------
  var ex = {};
  function buildExport() {
    var panel = el("details", "explore-export");
    panel.open = !window.matchMedia || window.matchMedia("(min-width: 45em)").matches;
    ex.title = el("summary", "explore-export__title", "Reading list and export");
    panel.appendChild(ex.title);
    ex.summary = el("p", "explore-export__summary");
    panel.appendChild(ex.summary);
    var row1 = el("div", "explore-export__row");
    ex.scope = select("explore-export-scope", [["selection", "My reading list"], ["view", "The papers listed"]]);
    ex.format = select("explore-export-format", FORMATS.map(function (f) { return [f[0], f[1]]; }));
    row1.append(labelled(ex.scope, "Export", "explore-export-scope"), ex.scope,
                labelled(ex.format, "as", "explore-export-format"), ex.format);
    panel.appendChild(row1);
    var row2 = el("div", "explore-export__row");
    ex.copy = el("button", "md-button", "Copy");
    ex.download = el("button", "md-button", "Download");
    ex.selectView = el("button", "md-button", "Add listed papers to reading list");
    ex.clear = el("button", "md-button", "Empty reading list");
    [ex.copy, ex.download, ex.selectView, ex.clear].forEach(function (b) { b.type = "button"; row2.appendChild(b); });
    panel.appendChild(row2);
    ex.share = el("a", "explore-export__share", "Link to this reading list");
    panel.appendChild(ex.share);
    ex.message = el("p", "explore-export__message");
    ex.message.setAttribute("role", "status");
    panel.appendChild(ex.message);
    ex.output = el("textarea", "explore-export__output");
    ex.output.readOnly = true;
    ex.output.rows = 8;
    ex.output.hidden = true;
    ex.output.setAttribute("aria-label", "Exported citations");
    panel.appendChild(ex.output);
    ex.copy.addEventListener("click", function () { exportNow("copy"); });
    ex.download.addEventListener("click", function () { exportNow("download"); });
    ex.selectView.addEventListener("click", function () {
      var listed = result.slice();
      ex.message.textContent = "Adding " + listed.length + " papers\u2026";
      titlesOf(listed).then(function () {
        lists.add(listed.map(function (i) { return papers[i].slug; }));
        afterSelection();
        drawList();
        ex.message.textContent = "Added " + listed.length + " papers to your reading list.";
      }, function () { ex.message.textContent = "The titles could not be loaded; try again."; });
    });
    ex.clear.addEventListener("click", function () {
      lists.replace([]);
      afterSelection();
      drawList();
      ex.message.textContent = "Your reading list is empty.";
    });
    return panel;
  }
  function updateExport() {
    /* Which stored slugs are papers of this collection is known once every slug is: a visitor with
     * a reading list loads them all (in the background), one without never does. */
    var stored = lists.all();
    if (stored.length && !allTitlesKnown()) everyTitle().then(updateExport, function () {});
    var selected = allTitlesKnown() ? stored.filter(function (s) { return bySlug.has(s); }) : stored;
    ex.title.textContent = "Reading list and export (" + selected.length + ")";
    ex.summary.textContent = selected.length + " paper" + (selected.length === 1 ? "" : "s") +
      " in your reading list; " + result.length + " listed.";
    var params = new URLSearchParams({ only: "selected", sel: selected.join(",") });
    ex.share.href = location.pathname + "?" + params.toString();
  }
  function chosenPapers() {
    if (ex.scope.value === "view") return result.map(function (i) { return papers[i]; });
    return lists.all().map(function (s) { return bySlug.get(s); }).filter(Boolean)
      .sort(function (a, b) { return a.i - b.i; });
  }
  function citations(chosen) {
    var needed = new Set(chosen.map(function (p) { return Math.floor(p.i / D.chunk); }));
    return Promise.all(Array.from(needed).map(function (n) {
      if (!citeChunks[n]) {
        var url = new URL("explore/cite/" + n + ".json", root);
        url.searchParams.set("v", D.version);
        citeChunks[n] = fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
        citeChunks[n].catch(function () { delete citeChunks[n]; });
      }
      return citeChunks[n];
    })).then(function () {
      return Promise.all(chosen.map(function (p) {
        return citeChunks[Math.floor(p.i / D.chunk)].then(function (chunk) { return chunk[p.i % D.chunk]; });
      }));
    });
  }
  function exportText(entries, format) {
    if (format === "bibtex") return entries.map(function (e) { return e[0]; }).join("\n");
    if (format === "ris") return entries.map(function (e) { return e[1]; }).join("");
    return JSON.stringify(entries.map(function (e) { return e[2]; }), null, 2) + "\n";
  }
  function exportNow(action) {
    if (ex.scope.value === "selection" && !allTitlesKnown()) {  // the reading list holds slugs
      ex.message.textContent = "Loading titles\u2026";
      everyTitle().then(function () { exportNow(action); },
                        function () { ex.message.textContent = "The titles could not be loaded; try again."; });
      return;
    }
    var chosen = chosenPapers(), format = FORMATS.filter(function (f) { return f[0] === ex.format.value; })[0];
    if (!chosen.length) {
      ex.message.textContent = ex.scope.value === "view" ? "No papers are listed." : "Your reading list is empty: tick papers first.";
      return;
    }
    ex.message.textContent = "Preparing " + chosen.length + " entries\u2026";
    citations(chosen).then(function (entries) {
      var text = exportText(entries, format[0]);
      ex.output.value = text;
      ex.output.hidden = false;
      if (action === "download") {
        var blob = new Blob([text], { type: format[3] + ";charset=utf-8" });
        var a = el("a");
        a.href = URL.createObjectURL(blob);
        a.download = "papers" + format[2];
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
        ex.message.textContent = "Downloaded " + chosen.length + " entries as " + format[1] + ".";
        return;
      }
      var done = function () { ex.message.textContent = "Copied " + chosen.length + " entries as " + format[1] + "."; };
      var fallback = function () { ex.output.select(); document.execCommand("copy"); done(); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    }).catch(function () { ex.message.textContent = "The citations could not be loaded; try again."; });
  }

  // ---- start -------------------------------------------------------------------------------
  var dataUrl = new URL("explore/facets.json", root);
  fetch(dataUrl).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(function (facets) {
    load(facets);
    state = readState(location.search);
    buildControls();
    syncControls();
    redraw();
    return whenDrawn();
  }).then(function () {
    mount.classList.add("explore--ready");
    if (performance.mark) performance.mark("explore:ready");
  }).catch(function () {
    status.textContent = "The filters could not be loaded; the newest papers are listed.";
  });
})();
