/* Typeset the math the generator marks as <span class="arithmatex">\(...\)</span> (inline) or
   <span class="arithmatex arithmatex--display">\[...\]</span> (display; generator/site/tex.py),
   with the vendored KaTeX (assets/vendor/katex). Only those elements are touched: a "\(" elsewhere
   in an abstract stays text. KaTeX (about 300 KB) is loaded only by pages that have math. Runs on
   every page Material shows, including after instant navigation.

   Math KaTeX cannot read (a macro from the author's own preamble, a typo) is shown as the author
   wrote it, in a code style (<code class="math-source">), never as KaTeX's red error: KaTeX runs
   with throwOnError and the error is caught here. strict: "ignore" lets Unicode in math (η, ∼, ×,
   accented letters) through without warnings. */
(function () {
  "use strict";
  var base = new URL("../vendor/katex/", document.currentScript.src);
  var loading = null;
  // Macros common in arXiv abstracts that KaTeX does not define.
  var MACROS = {
    "\\bm": "\\boldsymbol{#1}",
    "\\Bar": "\\bar{#1}",
    "\\upmu": "\\mu",
    "\\mathds": "\\mathbb{#1}",
    "\\Q": "\\mathbb{Q}",
    "\\E": "\\mathbb{E}",
    "\\ensuremath": "#1",
    "\\textsc": "\\text{#1}",
    "\\textup": "\\text{#1}",
    "\\mbox": "\\text{#1}",
    "\\xspace": ""
  };

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
      ]);
    }
    return loading;
  }

  function source(element) {
    var text = element.textContent;
    var display = element.classList.contains("arithmatex--display");
    if (text.slice(0, 2) === (display ? "\\[" : "\\(")) text = text.slice(2, -2);
    return { tex: text, display: display };
  }

  function typesetOne(element) {
    var math = source(element);
    try {
      katex.render(math.tex, element, {
        displayMode: math.display,
        throwOnError: true,
        strict: "ignore",
        trust: false,
        macros: Object.assign({}, MACROS),
        maxExpand: 1000
      });
    } catch (error) {
      // The author's TeX, as text, in a code style: readable, never a broken page.
      var code = document.createElement("code");
      code.className = "math-source";
      code.textContent = math.display ? "$$" + math.tex + "$$" : "$" + math.tex + "$";
      code.title = "Math the page could not typeset";
      element.textContent = "";
      element.appendChild(code);
    }
    element.classList.add("arithmatex--done");
  }

  function typeset(root) {
    var elements = Array.prototype.filter.call(root.querySelectorAll(".arithmatex"), function (element) {
      return !element.classList.contains("arithmatex--done");
    });
    if (!elements.length) return;
    loadKatex().then(function () { elements.forEach(typesetOne); });
  }

  if (typeof document$ !== "undefined" && document$ && typeof document$.subscribe === "function") {
    document$.subscribe(function () { typeset(document.body); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  } else {
    typeset(document.body);
  }
})();
