/* The collection map (/map/): every paper as a point placed by the similarity of its title and
 * abstract (generator/site/collection_map.py), coloured by its first tag, on a canvas.
 *
 * Data: map/points.json (integer coordinates, as the explorer data's base-64 columns, in the order of its
 * papers; the tag colours)
 * and the explorer's own files, read by explore-data.js as explore.js reads them: explore/facets.json
 * (tags, years, venues, authors, code, dates added: filters and colours) and the title chunks
 * (explore/titles/N.json), fetched for the papers shown (under the pointer, at the keyboard, in the
 * highlighted list), and all of them only when a text filter (or "only my reading list") needs
 * every title. The explorer's filters in the address (q, tag, mode, year, venue, author, code,
 * added, only: the same names and meaning as in explore.js) highlight the papers they leave. Every
 * text from the data is inserted with textContent, never as HTML.
 *
 * Keyboard: the map is one Tab stop; arrow keys move to the nearest paper in that direction (among
 * the highlighted ones when a filter is on), Enter opens it, + and - zoom, Escape leaves the paper.
 * The "find" box lists matching titles; choosing one moves the map to it. */
(function () {
  "use strict";

  var mount = document.getElementById("map");
  if (!mount || !window.fetch || !window.URLSearchParams || !window.HTMLCanvasElement ||
      !window.paperCollectionExploreData) return;
  var status = document.getElementById("map-status");
  var configElement = document.getElementById("__config");
  var config = configElement ? JSON.parse(configElement.textContent) : {};
  var root = new URL(String(config.base || ".").replace(/\/?$/, "/"), location.href);
  var lists = window.paperCollectionReadingList;  // collection.js: the reading list in localStorage
  var exploreData = window.paperCollectionExploreData;  // explore-data.js: decodes facets.json, fetches title chunks

  var PAD = 12, RADIUS = 2.5, HIT = 12, MATCHES_SHOWN = 8, BUCKETS = 64;
  var M = null, D = null, titles = null;  // map/points.json, explore/facets.json, its title chunks
  var papers = [];  // explore-data.js's papers (title and slug null until their chunk is in) + {x, y, colour}
  var state = null, matched = null, matchList = [], current = -1, hover = -1, generation = 0;
  var LOADING = "Loading title\u2026";
  var view = { zoom: 1, x: 0, y: 0 };  // visible square: top-left (x, y) in grid units, grid / zoom wide
  var ui = {}, size = 0, buckets = null, pending = false;
  // redraw: a picture of the points when there are many (drawn from, while the view moves), whether the
  // next frame draws them in full, and the timer that draws them in full once the view rests
  var PICTURE_FROM = 5000, SETTLE_MS = 150, picture = null, inFull = false, settle = 0;
  var drawn = { full: 0, picture: 0 };  // frames of each kind (read by the tests and benchmarks/map.py)
  window.paperCollectionMap = { drawn: drawn };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function paperUrl(p) { return new URL("papers/" + encodeURIComponent(p.slug) + "/", root).href; }
  function dark() { return document.body.getAttribute("data-md-color-scheme") === "slate"; }

  // ---- the explorer's filters (explore-data.js: the same rules as the explorer's) ----------------
  var F = exploreData.filters;
  function readState(search) { return F.readFilters(search); }
  /* Like explore.js: the text filter reads every title, "only my reading list" every slug. */
  function needsEveryTitle(s) { return !!(s.q.trim() || (s.only && lists && lists.all().length)); }
  /* The papers the explorer would list for `s` (a Uint8Array of 0/1), or null when nothing is filtered. */
  function filter(s) {
    if (!F.active(s)) return null;
    var c = F.compile(s, D, lists ? lists.all() : null);
    var out = new Uint8Array(papers.length);
    for (var n = 0; n < papers.length; n++) if (F.failures(papers[n], s, c, D) === 0) out[n] = 1;
    return out;
  }
  function describe(s) { return F.describe(s, D); }
  function explorerQuery() {
    var params = new URLSearchParams(location.search);
    params.delete("sel");
    var query = params.toString();
    return query ? "?" + query : "";
  }

  // ---- geometry ---------------------------------------------------------------------------------
  function scale() { return (size - 2 * PAD) / M.grid * view.zoom; }
  function screenX(p) { return PAD + (p.x - view.x) * scale(); }
  function screenY(p) { return PAD + (p.y - view.y) * scale(); }
  function index() {
    buckets = new Array(BUCKETS * BUCKETS);
    var cell = M.grid / BUCKETS;
    papers.forEach(function (p) {
      var b = Math.min(BUCKETS - 1, Math.floor(p.y / cell)) * BUCKETS + Math.min(BUCKETS - 1, Math.floor(p.x / cell));
      (buckets[b] || (buckets[b] = [])).push(p.i);
    });
  }
  /* The paper nearest to a point of the canvas (CSS px), within HIT px; highlighted ones first. */
  function at(cx, cy) {
    var s = scale(), gx = view.x + (cx - PAD) / s, gy = view.y + (cy - PAD) / s, reach = HIT / s;
    var cell = M.grid / BUCKETS, best = -1, bestD = Infinity;
    var x0 = Math.max(0, Math.floor((gx - reach) / cell)), x1 = Math.min(BUCKETS - 1, Math.floor((gx + reach) / cell));
    var y0 = Math.max(0, Math.floor((gy - reach) / cell)), y1 = Math.min(BUCKETS - 1, Math.floor((gy + reach) / cell));
    for (var by = y0; by <= y1; by++) for (var bx = x0; bx <= x1; bx++) {
      var bucket = buckets[by * BUCKETS + bx];
      if (!bucket) continue;
      for (var k = 0; k < bucket.length; k++) {
        var p = papers[bucket[k]], d = (p.x - gx) * (p.x - gx) + (p.y - gy) * (p.y - gy);
        if (matched && !matched[p.i]) d += reach * reach;  // a faded point only when no highlighted one is near
        if (d <= reach * reach * 2 && d < bestD) { best = p.i; bestD = d; }
      }
    }
    return best;
  }
  /* The nearest paper from `from` in a direction (dx, dy): within 60° of it, the closest, with
   * sideways distance counting double. Among the highlighted papers when a filter is on. */
  function step(from, dx, dy) {
    var a = papers[from], best = -1, bestScore = Infinity;
    for (var n = 0; n < papers.length; n++) {
      if (n === from || (matched && !matched[n])) continue;
      var p = papers[n], vx = p.x - a.x, vy = p.y - a.y, along = vx * dx + vy * dy, side = Math.abs(vx * dy - vy * dx);
      if (along <= 0 || side > along * 1.8) continue;
      var score = along + 2 * side;
      if (score < bestScore) { bestScore = score; best = n; }
    }
    return best;
  }
  function keepInView(p) {
    var span = M.grid / view.zoom, margin = span * 0.08;
    if (p.x < view.x + margin || p.x > view.x + span - margin) view.x = p.x - span / 2;
    if (p.y < view.y + margin || p.y > view.y + span - margin) view.y = p.y - span / 2;
    clampView();
  }
  function clampView() {
    var span = M.grid / view.zoom;
    view.x = Math.max(0, Math.min(M.grid - span, view.x));
    view.y = Math.max(0, Math.min(M.grid - span, view.y));
  }
  function zoomBy(factor, gx, gy) {
    var span = M.grid / view.zoom;
    if (gx === undefined) { gx = view.x + span / 2; gy = view.y + span / 2; }
    var zoom = Math.max(1, Math.min(32, view.zoom * factor));
    var fx = (gx - view.x) / span, fy = (gy - view.y) / span;
    view.zoom = zoom;
    span = M.grid / zoom;
    view.x = gx - fx * span;
    view.y = gy - fy * span;
    clampView();
    ui.zoomOut.disabled = zoom <= 1;
    // on a touch screen, one finger pans the zoomed map, and scrolls the page past the whole map
    ui.canvas.style.touchAction = zoom > 1 ? "pinch-zoom" : "";
    redraw(true);  // once a frame, however many wheel or pinch events came in it
  }

  // ---- drawing ----------------------------------------------------------------------------------
  function colours() {
    var scheme = dark() ? "dark" : "light";
    return { palette: M.palette[scheme], other: M.other[scheme], fg: dark() ? "#e2e4e9" : "#1f2937",
             faded: dark() ? "rgba(158,164,176,.45)" : "rgba(107,114,128,.4)" };
  }
  function resize() {
    var width = Math.floor(ui.frame.clientWidth);
    size = Math.max(200, Math.min(width, Math.floor(window.innerHeight * 0.85)));
    var ratio = window.devicePixelRatio || 1;
    ui.canvas.style.width = size + "px";
    ui.canvas.style.height = size + "px";
    ui.canvas.width = Math.round(size * ratio);
    ui.canvas.height = Math.round(size * ratio);
    ui.context.setTransform(ratio, 0, 0, ratio, 0, 0);
  }
  function radius() {  // points shrink with a narrow canvas (a phone), grow when zoomed in
    var r = Math.min(7, RADIUS * Math.max(0.6, Math.min(1, size / 600)) * Math.sqrt(view.zoom));
    return { r: r, big: matched ? r + 1.5 : r };
  }
  function draw() {
    var c = ui.context, colour = colours(), s = scale(), n, p, x, y, shown = 0;
    var fill = colour.palette.concat([colour.other]);
    c.clearRect(0, 0, size, size);
    var sizes = radius(), r = sizes.r, big = sizes.big;
    // faded points first, then by colour (one path per colour: fast at 10,000 points)
    if (matched) {
      c.fillStyle = colour.faded;
      c.beginPath();
      for (n = 0; n < papers.length; n++) {
        if (matched[n]) continue;
        p = papers[n]; x = PAD + (p.x - view.x) * s; y = PAD + (p.y - view.y) * s;
        if (x < -r || y < -r || x > size + r || y > size + r) continue;
        c.moveTo(x + r * 0.8, y);
        c.arc(x, y, r * 0.8, 0, 2 * Math.PI);
        shown++;
      }
      c.fill();
    }
    for (var k = 0; k < fill.length; k++) {
      c.fillStyle = fill[k];
      c.beginPath();
      for (n = 0; n < papers.length; n++) {
        p = papers[n];
        if (p.colour !== k || (matched && !matched[n])) continue;
        x = PAD + (p.x - view.x) * s; y = PAD + (p.y - view.y) * s;
        if (x < -big || y < -big || x > size + big || y > size + big) continue;
        c.moveTo(x + big, y);
        c.arc(x, y, big, 0, 2 * Math.PI);
        shown++;
      }
      c.fill();
    }
    if (matched) {  // a ring marks the highlighted points (colour is not the only sign)
      c.strokeStyle = colour.fg;
      c.lineWidth = 1;
      c.beginPath();
      for (n = 0; n < papers.length; n++) {
        if (!matched[n]) continue;
        p = papers[n]; x = PAD + (p.x - view.x) * s; y = PAD + (p.y - view.y) * s;
        if (x < -big - 1 || y < -big - 1 || x > size + big + 1 || y > size + big + 1) continue;
        c.moveTo(x + big + 0.5, y);
        c.arc(x, y, big + 0.5, 0, 2 * Math.PI);
      }
      c.stroke();
    }
    // Many points take long to paint (software drawing: 100 ms for 50,000): a picture of them, for
    // the frames of a zoom, a pan or a pointer that moves (see redraw).
    picture = shown >= PICTURE_FROM ? takePicture(s) : null;
    marks(c, colour, big);
  }
  function marks(c, colour, big) {  // the rings of the paper under the pointer and of the current one
    [hover, current].forEach(function (i) {
      if (i < 0) return;
      var p = papers[i];
      c.strokeStyle = colour.fg;
      c.lineWidth = 2.5;
      c.beginPath();
      c.arc(screenX(p), screenY(p), big + 5, 0, 2 * Math.PI);
      c.stroke();
    });
    placeTip();
  }
  function takePicture(s) {
    var canvas = picture ? picture.canvas : document.createElement("canvas");
    canvas.width = ui.canvas.width;  // (also clears it)
    canvas.height = ui.canvas.height;
    canvas.getContext("2d").drawImage(ui.canvas, 0, 0);
    return { canvas: canvas, x: view.x, y: view.y, scale: s, size: size };
  }
  /* The last picture of the points, moved and scaled to the view, and the rings: exact while the view
     is the picture's (the pointer moved), an approximation during a zoom or a pan, drawn exactly
     once the view rests. */
  function drawFromPicture() {
    var c = ui.context, s = scale(), k = s / picture.scale;
    c.clearRect(0, 0, size, size);
    c.drawImage(picture.canvas, PAD + (picture.x - view.x) * s - PAD * k, PAD + (picture.y - view.y) * s - PAD * k,
                picture.size * k, picture.size * k);
    marks(c, colours(), radius().big);
  }
  function pictureFits() { return picture && picture.size === size; }
  function samePlace() { return picture.x === view.x && picture.y === view.y && picture.scale === scale(); }
  /* The next frame draws the map: in full, or (`quick`: only the view, the pointer or the current paper
     changed) from the picture of the points when there is one, then in full once the view rests. */
  function redraw(quick) {
    if (quick && pictureFits()) {
      if (!samePlace()) {
        clearTimeout(settle);
        settle = setTimeout(function () { redraw(); }, SETTLE_MS);
      }
    } else {
      inFull = true;
    }
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      if (inFull || !pictureFits()) {
        inFull = false;
        draw();
        drawn.full++;
      } else {
        drawFromPicture();
        drawn.picture++;
      }
    });
  }

  // ---- the title of the paper under the pointer or the keyboard -----------------------------------
  function tagTitles(p) { return p.tags.map(function (t) { return D.tags[t][1]; }); }
  function placeTip() {
    var i = hover >= 0 ? hover : current;
    if (i < 0) { ui.tip.hidden = true; return; }
    var p = papers[i];
    ui.tipTitle.textContent = p.title !== null ? p.title : LOADING;
    if (p.title === null) {  // its chunk: the label is placed again when it arrives
      titles.of([i]).then(placeTip, function () {
        if (hover === i || (hover < 0 && current === i)) ui.tipTitle.textContent = "The title could not be loaded.";
      });
    }
    ui.tipMeta.textContent = [tagTitles(p).join(", "), p.year ? String(p.year) : ""].filter(Boolean).join(" · ");
    ui.tip.hidden = false;
    var x = screenX(p), y = screenY(p), width = ui.tip.offsetWidth, height = ui.tip.offsetHeight;
    var left = Math.max(0, Math.min(size - width, x - width / 2));
    var top = y - height - 14 >= 0 ? y - height - 14 : y + 14;
    ui.tip.style.left = (ui.canvas.offsetLeft + left) + "px";
    ui.tip.style.top = (ui.canvas.offsetTop + top) + "px";
  }
  function setCurrent(i) {
    current = i;
    if (i >= 0) keepInView(papers[i]);
    announce("");
    placeTip();  // the label at once; the points at the next frame
    redraw(true);
  }
  /* Says which paper the keyboard is on (after `before`), once its title is known. */
  function announce(before) {
    var i = current;
    if (i < 0) { ui.announce.textContent = ""; return; }
    var p = papers[i];
    if (p.title === null) {
      ui.announce.textContent = before + LOADING;
      titles.of([i]).then(function () { if (current === i) announce(before); }, function () {
        if (current === i) ui.announce.textContent = before + "The title could not be loaded.";
      });
      return;
    }
    ui.announce.textContent = before + p.title + (p.tags.length ? ". Tags: " + tagTitles(p).join(", ") : "") +
      ". Press Enter to open it.";
  }
  /* Opens a paper's page (its slug comes with its title). */
  function openPaper(i) {
    titles.of([i]).then(function () { location.href = paperUrl(papers[i]); }, function () {
      ui.announce.textContent = "The paper's address could not be loaded; try again.";
    });
  }

  // ---- controls ---------------------------------------------------------------------------------
  function build() {
    mount.textContent = "";
    var form = el("form", "map-find");
    form.setAttribute("role", "search");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var label = el("label", "map-find__label", "Highlight papers with these words in the title or authors");
    label.htmlFor = "map-q";
    ui.q = el("input", "map-find__input");
    ui.q.type = "search";
    ui.q.id = "map-q";
    ui.q.autocomplete = "off";
    ui.q.value = state.q;
    ui.q.addEventListener("input", function () {
      var params = new URLSearchParams(location.search);
      if (ui.q.value) params.set("q", ui.q.value); else params.delete("q");
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
      state = readState(location.search);
      update();
    });
    form.appendChild(label);
    form.appendChild(ui.q);
    // Any tag, not only those with a colour of their own (the legend's), can be highlighted.
    var tagLabel = el("label", "map-find__label", "Highlight a tag");
    tagLabel.htmlFor = "map-tag";
    ui.tag = el("select", "map-find__select");
    ui.tag.id = "map-tag";
    ui.tag.appendChild(el("option", null, "Any tag (no tag filter)")).value = "";
    D.tags.forEach(function (t) { ui.tag.appendChild(el("option", null, t[1])).value = t[0]; });
    ui.tag.addEventListener("change", function () {
      var params = new URLSearchParams(location.search);
      params.delete("tag");
      params.delete("mode");
      if (ui.tag.value) params.append("tag", ui.tag.value);
      var query = params.toString();
      history.pushState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
      state = readState(location.search);
      update();
    });
    form.appendChild(tagLabel);
    form.appendChild(ui.tag);
    mount.appendChild(form);

    ui.summary = el("p", "map__summary");
    ui.summary.id = "map-summary";
    ui.summary.setAttribute("role", "status");
    mount.appendChild(ui.summary);
    ui.matches = el("ul", "map-matches");
    ui.matches.id = "map-matches";
    ui.matches.setAttribute("aria-label", "Highlighted papers: choose one to show it on the map");
    mount.appendChild(ui.matches);

    var tools = el("div", "map-tools");
    ui.zoomIn = el("button", "md-button map-tools__button", "Zoom in");
    ui.zoomOut = el("button", "md-button map-tools__button", "Zoom out");
    [ui.zoomIn, ui.zoomOut].forEach(function (b) { b.type = "button"; tools.appendChild(b); });
    ui.zoomIn.addEventListener("click", function () {
      if (current >= 0) zoomBy(2, papers[current].x, papers[current].y); else zoomBy(2);
    });
    ui.zoomOut.addEventListener("click", function () { zoomBy(0.5); });
    ui.zoomOut.disabled = true;
    mount.appendChild(tools);

    ui.frame = el("div", "map-frame");
    ui.view = el("div", "map-view");
    ui.view.id = "map-view";
    ui.view.tabIndex = 0;
    ui.view.setAttribute("role", "application");
    ui.view.setAttribute("aria-roledescription", "map");
    ui.view.setAttribute("aria-label", "Map of " + papers.length + " papers");
    ui.help = el("p", "map__help", "Arrow keys move to the nearest paper in that direction" +
                 " (among the highlighted ones when a filter is on), Enter opens it, + and - zoom, Escape leaves it." +
                 " With a mouse: Ctrl + wheel zooms, drag moves the zoomed map.");
    ui.help.id = "map-help";
    ui.view.setAttribute("aria-describedby", "map-help");
    ui.canvas = el("canvas", "map-canvas");
    ui.canvas.setAttribute("aria-hidden", "true");
    ui.context = ui.canvas.getContext("2d");
    ui.tip = el("div", "map-tip");
    ui.tip.id = "map-tip";
    ui.tip.setAttribute("aria-hidden", "true");
    ui.tip.hidden = true;
    ui.tipTitle = el("span", "map-tip__title");
    ui.tipMeta = el("span", "map-tip__meta");
    ui.tip.appendChild(ui.tipTitle);
    ui.tip.appendChild(ui.tipMeta);
    ui.view.appendChild(ui.canvas);
    ui.frame.appendChild(ui.view);
    ui.frame.appendChild(ui.tip);
    mount.appendChild(ui.frame);
    mount.appendChild(ui.help);
    ui.announce = el("p", "map__announce");
    ui.announce.id = "map-current";
    ui.announce.setAttribute("role", "status");
    mount.appendChild(ui.announce);

    ui.legend = el("ul", "map-legend");
    ui.legend.setAttribute("aria-label", "Colours: each paper's first tag");
    mount.appendChild(legend());

    ui.explorer = el("p", "map__explorer");
    mount.appendChild(ui.explorer);

    ui.view.addEventListener("keydown", keys);
    ui.view.addEventListener("focus", function () {
      if (current < 0) setCurrent(first());
    });
    ui.view.addEventListener("blur", function () { hover = -1; redraw(true); });
    pointer();
    window.addEventListener("resize", function () { resize(); redraw(); });
    new MutationObserver(function () { redraw(); legendColours(); })
      .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }
  function first() {
    for (var n = 0; n < papers.length; n++) if (!matched || matched[n]) return n;
    return papers.length ? 0 : -1;
  }
  function legend() {
    var box = el("div", "map-legend-box");
    box.appendChild(el("h2", "map-legend__title", "Colours"));
    var counts = new Array(M.palette.light.length + 1).fill(0);
    papers.forEach(function (p) { counts[p.colour]++; });
    var entries = M.coloured.map(function (name, k) {
      var title = D.tags.filter(function (t) { return t[0] === name; })[0];
      return { k: k, label: title ? title[1] : name, tag: name };
    });
    if (counts[M.palette.light.length]) entries.push({ k: M.palette.light.length, label: "Other tags or none" });
    ui.swatches = [];
    entries.forEach(function (entry) {
      var li = el("li", "map-legend__item");
      var swatch = el("span", "map-legend__swatch");
      swatch.setAttribute("aria-hidden", "true");
      swatch.dataset.colour = entry.k;
      ui.swatches.push(swatch);
      li.appendChild(swatch);
      if (entry.tag) {
        var a = el("a", "map-legend__link", entry.label);
        a.href = "?tag=" + encodeURIComponent(entry.tag);
        a.setAttribute("aria-label", "Highlight " + entry.label + " (" + counts[entry.k] + " papers by first tag)");
        li.appendChild(a);
      } else {
        li.appendChild(el("span", "map-legend__label", entry.label));
      }
      li.appendChild(el("span", "map-legend__count", " " + counts[entry.k]));
      ui.legend.appendChild(li);
    });
    box.appendChild(ui.legend);
    legendColours();
    return box;
  }
  function legendColours() {
    var colour = colours(), fill = colour.palette.concat([colour.other]);
    (ui.swatches || []).forEach(function (s) { s.style.background = fill[+s.dataset.colour]; });
  }
  function keys(e) {
    var dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (dirs[e.key]) {
      e.preventDefault();
      if (current < 0) { setCurrent(first()); return; }
      var next = step(current, dirs[e.key][0], dirs[e.key][1]);
      if (next >= 0) setCurrent(next);
      else announce("No paper further in that direction. ");
    } else if (e.key === "Enter" && current >= 0) {
      e.preventDefault();
      openPaper(current);
    } else if (e.key === "+" || e.key === "=") {
      e.preventDefault();
      if (current >= 0) zoomBy(2, papers[current].x, papers[current].y); else zoomBy(2);
    } else if (e.key === "-") {
      e.preventDefault();
      zoomBy(0.5);
    } else if (e.key === "Home") {
      e.preventDefault();
      setCurrent(first());
    } else if (e.key === "Escape" && current >= 0) {
      e.preventDefault();
      setCurrent(-1);
    }
  }
  function pointer() {
    var down = null;
    function local(e) {
      var box = ui.canvas.getBoundingClientRect();
      return [e.clientX - box.left, e.clientY - box.top];
    }
    ui.canvas.addEventListener("pointerdown", function (e) {
      var xy = local(e);
      down = { x: xy[0], y: xy[1], vx: view.x, vy: view.y, moved: false };
    });
    ui.canvas.addEventListener("pointermove", function (e) {
      var xy = local(e);
      if (down && e.buttons) {
        var dx = xy[0] - down.x, dy = xy[1] - down.y;
        if (Math.abs(dx) + Math.abs(dy) > 4) down.moved = true;
        if (down.moved && view.zoom > 1) {
          view.x = down.vx - dx / scale();
          view.y = down.vy - dy / scale();
          clampView();
          redraw(true);
          return;
        }
      }
      var found = at(xy[0], xy[1]);
      if (found !== hover) { hover = found; redraw(true); }
      ui.canvas.style.cursor = found >= 0 ? "pointer" : view.zoom > 1 ? "grab" : "default";
    });
    ui.canvas.addEventListener("pointerleave", function () { hover = -1; redraw(true); });
    ui.canvas.addEventListener("pointerup", function (e) {
      var xy = local(e), wasDrag = down && down.moved;
      down = null;
      if (wasDrag) return;
      var found = at(xy[0], xy[1]);
      if (found >= 0) openPaper(found);
    });
    ui.canvas.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) return;  // the wheel scrolls the page; Ctrl + wheel (or a pinch) zooms
      e.preventDefault();
      var xy = local(e), s = scale();
      zoomBy(e.deltaY < 0 ? 1.5 : 1 / 1.5, view.x + (xy[0] - PAD) / s, view.y + (xy[1] - PAD) / s);
    }, { passive: false });
  }

  /* Highlights what the address asks for. A promise: the highlight and its list are drawn. */
  function update() {
    var mine = ++generation;
    if (state.authors.length && !exploreData.authorsKnown(D)) {  // the author table is apart (explore-data.js)
      ui.summary.textContent = "Loading authors\u2026";
      return exploreData.authorTable(D, papers, root).then(function () { if (mine === generation) return update(); },
        function () { if (mine === generation) ui.summary.textContent = "The authors could not be loaded."; });
    }
    if (needsEveryTitle(state) && !titles.allKnown()) {
      ui.summary.textContent = "Loading titles\u2026";
      ui.matches.setAttribute("aria-busy", "true");
      return titles.all().then(function () { if (mine === generation) return update(); }, function () {
        if (mine !== generation) return;
        ui.matches.removeAttribute("aria-busy");
        ui.summary.textContent = "The titles could not be loaded; change the filter to try again.";
      });
    }
    matched = filter(state);
    var count = 0, n;
    if (matched) for (n = 0; n < papers.length; n++) count += matched[n];
    ui.summary.textContent = matched ? count + " of " + papers.length + " papers highlighted: " + describe(state) + "."
      : papers.length + " papers.";
    matchList = [];
    if (matched) for (n = 0; n < papers.length && matchList.length < MATCHES_SHOWN; n++) if (matched[n]) matchList.push(n);
    ui.explorer.textContent = "";
    var link = el("a", null, matched ? "List these " + count + " papers in the explorer" : "List all papers in the explorer");
    link.href = new URL("explore/" + explorerQuery(), root).href;
    ui.explorer.appendChild(link);
    ui.tag.value = state.tags.length === 1 && state.mode !== "none" ? state.tags[0] : "";
    if (current >= 0 && matched && !matched[current]) setCurrent(-1);
    redraw();
    return listMatches(mine, count);
  }
  /* The first highlighted titles as buttons, once their chunks are in (at once when they are). */
  function listMatches(mine, count) {
    var shown = matchList.slice();
    function fill() {
      ui.matches.textContent = "";
      shown.forEach(function (i) {
        var li = el("li", "map-matches__item");
        var button = el("button", "map-matches__button", papers[i].title);
        button.type = "button";
        button.addEventListener("click", function () { setCurrent(i); ui.view.focus(); });
        li.appendChild(button);
        ui.matches.appendChild(li);
      });
      if (count > shown.length)
        ui.matches.appendChild(el("li", "map-matches__more", "… and " + (count - shown.length) +
                                  " more: arrow keys on the map move between them."));
      ui.matches.removeAttribute("aria-busy");
    }
    if (shown.every(function (i) { return papers[i].title !== null; })) {
      fill();
      return Promise.resolve();
    }
    ui.matches.textContent = "";
    ui.matches.setAttribute("aria-busy", "true");
    return titles.of(shown).then(function () { if (mine === generation) fill(); }, function () {
      if (mine !== generation) return;
      ui.matches.removeAttribute("aria-busy");
      ui.matches.appendChild(el("li", "map-matches__more", "The titles could not be loaded; change the filter to try again."));
    });
  }

  // ---- start -------------------------------------------------------------------------------------
  function getJson(url) {
    return fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  getJson(new URL("map/points.json", root)).then(function (points) {
    M = points;
    // The explorer's own address for its data (shared browser cache); if an older copy was cached,
    // the version written next to the coordinates asks for the matching one.
    return getJson(new URL("explore/facets.json", root)).then(function (facets) {
      return facets.version === M.explore ? facets
        : getJson(new URL("explore/facets.json?v=" + encodeURIComponent(M.explore), root));
    });
  }).then(function (facets) {
    D = facets;
    var width = M.points.width;
    if (D.version !== M.explore || (width && D.count * 2 * width !== M.points.data.length)) {
      throw new Error("data of two builds");
    }
    var xy = exploreData.decodeColumn(M.points, D.count * 2);  // x, y of each paper in turn
    papers = exploreData.papersOf(D);
    titles = exploreData.titleChunks(D, papers, root);
    var other = M.palette.light.length;
    papers.forEach(function (p, i) {
      p.x = xy[2 * i];
      p.y = xy[2 * i + 1];
      p.colour = p.tags.length ? M.colour[p.tags[0]] : other;
    });
    state = readState(location.search);
    RADIUS = papers.length < 300 ? 5 : papers.length < 3000 ? 3.5 : 2.5;  // small collections: larger points
    index();
    build();
    resize();
    var highlighted = update();
    draw();
    if (performance.mark) performance.mark("map:drawn");
    window.addEventListener("popstate", function () {
      state = readState(location.search);
      ui.q.value = state.q;
      update();
    });
    // Ready once the highlight is drawn and the title the keyboard starts on is known.
    return highlighted.then(function () {
      return first() >= 0 ? titles.of([first()]).catch(function () {}) : null;  // else announce() says so
    });
  }).then(function () {
    mount.classList.add("map--ready");
    if (performance.mark) performance.mark("map:ready");
  }).catch(function () {
    status.textContent = "The map could not be loaded. ";
    var link = el("a", null, "Browse the papers in the explorer");
    link.href = new URL("explore/", root).href;
    status.appendChild(link);
    status.appendChild(document.createTextNode("."));
  });
})();
