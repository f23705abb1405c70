/* Typeset the inline TeX the generator wraps as <span class="arithmatex">\(...\)</span>, with the
   vendored KaTeX (assets/vendor/katex). Only those elements are touched: a "\(" elsewhere in an
   abstract stays text. Runs on every page Material shows, including after instant navigation. */
(function () {
  "use strict";
  function typeset(root) {
    if (typeof renderMathInElement !== "function") return;
    root.querySelectorAll(".arithmatex").forEach(function (element) {
      if (element.querySelector(".katex")) return;
      renderMathInElement(element, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true }
        ],
        throwOnError: false,
        trust: false
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
