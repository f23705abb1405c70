/* Typeset the inline TeX the generator wraps as <span class="arithmatex">\(...\)</span>, with the
   vendored KaTeX (assets/vendor/katex). Only those elements are touched: a "\(" elsewhere in an
   abstract stays text. KaTeX (about 300 KB) is loaded only by pages that have math. Runs on
   every page Material shows, including after instant navigation. */
(function () {
  "use strict";
  var base = new URL("../vendor/katex/", document.currentScript.src);
  var loading = null;

  function add(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadKatex() {
    if (!loading) {
      loading = Promise.all([
        add("link", { rel: "stylesheet", href: new URL("katex.min.css", base).href }),
        add("script", { src: new URL("katex.min.js", base).href })
      ]).then(function () {
        return add("script", { src: new URL("contrib/auto-render.min.js", base).href });
      });
    }
    return loading;
  }

  function typeset(root) {
    var elements = Array.prototype.filter.call(root.querySelectorAll(".arithmatex"), function (element) {
      return !element.querySelector(".katex");
    });
    if (!elements.length) return;
    loadKatex().then(function () {
      elements.forEach(function (element) {
        renderMathInElement(element, {
          delimiters: [
            { left: "\\(", right: "\\)", display: false },
            { left: "\\[", right: "\\]", display: true }
          ],
          throwOnError: false,
          trust: false
        });
      });
    });
  }

  if (typeof document$ !== "undefined" && document$ && typeof document$.subscribe === "function") {
    document$.subscribe(function () { typeset(document.body); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  } else {
    typeset(document.body);
  }
})();
