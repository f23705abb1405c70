/* The explorer's data (generator/site/explore.py), read the same way by the explorer (explore.js)
 * and the map (map.js): explore/facets.json decoded into one object per paper, and the title
 * chunks (explore/titles/N.json) fetched once each, at the same address on both pages (so the
 * browser's cache serves the second page). */
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

  /* One object per paper, in the facet file's order (newest first): title and slug stay null until
   * their chunk has arrived; venue is -1 when unknown, year 0; tags and authors are table indices. */
  function papersOf(data) {
    var count = data.count;
    var year = decodeColumn(data.year, count), venue = decodeColumn(data.venue, count);
    var code = decodeColumn(data.code, count), added = decodeColumn(data.added, count);
    var tags = decodeLists(data.tagIds, count), authors = decodeLists(data.authorIds, count);
    var papers = new Array(count);
    for (var i = 0; i < count; i++) {
      var day = data.dates[added[i]];
      papers[i] = { i: i, title: null, slug: null, year: year[i] ? year[i] + data.yearBase : 0, venue: venue[i] - 1,
                    tags: tags[i], authors: authors[i], code: code[i] === 1, added: day, month: day.slice(0, 7),
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

  window.paperCollectionExploreData = { decodeColumn: decodeColumn, decodeLists: decodeLists, simpleSlug: simpleSlug,
                                        papersOf: papersOf, titleChunks: titleChunks };
})();
