/* Paper search: queries the sharded lunr index written by generator/site/search.py.
 *
 * Nothing is downloaded until the search box is used. Then lunr.js (for lunr's query pipeline:
 * trimmer, stop words, Porter stemmer, the same as the index) and the small manifest load;
 * each query fetches only the term shards it needs and the document chunks of the results on
 * screen. What is typed before the manifest arrives is kept and answered once it has.
 * Titles, snippets and tags are inserted with textContent, never as HTML. */
(function () {
  "use strict";

  var box = document.querySelector("[data-paper-search]");
  if (!box || !window.fetch || !window.Promise) return;
  var script = document.currentScript;
  var assets = new URL(".", script ? script.src : location.href);
  var configElement = document.getElementById("__config");
  var config = configElement ? JSON.parse(configElement.textContent) : {};
  var root = new URL(String(config.base || ".").replace(/\/?$/, "/"), location.href);
  var words = config.translations || {};
  var input = box.querySelector(".md-search__input");
  var form = box.querySelector("form");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var toggle = document.getElementById("__search");
  var PAGE = 10, PREFIX_MIN = 3, PREFIX_SHARDS = 3, PREFIX_WEIGHT = 0.5;

  var state = { manifest: null, ready: null, shards: {}, docs: {}, seq: 0, ranked: [], shown: 0 };

  function text(key, fallback, count) {
    var value = words[key] || fallback;
    return count === undefined ? value : value.replace("#", String(count));
  }

  function getJSON(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    });
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = url;
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function init() {
    if (!state.ready) {
      state.ready = Promise.all([
        window.lunr ? null : loadScript(new URL("lunr-pipeline.js", assets).href),
        getJSON(new URL("search/paper-search.json", root))
      ]).then(function (loaded) {
        state.manifest = loaded[1];
      });
      state.ready.catch(function () {
        state.ready = null;  // try again on the next keystroke
        meta.textContent = "Search is unavailable right now.";
      });
    }
    return state.ready;
  }

  function versioned(path) {
    var url = new URL(path, root);
    url.searchParams.set("v", state.manifest.version);
    return url;
  }

  function shard(number) {
    if (!state.shards[number])
      state.shards[number] = getJSON(versioned("search/terms/" + number + ".json"));
    return state.shards[number];
  }

  function chunk(number) {
    if (!state.docs[number])
      state.docs[number] = getJSON(versioned("search/docs/" + number + ".json"));
    return state.docs[number];
  }

  /* Index of the shard whose range holds `term`: the last boundary <= term. */
  function shardOf(term) {
    var bounds = state.manifest.shards, low = 0, high = bounds.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (bounds[mid] <= term) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  /* lunr's pipeline on the query: the indexed term of each word, and for the word still
   * being typed, a prefix to complete. A stop word being typed ("are", "the") is only a
   * prefix: it must not count as a query word no title can hold. */
  function analyse(query) {
    /* split as generator/site/search.py's SEPARATOR: whitespace, hyphens, slashes */
    var raw = query.toLowerCase().split(/[\s\-\/]+/).filter(Boolean);
    var typing = !/[\s\-\/]$/.test(query);
    var terms = [];
    raw.forEach(function (word, i) {
      var trimmed = lunr.trimmer(new lunr.Token(word, {})).toString();
      if (!trimmed) return;
      var kept = lunr.stopWordFilter(new lunr.Token(trimmed, {}));
      var stem = kept ? lunr.stemmer(new lunr.Token(trimmed, {})).toString() : null;
      var prefix = typing && i === raw.length - 1 && trimmed.length >= PREFIX_MIN ? trimmed : null;
      if (stem || prefix) terms.push({ stem: stem, prefix: prefix, optional: !stem });
    });
    return terms;
  }

  function plan(terms) {
    var needed = {};
    terms.forEach(function (term) {
      term.shards = [];
      if (term.stem) {
        var at = shardOf(term.stem);
        if (at >= 0) { needed[at] = true; term.shards.push(at); }
      }
      if (term.prefix) {
        var first = Math.max(0, shardOf(term.prefix)), last = shardOf(term.prefix + "\uffff");
        term.prefixShards = [];
        if (last >= first && last - first < PREFIX_SHARDS)
          for (var s = first; s <= last; s++) { needed[s] = true; term.prefixShards.push(s); }
      }
    });
    return Object.keys(needed).map(Number);
  }

  /* A posting's value: BM25 weight x10, times POSITIONS, plus FIRST_AUTHOR when the term is in
   * the first author's name, plus 1 + where the term first occurs in the paper's title (at most
   * 31; 0: not in the title); see generator/site/search.py. */
  var POSITIONS = 64, FIRST_AUTHOR = 32;

  /* Known-item ranking: a person recalls one paper, and at 50,000 papers thousands share the
   * query's words. Papers are ordered by
   *   1. how many of the query's words they hold (any field),
   *   2. how many of them their title or their first author's name holds (a person recalls
   *      the title and who wrote it: "lottery Lindqvist"; the bits of `strong`),
   *   3. how many of those are the words typed, not completions of the word being typed
   *      ("Revisiting Ali": the paper by Ali before "Revisiting Alignment"),
   *   4. how well the title follows the query: query words next to each other, in the query's
   *      order, and the title starting with the query's first word,
   *   5. lunr's BM25 score (rare words weigh more: IDF).
   * A typed stop word (optional) counts for none of 1-4. */
  function score(terms, shards) {
    var docs = new Map();  // doc -> {score, any, strong, exact: bits; at: title positions per query word}
    function entry(doc) {
      var found = docs.get(doc);
      if (!found) { found = { score: 0, any: 0, strong: 0, exact: 0, at: null }; docs.set(doc, found); }
      return found;
    }
    function add(postings, weight, i, bit, typed) {
      var doc = 0;
      for (var k = 0; k < postings.length; k += 2) {
        doc += postings[k];
        var value = postings[k + 1], mark = value % POSITIONS, position = mark % FIRST_AUTHOR;
        var found = entry(doc);
        found.score += Math.floor(value / POSITIONS) * weight;
        found.any |= bit;
        if (mark) {
          found.strong |= bit;
          if (typed) found.exact |= bit;
        }
        if (position) {
          if (!found.at) found.at = [];
          if (!found.at[i] || position < found.at[i]) found.at[i] = position;
        }
      }
    }
    terms.forEach(function (term, i) {
      var bit = term.optional ? 0 : 1 << Math.min(i, 30);
      if (term.stem) {
        var exact = term.shards.length ? shards[term.shards[0]] : null;
        if (exact && Object.prototype.hasOwnProperty.call(exact, term.stem)) add(exact[term.stem], 1, i, bit, true);
      }
      (term.prefixShards || []).forEach(function (s) {
        var table = shards[s];
        for (var key in table)
          if (key !== term.stem && key.lastIndexOf(term.prefix, 0) === 0 && Object.prototype.hasOwnProperty.call(table, key))
            add(table[key], PREFIX_WEIGHT, i, bit, false);
      });
    });
    function bits(n) { var c = 0; while (n) { c += n & 1; n >>>= 1; } return c; }
    function order(at) {
      if (!at) return 0;
      var pairs = 0, first = -1;
      for (var i = 0; i < at.length; i++) {
        if (!at[i]) continue;
        if (first < 0) first = i;
        if (i + 1 < at.length && at[i + 1] === at[i] + 1) pairs++;
      }
      return 2 * pairs + (first >= 0 && at[first] === 1 ? 1 : 0);
    }
    /* sort the entries themselves (tens of thousands at 50,000 papers): no map lookup per comparison */
    var entries = [];
    docs.forEach(function (found, doc) {
      found.doc = doc;
      found.any = bits(found.any);
      found.strong = bits(found.strong);
      found.exact = bits(found.exact);
      found.order = order(found.at);
      entries.push(found);
    });
    entries.sort(function (x, y) {
      return (y.any - x.any) || (y.strong - x.strong) || (y.exact - x.exact) || (y.order - x.order) ||
        (y.score - x.score) || (x.doc - y.doc);
    });
    return entries.map(function (found) { return found.doc; });
  }

  /* One search at a time, always for what the box says now: keystrokes that arrive while a
   * search (or the index) is loading collapse into one search for the latest text. */
  var busy = false, again = false, timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, 25);
  }
  function run() {
    if (busy) { again = true; return; }
    busy = true;
    search().catch(function () {
      meta.textContent = "Search is unavailable right now.";
    }).then(function () {
      busy = false;
      if (again) { again = false; run(); }
    });
  }

  function search() {
    var query = input.value, seq = ++state.seq;
    if (!query.trim()) {
      state.ranked = [];
      list.textContent = "";
      meta.textContent = text("search.result.placeholder", "Type to start searching");
      return Promise.resolve();
    }
    if (!state.manifest) {
      meta.textContent = "Initializing search";
      return init().then(search);  // answer what is in the box once the index is there
    }
    var terms = analyse(query), needed = plan(terms);
    return Promise.all(needed.map(shard)).then(function (loaded) {
      if (query !== input.value) { again = true; return; }  // typed on: search the new text
      var shards = {};
      needed.forEach(function (n, i) { shards[n] = loaded[i]; });
      state.ranked = score(terms, shards);
      state.shown = 0;
      var total = state.ranked.length;
      return more(seq, true).then(function () {
        meta.textContent = total === 0 ? text("search.result.none", "No matching documents")
          : total === 1 ? text("search.result.one", "1 matching document")
          : text("search.result.other", "# matching documents", total);
      });
    });
  }

  /* Show the next PAGE results: the first as soon as its chunk is in, then the rest. */
  function more(seq, fresh) {
    var size = state.manifest.chunk, slice = state.ranked.slice(state.shown, state.shown + PAGE);
    var chunks = slice.map(function (doc) { return chunk(Math.floor(doc / size)); });
    var first = chunks.length ? chunks[0] : Promise.resolve(null);
    return first.then(function (firstChunk) {
      if (seq !== state.seq) return;
      if (fresh) list.textContent = "";
      var old = list.querySelector(".paper-search__more");
      if (old) old.remove();
      if (slice.length) list.appendChild(item(firstChunk[slice[0] % size]));
      return Promise.all(chunks).then(function (loaded) {
        if (seq !== state.seq) return;
        for (var i = 1; i < slice.length; i++) list.appendChild(item(loaded[i][slice[i] % size]));
        state.shown += slice.length;
        if (state.shown < state.ranked.length) list.appendChild(moreButton(seq));
      });
    });
  }

  function moreButton(seq) {
    var li = document.createElement("li");
    li.className = "md-search-result__item paper-search__more";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-search-result__more md-typeset";
    var left = state.ranked.length - state.shown;
    button.textContent = "Show more (" + left + ")";
    button.addEventListener("click", function () { more(seq, false); });
    li.appendChild(button);
    return li;
  }

  function item(doc) {
    var slug = doc[0], title = doc[1], tags = doc[2], snippet = doc[3];
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = new URL("papers/" + encodeURIComponent(slug) + "/", root).href;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var heading = document.createElement("h1");
    heading.textContent = title;
    var body = document.createElement("p");
    body.textContent = snippet;
    article.append(icon, heading, body);
    if (tags.length) {
      var nav = document.createElement("nav");
      nav.className = "md-tags";
      tags.forEach(function (tag) {
        var span = document.createElement("span");
        span.className = "md-tag";
        span.textContent = (state.manifest.tags && state.manifest.tags[tag]) || tag;
        nav.appendChild(span);
      });
      article.appendChild(nav);
    }
    link.appendChild(article);
    li.appendChild(link);
    /* The reading list's toggle (collection.js), beside the result, not inside its link. */
    var lists = window.paperCollectionReadingList;
    if (lists && lists.button) li.appendChild(lists.button(slug, title));
    return li;
  }

  function open() {
    if (toggle && !toggle.checked) toggle.checked = true;
    init();
  }

  input.addEventListener("focus", open);
  input.addEventListener("input", schedule);
  box.addEventListener("pointerenter", function () { init(); }, { once: true });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a.md-search-result__link");
    if (first) location.href = first.href;
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { schedule(); input.focus(); }, 0);
  });
  if (toggle) toggle.addEventListener("change", function () {
    if (toggle.checked) setTimeout(function () { input.focus(); }, 50);
    else input.blur();
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target, editing = target && (target.isContentEditable ||
      /^(input|textarea|select)$/i.test(target.tagName));
    if (toggle && toggle.checked && event.key === "Escape") {
      toggle.checked = false;
      input.blur();
    } else if (!editing && !event.ctrlKey && !event.metaKey && !event.altKey &&
               (event.key === "/" || event.key === "s" || event.key === "f")) {
      event.preventDefault();
      open();
      input.focus();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && box.contains(target)) {
      /* Arrow keys walk the results (and the "Show more" button), up from the first back to the box. */
      var stops = Array.prototype.slice.call(list.querySelectorAll("a.md-search-result__link, .md-search-result__more"));
      var at = stops.indexOf(target);
      if (target !== input && at < 0) return;
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      event.preventDefault();
      if (next < 0) input.focus();
      else if (next < stops.length) stops[next].focus();
    }
  });
  /* ?search=words (the explorer's "search titles and abstracts" link): open the search with them. */
  var asked = new URLSearchParams(location.search).get("search");
  if (asked && document.body.contains(input)) {
    input.value = asked;
    open();
    input.focus();
  }
  if (input.value) schedule();  // the browser restored a query, or the address asked one
  /* The manifest and lunr's pipeline are small (a few KB, cached): fetch them once the page is
   * idle, so a query typed right away only waits for its own shards. */
  window.addEventListener("load", function () {
    (window.requestIdleCallback || function (fn) { setTimeout(fn, 200); })(function () { init(); });
  });
})();
