/* Site-wide behaviour:
 * - the "Copied to clipboard" dialog is announced to screen readers (Material writes the message
 *   into it without a live region);
 * - the reading list: papers picked on any page, kept in localStorage, exported on the explorer
 *   page (explore.js). Each paper row and paper page gets a toggle button. */
(function () {
  "use strict";
  var dialog = document.querySelector(".md-dialog");
  if (dialog) {
    dialog.setAttribute("role", "status");
    dialog.setAttribute("aria-live", "polite");
  }

  var KEY = "paper-collection:reading-list";
  var memory = [];
  function read() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value.filter(function (s) { return typeof s === "string"; }) : [];
    } catch (error) { return memory.slice(); }
  }
  function write(slugs) {
    memory = slugs.slice();
    try { window.localStorage.setItem(KEY, JSON.stringify(slugs)); } catch (error) { /* private mode: memory only */ }
    document.dispatchEvent(new CustomEvent("reading-list-change"));
  }
  var lists = window.paperCollectionReadingList = {
    all: read,
    has: function (slug) { return read().indexOf(slug) >= 0; },
    set: function (slug, on) {
      var slugs = read().filter(function (s) { return s !== slug; });
      if (on) slugs.push(slug);
      write(slugs);
    },
    add: function (more) {
      var slugs = read(), seen = new Set(slugs);
      more.forEach(function (s) { if (!seen.has(s)) { seen.add(s); slugs.push(s); } });
      write(slugs);
    },
    replace: function (slugs) { write(Array.from(new Set(slugs))); }
  };

  var config = document.getElementById("__config");
  var base = config ? JSON.parse(config.textContent).base || "." : ".";
  var root = new URL(String(base).replace(/\/?$/, "/"), location.href);
  function slugOf(href) {
    var url = new URL(href, location.href);
    if (url.origin !== root.origin || url.pathname.indexOf(root.pathname) !== 0) return null;
    var match = /^papers\/([^/]+)\/$/.exec(url.pathname.slice(root.pathname.length));
    return match ? decodeURIComponent(match[1]) : null;
  }
  var toggles = [];
  function toggleButton(slug, title) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reading-toggle";
    button.setAttribute("aria-label", "Reading list: " + title);
    button.addEventListener("click", function () {
      lists.set(slug, button.getAttribute("aria-pressed") !== "true");
    });
    toggles.push({ button: button, slug: slug });
    return button;
  }
  function refresh() {
    var chosen = new Set(read());
    toggles.forEach(function (t) {
      var on = chosen.has(t.slug);
      t.button.setAttribute("aria-pressed", on ? "true" : "false");
      t.button.textContent = on ? "\u2713 In reading list" : "+ Reading list";
    });
  }
  /* Rows on the home, tag and related-paper lists (the explorer draws its own). */
  document.querySelectorAll(".md-content .paper-list > li").forEach(function (item) {
    var link = item.querySelector("a[href]"), slug = link && slugOf(link.href);
    if (slug) item.appendChild(toggleButton(slug, link.textContent.trim()));
  });
  var title = document.querySelector(".paper .paper__title");
  var canonical = document.querySelector("link[rel=canonical]");
  if (title) {
    var slug = slugOf(location.href) || (canonical && slugOf(canonical.href));
    if (slug) title.insertAdjacentElement("afterend", toggleButton(slug, title.textContent.trim()));
  }
  refresh();
  /* For rows drawn later (search results): a toggle already showing its state. */
  lists.button = function (slug, title) {
    toggles = toggles.filter(function (t) { return t.button.isConnected; });  // results replaced since
    var button = toggleButton(slug, title);
    refresh();
    return button;
  };
  document.addEventListener("reading-list-change", refresh);
  window.addEventListener("storage", function (event) { if (event.key === KEY) refresh(); });
})();
