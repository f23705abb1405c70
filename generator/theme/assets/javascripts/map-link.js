/* The explorer's "See these papers on the map" link carries the explorer's current view (the query
 * of its address, which explore.js keeps up to date) to the map, which highlights the same papers. */
(function () {
  "use strict";
  var link = document.getElementById("explore-map-link");
  if (!link) return;
  var target = link.getAttribute("href").split("?")[0];
  function follow() { link.setAttribute("href", target + location.search); }
  ["click", "focus", "mouseenter", "contextmenu", "auxclick"].forEach(function (name) {
    link.addEventListener(name, follow);
  });
})();
