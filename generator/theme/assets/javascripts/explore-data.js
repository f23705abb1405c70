/* The explorer's data (generator/site/explore.py), read the same way by the explorer (explore.js)
 * and the map (map.js): explore/facets.json decoded into one object per paper, and the title
 * chunks (explore/titles/N.json) fetched once each, at the same address on both pages (so the
 * browser's cache serves the second page); the author table (explore/authors.json), fetched only
 * for the author filter; and the filters' rules, the same on both pages. */
(function () {
  "use strict";

  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";  // explore.DIGITS
  var LIST_END = ".";  // explore.LIST_END
  var DIGIT_VALUE = new Int8Array(128);
  for (var d = 0; d < DIGITS.length; d++) DIGIT_VALUE[DIGITS.charCodeAt(d)] = d;

  /* explore.decode_column / decode_lists in Python: fixed-width base-64 numbers. */
  function decodeColumn(column, count) {
    var values = new Int32Array(count), width = column.width, data = column.data;
    for (var n = 0; width && n < count; n++) {
      var v = 0;
      for (var k = 0; k < width; k++) v = v * 64 + DIGIT_VALUE[data.charCodeAt(n * width + k)];
      values[n] = v;
    }
    return values;
  }
  function decodeLists(column, count) {
    var out = new Array(count), width = column.width, data = column.data, at = 0;
    for (var n = 0; n < count; n++) {
      var values = [];
      if (width) {
        while (data.charAt(at) !== LIST_END) {
          var v = 0;
          for (var k = 0; k < width; k++) v = v * 64 + DIGIT_VALUE[data.charCodeAt(at++)];
          values.push(v);
        }
        at++;
      }
      out[n] = values;
    }
    return out;
  }
  function simpleSlug(title) {  // the same rule as explore.simple_slug in Python
    return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  /* One object per paper, in the facet file's order (newest first): title, slug and names (its
   * authors' names) stay null until their chunk has arrived; venue is -1 when unknown, year 0; tags
   * and authors are table indices, authors empty until authorTable() has loaded the table. */
  function papersOf(data) {
    var count = data.count;
    var year = decodeColumn(data.year, count), venue = decodeColumn(data.venue, count);
    var code = decodeColumn(data.code, count), added = decodeColumn(data.added, count);
    var tags = decodeLists(data.tagIds, count);
    var authors = data.authorIds ? decodeLists(data.authorIds, count) : null;
    var papers = new Array(count);
    for (var i = 0; i < count; i++) {
      var day = data.dates[added[i]];
      papers[i] = { i: i, title: null, slug: null, year: year[i] ? year[i] + data.yearBase : 0, venue: venue[i] - 1,
                    tags: tags[i], authors: authors ? authors[i] : [], names: null, code: code[i] === 1, added: day, month: day.slice(0, 7),
                    text: null };
    }
    return papers;
  }

  /* The title chunks of `papers` (papersOf(data)): `of(indices)` and `all()` are promises that
   * those titles (or every title) are known; `onPaper(p)` runs for each paper as its title arrives.
   * A chunk that failed is asked for again next time. */
  function titleChunks(data, papers, root, onPaper) {
    var chunks = {}, known = 0, everything = null;
    function load(n) {
      if (!chunks[n]) {
        var url = new URL("explore/titles/" + n + ".json", root);
        url.searchParams.set("v", data.version);
        chunks[n] = fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (rows) {
            rows.forEach(function (row, k) {
              var p = papers[n * data.titleChunk + k];
              p.title = row[0];
              p.slug = row[1] || simpleSlug(row[0]);
              p.names = row[2] || [];
              if (onPaper) onPaper(p);
            });
            known += rows.length;
          });
        chunks[n].catch(function () { delete chunks[n]; });
      }
      return chunks[n];
    }
    function of(indices) {
      var needed = new Set();
      indices.forEach(function (i) { if (papers[i].title === null) needed.add(Math.floor(i / data.titleChunk)); });
      return Promise.all(Array.from(needed).map(load));
    }
    function allKnown() { return known === papers.length; }
    function all() {
      if (!everything) {
        everything = of(papers.map(function (p) { return p.i; }));
        everything.catch(function () { everything = null; });
      }
      return everything;
    }
    return { of: of, all: all, allKnown: allKnown };
  }

  /* The author table and every paper's authors (explore/authors.json, of the same build as `data`):
   * a promise, made once per facet data (again after a failure); it sets data.authors and the
   * papers' `authors`. Only the author filter needs it: rows and the text filter use the names in
   * the title chunks. */
  var authorLoads = new WeakMap();
  function authorsKnown(data) { return !!data.authors; }
  function authorTable(data, papers, root) {
    if (!authorLoads.has(data)) {
      var url = new URL("explore/authors.json", root);
      url.searchParams.set("v", data.version);
      var loading = fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (table) {
          var ids = decodeLists(table.authorIds, data.count);
          for (var i = 0; i < papers.length; i++) papers[i].authors = ids[i];
          data.authors = table.authors;
        });
      loading.catch(function () { authorLoads.delete(data); });
      authorLoads.set(data, loading);
    }
    return authorLoads.get(data);
  }

  // ---- the explorer's filters: one set of rules for the explorer and the map ----------------------
  /* The filters in an address (q, tag, mode, year, venue, author, code, added, only). */
  function readFilters(search) {
    var params = new URLSearchParams(search);
    var years = (params.get("year") || "").split("-"), added = (params.get("added") || "").split("..");
    return {
      q: params.get("q") || "", tags: params.getAll("tag"),
      mode: ["any", "all", "none"].indexOf(params.get("mode")) >= 0 ? params.get("mode") : "any",
      from: parseInt(years[0], 10) || 0, to: parseInt(years[1], 10) || 0,
      venues: params.getAll("venue"), authors: params.getAll("author"), code: params.get("code") === "1",
      addedFrom: /^\d{4}-\d{2}$/.test(added[0]) ? added[0] : "",
      addedTo: /^\d{4}-\d{2}$/.test(added[1] || "") ? added[1] : "",
      only: params.get("only") === "selected"
    };
  }
  function active(s) {
    return !!(s.q.trim() || s.tags.length || s.from || s.to || s.venues.length || s.authors.length || s.code ||
              s.addedFrom || s.addedTo || s.only);
  }
  function words(text) { return text.toLowerCase().split(/\s+/).filter(Boolean); }
  /* What the text filter reads of a paper: its title and authors (both from its title chunk),
   * lowercased once. */
  function haystack(p) {  // (the callers pass the facet data too, which it no longer needs)
    if (p.text === null) p.text = (p.title + " " + (p.names || []).join(" ")).toLowerCase();
    return p.text;
  }
  var TEXT = 1, TAGS = 2, YEAR = 4, VENUE = 8, AUTHOR = 16, CODE = 32, ADDED = 64, ONLY = 128;
  var indexes = new WeakMap();  // facet data -> its name -> number tables, made once
  /* The filters `s` as numbers of the facet data `D`; `selected` the reading list's slugs (or null). */
  function compile(s, D, selected) {
    var ix = indexes.get(D);
    if (!ix) {
      ix = { tags: new Map(D.tags.map(function (t, i) { return [t[0], i]; })),
             venues: new Map(D.venues.map(function (v, i) { return [v, i]; })), authors: null };
      indexes.set(D, ix);
    }
    // The author table arrives later (authorTable); until then an author filter matches nothing,
    // and callers load the table before they filter by author.
    if (!ix.authors && D.authors) ix.authors = new Map(D.authors.map(function (a, i) { return [a, i]; }));
    return {
      words: words(s.q),
      tags: s.tags.map(function (t) { return ix.tags.get(t); }).filter(function (t) { return t !== undefined; }),
      venues: new Set(s.venues.map(function (v) { return ix.venues.get(v); })),  // unknown: matches nothing
      authors: new Set(s.authors.map(function (a) { return ix.authors ? ix.authors.get(a) : undefined; })),
      selected: s.only && selected ? new Set(selected) : null
    };
  }
  function tagsPass(has, chosen, mode) {
    if (!chosen.length) return true;
    var inter = 0;
    for (var k = 0; k < chosen.length; k++) if (has.indexOf(chosen[k]) >= 0) inter++;
    return mode === "any" ? inter > 0 : mode === "all" ? inter === chosen.length : inter === 0;
  }
  function anyIn(values, set) {
    for (var k = 0; k < values.length; k++) if (set.has(values[k])) return true;
    return false;
  }
  /* Which filters a paper fails, one bit each (0: the paper is listed). */
  function failures(p, s, c, D) {
    var mask = 0;
    if (c.words.length) {
      var text = haystack(p, D);
      for (var w = 0; w < c.words.length; w++) if (text.indexOf(c.words[w]) < 0) { mask |= TEXT; break; }
    }
    if (!tagsPass(p.tags, c.tags, s.mode)) mask |= TAGS;
    if ((s.from && p.year < s.from) || (s.to && (!p.year || p.year > s.to))) mask |= YEAR;
    if (c.venues.size && !c.venues.has(p.venue)) mask |= VENUE;
    if (c.authors.size && !anyIn(p.authors, c.authors)) mask |= AUTHOR;
    if (s.code && !p.code) mask |= CODE;
    if ((s.addedFrom && p.month < s.addedFrom) || (s.addedTo && p.month > s.addedTo)) mask |= ADDED;
    if (c.selected && !c.selected.has(p.slug)) mask |= ONLY;
    return mask;
  }
  /* The filters in words: "tagged Vision or Robotics; published 2020–…". */
  function describe(s, D) {
    var parts = [];
    if (s.q.trim()) parts.push("\u201c" + s.q.trim() + "\u201d in title or authors");
    if (s.tags.length) {
      var titles = new Map(D.tags);
      parts.push((s.mode === "all" ? "all of the tags " : s.mode === "none" ? "none of the tags " : "tagged ") +
                 s.tags.map(function (t) { return titles.get(t) || t; }).join(s.mode === "any" ? " or " : ", "));
    }
    if (s.from || s.to) parts.push("published " + (s.from || "\u2026") + "\u2013" + (s.to || "\u2026"));
    if (s.venues.length) parts.push("at " + s.venues.join(" or "));
    if (s.authors.length) parts.push("by " + s.authors.join(" or "));
    if (s.code) parts.push("with code");
    if (s.addedFrom || s.addedTo) parts.push("added " + (s.addedFrom || "\u2026") + " to " + (s.addedTo || "\u2026"));
    if (s.only) parts.push("in your reading list");
    return parts.join("; ");
  }
  var filters = { readFilters: readFilters, active: active, words: words, haystack: haystack, compile: compile,
                  tagsPass: tagsPass, anyIn: anyIn, failures: failures, describe: describe,
                  TEXT: TEXT, TAGS: TAGS, YEAR: YEAR, VENUE: VENUE, AUTHOR: AUTHOR, CODE: CODE, ADDED: ADDED, ONLY: ONLY };

  window.paperCollectionExploreData = { decodeColumn: decodeColumn, decodeLists: decodeLists, simpleSlug: simpleSlug,
                                        papersOf: papersOf, titleChunks: titleChunks, authorTable: authorTable,
                                        authorsKnown: authorsKnown, filters: filters };
})();
