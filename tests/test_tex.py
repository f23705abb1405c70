"""The TeX reading of titles and abstracts (generator/site/tex.py), as a table: each row is a real
fragment or a price/hostile case, with the HTML the page gets and the plain text that <title>,
meta tags, feeds and search get.

Real fragments are quoted from arXiv abstracts exactly as arXiv's API gives them (the arXiv id is
in the comment above each row); they were read from the daily arXiv listings archived in
github.com/dw-dengwei/daily-arXiv-ai-enhanced (branch `data`, data/YYYY-MM-DD.jsonl), the same
source as benchmarks/math_corpus.py.

How ambiguous cases are decided (and why) is written next to the rows that decide them. The rule
is pandoc's (tex_math_dollars), with one departure real abstracts need: a `$` before a digit
closes math that does not begin with a digit (`512$\\times$512`), since a price always does.
"""

from __future__ import annotations

import pytest
from markupsafe import Markup

from paper_collection.site.render import first_sentence
from paper_collection.site.tex import math_spans, math_words, to_html, to_plain

TABLE = [
    # arXiv:2504.05262
    ('($0$ to $2^{64}$)',
     '(<span class="arithmatex">\\(0\\)</span> to <span class="arithmatex">\\(2^{64}\\)</span>)',
     '(0 to 2⁶⁴)'),
    # arXiv:2602.20706
    ('as $β$ shifts from $0$ to $1$',
     'as <span class="arithmatex">\\(β\\)</span> shifts from <span class="arithmatex">\\(0\\)</span> to '
     '<span class="arithmatex">\\(1\\)</span>',
     'as β shifts from 0 to 1'),
    # arXiv:2606.24516
    ('A controlled $2$D study',
     'A controlled <span class="arithmatex">\\(2\\)</span>D study',
     'A controlled 2D study'),
    # arXiv:2506.23153
    ('dynamic $3$D scenes',
     'dynamic <span class="arithmatex">\\(3\\)</span>D scenes',
     'dynamic 3D scenes'),
    # arXiv:2503.13004
    ('up to 10$\\times$ and 9$\\times$',
     'up to 10<span class="arithmatex">\\(\\times\\)</span> and 9<span class="arithmatex">\\(\\times\\)</span>',
     'up to 10× and 9×'),
    # arXiv:2503.13211; ambiguous: `$` before a digit closes math that does not begin with a digit (pandoc would not
    # close it)
    ('up to\n512$\\times$512$\\times$256',
     'up to 512<span class="arithmatex">\\(\\times\\)</span>512<span class="arithmatex">\\(\\times\\)</span>256',
     'up to 512×512×256'),
    # arXiv:2503.12460
    ('achieves $30\\%$ error reduction',
     'achieves <span class="arithmatex">\\(30\\%\\)</span> error reduction',
     'achieves 30% error reduction'),
    # arXiv:2511.10696
    ('deterministic $π$-stride skips',
     'deterministic <span class="arithmatex">\\(π\\)</span>-stride skips',
     'deterministic π-stride skips'),
    # arXiv:2511.11041
    ('as $\\tilde{e} + μ$, where $μ$',
     'as <span class="arithmatex">\\(\\tilde{e} + μ\\)</span>, where <span class="arithmatex">\\(μ\\)</span>',
     'as ẽ + μ, where μ'),
    # arXiv:2503.11780
    ('called\nM$^2$D-LIF',
     'called M<span class="arithmatex">\\(^2\\)</span>D-LIF',
     'called M²D-LIF'),
    # arXiv:2503.14919
    ('(GenM$^3$)',
     '(GenM<span class="arithmatex">\\(^3\\)</span>)',
     '(GenM³)'),
    # arXiv:2508.08385
    ('has $O(1)$ runtime',
     'has <span class="arithmatex">\\(O(1)\\)</span> runtime',
     'has O(1) runtime'),
    # arXiv:2602.23520
    ('cost $O(1)$ at capacity vs $Ω(n)$ above',
     'cost <span class="arithmatex">\\(O(1)\\)</span> at capacity vs <span class="arithmatex">\\(Ω(n)\\)'
     '</span> above',
     'cost O(1) at capacity vs Ω(n) above'),
    # arXiv:2503.18578
    ('up to $+0.17$ F1',
     'up to <span class="arithmatex">\\(+0.17\\)</span> F1',
     'up to +0.17 F1'),
    # arXiv:2504.01722
    ('($-780$ t/ha RMSE)',
     '(<span class="arithmatex">\\(-780\\)</span> t/ha RMSE)',
     '(-780 t/ha RMSE)'),
    # arXiv:2503.12531
    ('of $\\sim2K$ clips',
     'of <span class="arithmatex">\\(\\sim2K\\)</span> clips',
     'of ∼2K clips'),
    # arXiv:2503.15426
    ('($\\sim$21M\nsamples)',
     '(<span class="arithmatex">\\(\\sim\\)</span>21M samples)',
     '(∼21M samples)'),
    # arXiv:2601.09299
    ('ratio to $1/2$, which',
     'ratio to <span class="arithmatex">\\(1/2\\)</span>, which',
     'ratio to 1/2, which'),
    # arXiv:2604.21271
    ('order $O(1/T)$ under',
     'order <span class="arithmatex">\\(O(1/T)\\)</span> under',
     'order O(1/T) under'),
    # arXiv:2503.16759
    ('TCSF$_{IDMS}$ within',
     'TCSF<span class="arithmatex">\\(_{IDMS}\\)</span> within',
     'TCSF_IDMS within'),
    # arXiv:2504.03621
    ('VISTA$_{\\text{omni}}$',
     'VISTA<span class="arithmatex">\\(_{\\text{omni}}\\)</span>',
     'VISTA_omni'),
    # arXiv:2503.12329; price inside a real abstract
    ('at just $4 per test.',
     'at just $4 per test.',
     'at just $4 per test.'),
    # arXiv:2503.16655; price inside a real abstract
    ('(over $1 billion)',
     '(over $1 billion)',
     '(over $1 billion)'),
    # arXiv:2504.15431; escaped dollar
    ('(\\$148K)',
     '($148K)',
     '($148K)'),
    # arXiv:2505.00036; escaped dollars around a hyphen
    ('between \\$48-\\$74 per persuaded voter',
     'between $48-$74 per persuaded voter',
     'between $48-$74 per persuaded voter'),
    # arXiv:2503.13956
    ('(\\textit{e.g.}, basketball',
     '(<em>e.g.</em>, basketball',
     '(e.g., basketball'),
    # arXiv:2503.12840
    ('\\emph{\\ie}, (1)',
     '<em>i.e.</em>, (1)',
     'i.e., (1)'),
    # arXiv:2503.14615
    ('a \\emph{strictly weaker} fragment',
     'a <em>strictly weaker</em> fragment',
     'a strictly weaker fragment'),
    # arXiv:2503.12590
    ('propose \\textbf{Personalize\nAnything}, a',
     'propose <strong>Personalize Anything</strong>, a',
     'propose Personalize Anything, a'),
    # arXiv:2503.12689
    ('$\\textbf{MagicID}$, a novel',
     '<span class="arithmatex">\\(\\textbf{MagicID}\\)</span>, a novel',
     'MagicID, a novel'),
    # arXiv:2503.21730
    ('\\texttt{Neuron Adjust} and',
     '<code>Neuron Adjust</code> and',
     'Neuron Adjust and'),
    # arXiv:2503.17966
    ('\\url{https://github.com/lwCVer/RRSHID}.',
     '<a href="https://github.com/lwCVer/RRSHID" rel="nofollow noopener">https://github.com/lwCVer/RRSHID</a>.',
     'https://github.com/lwCVer/RRSHID.'),
    # arXiv:2503.17793
    ('at~\\url{https://huggingface.co/inclusionAI/Ling-Coder-lite}',
     'at\xa0<a href="https://huggingface.co/inclusionAI/Ling-Coder-lite" rel="nofollow noopener">https:/'
     '/huggingface.co/inclusionAI/Ling-Coder-lite</a>',
     'at\xa0https://huggingface.co/inclusionAI/Ling-Coder-lite'),
    # arXiv:2503.13130
    ('\\href{https://github.com/qinghuannn/ChainHOI}{here}.',
     '<a href="https://github.com/qinghuannn/ChainHOI" rel="nofollow noopener">here</a>.',
     'here.'),
    # arXiv:2503.18784
    ('benchmark~\\cite{yang2022openood}.',
     'benchmark\xa0[yang2022openood].',
     'benchmark\xa0[yang2022openood].'),
    # arXiv:2503.20198; ambiguous: an author's own macro (unknown, no argument) shows its name rather than nothing
    ('\\ModelName~significantly',
     'ModelName\xa0significantly',
     'ModelName\xa0significantly'),
    # arXiv:2503.12981
    ('0.35~m/s',
     '0.35\xa0m/s',
     '0.35\xa0m/s'),
    # arXiv:2503.12069; authors close ``..." with a straight quote too
    ('``robust dataset distillation", a',
     '“robust dataset distillation”, a',
     '“robust dataset distillation”, a'),
    # arXiv:2503.12496
    ("``Sampling Dilemma'': low",
     '“Sampling Dilemma”: low',
     '“Sampling Dilemma”: low'),
    # arXiv:2503.17212
    ('aged\n13--70)',
     'aged 13–70)',
     'aged 13–70)'),
    # arXiv:2504.01931
    ('achieving 3--6% absolute gains',
     'achieving 3–6% absolute gains',
     'achieving 3–6% absolute gains'),
    # arXiv:2504.05598; `$$` between two inline formulas: the first closes, the second opens (no display math)
    ('$2.16\\times$$\\sim$$2.50\\times$',
     '<span class="arithmatex">\\(2.16\\times\\)</span><span class="arithmatex">\\(\\sim\\)</span><span '
     'class="arithmatex">\\(2.50\\times\\)</span>',
     '2.16×∼2.50×'),
    # arXiv:2505.09073; MathJax's \unicode{x00b0} becomes °
    ('(90$\\unicode{x00b0}$$\\unicode{x002b}$)',
     '(90<span class="arithmatex">\\(°\\)</span><span class="arithmatex">\\(+\\)</span>)',
     '(90°+)'),
    # arXiv:2503.23509
    ('\\(\\mathcal{J}\\&\\mathcal{F}\\)',
     '<span class="arithmatex">\\(\\mathcal{J}\\&amp;\\mathcal{F}\\)</span>',
     '𝒥&ℱ'),
    # arXiv:2504.08247
    ('the \\(\\text{TC}^0\\) complexity',
     'the <span class="arithmatex">\\(\\text{TC}^0\\)</span> complexity',
     'the TC⁰ complexity'),
    # arXiv:2504.03601
    ('on $\\tau$-bench',
     'on <span class="arithmatex">\\(\\tau\\)</span>-bench',
     'on τ-bench'),
    # arXiv:2504.03072
    ('$\\int$-noise',
     '<span class="arithmatex">\\(\\int\\)</span>-noise',
     '∫-noise'),
    # arXiv:2602.19085
    ('regret of $\\tilde{O}(\\sqrt{m})$ over $m$ auctions',
     'regret of <span class="arithmatex">\\(\\tilde{O}(\\sqrt{m})\\)</span> over <span class="arithmatex'
     '">\\(m\\)</span> auctions',
     'regret of Õ(√(m)) over m auctions'),
    # arXiv:2503.14615
    ('leftmost-hard attention -- in that case',
     'leftmost-hard attention – in that case',
     'leftmost-hard attention – in that case'),
    # arXiv:2510.02850
    ('$O(1)$ RM calls--but',
     '<span class="arithmatex">\\(O(1)\\)</span> RM calls–but',
     'O(1) RM calls–but'),
    # arXiv:2510.24161; a bare % in math would start a TeX comment: it is a percent sign
    ('achieving\n$\\sim\\!\\textbf{6%}$ gains',
     'achieving <span class="arithmatex">\\(\\sim\\!\\textbf{6\\%}\\)</span> gains',
     'achieving ∼6% gains'),
    # arXiv:2601.05376; a bare URL is the URL: its TeX escapes are undone, nothing else is read
    ('available at https://github.com/rsinghlab/Persona\\_Paradox.',
     'available at https://github.com/rsinghlab/Persona_Paradox.',
     'available at https://github.com/rsinghlab/Persona_Paradox.'),
    # arXiv:2603.03318; ambiguous: a space just inside the `$` (which arXiv's MathJax accepts) is allowed when
    # the math holds a TeX command and nothing is glued to the outside; plain prices never hold one
    ('word error rate ($4.7 \\times $) and cross-entropy loss ($13 \\times$)',
     'word error rate (<span class="arithmatex">\\(4.7 \\times\\)</span>) and cross-entropy loss (<span '
     'class="arithmatex">\\(13 \\times\\)</span>)',
     'word error rate (4.7 ×) and cross-entropy loss (13 ×)'),
    # arXiv:2603.03318
    ('only requiring a $ 2.6\\times$ longer inference time',
     'only requiring a <span class="arithmatex">\\(2.6\\times\\)</span> longer inference time',
     'only requiring a 2.6× longer inference time'),
    # a price, then a sentence with commands, then display math: the relaxed rule takes no sentence as math
    ('A TPU hour $10. Code: \\url{https://example.org/x}. Then $$x^2$$ holds',
     'A TPU hour $10. Code: <a href="https://example.org/x" rel="nofollow noopener">https://example.org/x</a>. '
     'Then <span class="arithmatex arithmatex--display">\\[x^2\\]</span> holds',
     'A TPU hour $10. Code: https://example.org/x. Then x² holds'),
    # arXiv:2504.17180; unknown macro in math: KaTeX shows the author's TeX in code style; the plain form shows its
    # name
    ('introduce \\(\\projectname\\), a',
     'introduce <span class="arithmatex">\\(\\projectname\\)</span>, a',
     'introduce projectname, a'),
    # issue #15 example
    ('bounded away from $0$',
     'bounded away from <span class="arithmatex">\\(0\\)</span>',
     'bounded away from 0'),
    # issue #15 example
    ('model data in $1$D, $2$D, and $3$D',
     'model data in <span class="arithmatex">\\(1\\)</span>D, <span class="arithmatex">\\(2\\)</span>D, '
     'and <span class="arithmatex">\\(3\\)</span>D',
     'model data in 1D, 2D, and 3D'),
    # issue #15 example
    ('outperforming a baseline by $40\\%$',
     'outperforming a baseline by <span class="arithmatex">\\(40\\%\\)</span>',
     'outperforming a baseline by 40%'),
    # issue #15 example
    ('a shadow price $η$',
     'a shadow price <span class="arithmatex">\\(η\\)</span>',
     'a shadow price η'),
    # issue #15 example
    ('10$\\times$ faster',
     '10<span class="arithmatex">\\(\\times\\)</span> faster',
     '10× faster'),
    # issue #15 example
    ('$^1$University of Oxford',
     '<span class="arithmatex">\\(^1\\)</span>University of Oxford',
     '¹University of Oxford'),
    # issue #15 example
    ('$\\alpha$-rank',
     '<span class="arithmatex">\\(\\alpha\\)</span>-rank',
     'α-rank'),
    ('the $\\sigma$-rank of',
     'the <span class="arithmatex">\\(\\sigma\\)</span>-rank of',
     'the σ-rank of'),
    # price pair: a space before the second `$` ends the attempt (pandoc)
    ('A GPU hour costs $5 and a TPU hour $10',
     'A GPU hour costs $5 and a TPU hour $10',
     'A GPU hour costs $5 and a TPU hour $10'),
    # price: no closing `$`
    ('It costs $5.',
     'It costs $5.',
     'It costs $5.'),
    # price: `$` before a space never opens math
    ('US$ 3 million',
     'US$ 3 million',
     'US$ 3 million'),
    # price range: `$` before a digit does not close math that began with a digit
    ('between $5–$10 per hour',
     'between $5–$10 per hour',
     'between $5–$10 per hour'),
    # hostile: math content is escaped text inside the span; KaTeX reads it as TeX
    ('$<script>alert(1)</script>$',
     '<span class="arithmatex">\\(&lt;script&gt;alert(1)&lt;/script&gt;\\)</span>',
     '<script>alert(1)</script>'),
    # hostile: only http(s) URLs become links; the rest stays text
    ('\\url{javascript:alert(1)}',
     'javascript:alert(1)',
     'javascript:alert(1)'),
    # hostile: a URL with a quote or space is no URL; only the label shows
    ('\\href{http://x" onmouseover="y}{t}',
     't',
     't'),
    # hostile: javascript: scheme, label only
    ('\\href{javascript:alert(1)}{click}',
     'click',
     'click'),
    ('\\citet{smith2020} and \\citep{a, b}',
     '[smith2020] and [a, b]',
     '[smith2020] and [a, b]'),
    ('pages 3---4 and 1990--2000',
     'pages 3—4 and 1990–2000',
     'pages 3—4 and 1990–2000'),
    # ambiguous: `--` with a space before and a letter after is a command-line flag, not a dash
    ('use --help to list',
     'use --help to list',
     'use --help to list'),
    # ambiguous: bare braces stay (plain-text authors write sets); only `{}` and `{\bf ...}` groups are read
    ('labels in {0, 1}',
     'labels in {0, 1}',
     'labels in {0, 1}'),
    ('{\\bf Bold} claim',
     '<strong>Bold</strong> claim',
     'Bold claim'),
    # ambiguous: `~` next to a space is a tilde, not a tie
    ('run rm -rf ~/tmp',
     'run rm -rf ~/tmp',
     'run rm -rf ~/tmp'),
    ('Erd\\H{o}s and G\\"odel and Poincar\\\'e',
     'Erdős and Gödel and Poincaré',
     'Erdős and Gödel and Poincaré'),
    # display math
    ('$$E = mc^2$$ holds',
     '<span class="arithmatex arithmatex--display">\\[E = mc^2\\]</span> holds',
     'E = mc² holds'),
    # unknown command: its argument stays, the command goes
    ('a \\textsc{Small} caps',
     'a Small caps',
     'a Small caps'),
    # hostile: markup is escaped
    ('text with <b>tags</b> & ampersands',
     'text with &lt;b&gt;tags&lt;/b&gt; &amp; ampersands',
     'text with <b>tags</b> & ampersands'),
    # colour argument dropped, text kept
    ('a \\textcolor{red}{warning} here',
     'a warning here',
     'a warning here'),
    ('$x$ and $y$',
     '<span class="arithmatex">\\(x\\)</span> and <span class="arithmatex">\\(y\\)</span>',
     'x and y'),
    # `$` before a space opens nothing
    ('a lone $ sign',
     'a lone $ sign',
     'a lone $ sign'),
    # a closing `$` with no opening one is text
    ('5$ is not math',
     '5$ is not math',
     '5$ is not math'),
    # MathJax's \unicode (KaTeX lacks it) becomes the character, escaped for TeX
    ('$\\unicode{x0025}$ sign',
     '<span class="arithmatex">\\(\\%\\)</span> sign',
     '% sign'),
]


def test_the_table_has_at_least_sixty_cases_and_cites_the_real_ones():
    assert len(TABLE) >= 60
    assert len({source for source, _, _ in TABLE}) == len(TABLE), "each case once"
    text = open(__file__, encoding="utf-8").read()
    assert text.count("# arXiv:") >= 45


@pytest.mark.parametrize(("source", "html", "plain"), TABLE, ids=[row[0][:40] for row in TABLE])
def test_html_and_plain_text(source, html, plain):
    rendered = to_html(source)
    assert isinstance(rendered, Markup)
    assert str(rendered) == html
    assert to_plain(source) == plain


@pytest.mark.parametrize(("source", "html", "plain"), TABLE, ids=[row[0][:40] for row in TABLE])
def test_plain_text_has_no_tex_left(source, html, plain):
    if "$" not in plain:  # prices keep their dollar: every other row reads without TeX
        assert "\\" not in plain or "\\url" in source
    assert "<span" not in plain


@pytest.mark.parametrize("hostile", [
    "$<script>alert(1)</script>$", "\\url{javascript:alert(1)}", '\\href{http://x" onmouseover="y}{t}',
    "\\href{javascript:alert(1)}{click}", "\\texttt{<img src=x onerror=alert(1)>}", "\\emph{<b>x</b>}",
    "\\href{https://ok.org}{<script>x</script>}", "\\url{https://x.org/\"><script>}", "$x$\"><img src=x>",
])
@pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")
def test_hostile_input_renders_inert(hostile):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(str(to_html(hostile)), "html.parser")
    assert not soup.find_all(["script", "img", "b"])
    for element in soup.find_all(True):
        assert set(element.attrs) <= {"class", "href", "rel"}
        assert element.name in {"span", "em", "strong", "code", "a"}
    for link in soup.find_all("a"):
        assert link["href"].startswith(("http://", "https://")) and '"' not in link["href"]
        assert link["rel"] == ["nofollow", "noopener"]


def test_first_sentence_never_cuts_inside_math():
    abstract = "We bound the error by $O(n^{1/2}). Then$ it holds. Next sentence."
    assert first_sentence(abstract) == "We bound the error by $O(n^{1/2}). Then$ it holds."
    long_math = "A " + "$" + " + ".join(f"x_{i}" for i in range(200)) + "$ ends."
    cut = first_sentence(long_math, limit=50)
    spans = math_spans(cut.rstrip("…"))
    assert cut.count("$") % 2 == 0 and (spans or "$" not in cut)


def test_search_finds_words_around_and_inside_math():
    from paper_collection.collection.paper import Paper
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.site.model import SiteSettings, build_model
    from tests.helpers import SEED_TAXONOMY

    paper = Paper(slug="s", title="The $\\sigma$-rank of eluder classes", tags=(), added="2024-01-01",
                  abstract="We bound the $\\alpha$-rank by the eluder dimension $d_E$ and $40\\%$ of it.")
    model = build_model([paper], load_taxonomy(SEED_TAXONOMY), SiteSettings(name="S"))
    [fields] = model.search_documents
    words = (fields["title"] + " " + fields["abstract"]).lower().replace("-", " ").split()
    for word in ("sigma", "σ", "rank", "eluder", "alpha", "α", "40%"):
        assert word in words, word
    assert "$" not in fields["title"] + fields["abstract"] and "\\" not in fields["abstract"]
    assert math_words("$\\sigma$ and $\\Omega$") == "sigma omega"


def test_import_keeps_the_math_and_escaped_dollars_the_renderer_reads():
    from paper_collection.ingest.clean import clean_text

    # arXiv:2503.13211 and arXiv:2604.01212: cleaning must not turn \\times into × or \\$ into a math-opening $.
    assert clean_text("up to 512$\\times$512$\\times$256") == "up to 512$\\times$512$\\times$256"
    text = "funds at \\$1.27 M, followed by GLM-5 at \\$1.21 M at 11$\\times$ lower"
    assert clean_text(text) == text
    assert to_plain(clean_text(text)) == "funds at $1.27 M, followed by GLM-5 at $1.21 M at 11× lower"


def test_abstracts_are_not_kept_in_the_text_caches_titles_are():
    """At 50,000 papers the parsed and plain forms of every abstract filled the caches of every
    build process (about 95 MB each); a title is asked for many times and stays cached."""
    import tracemalloc

    from paper_collection.site import tex

    abstracts = [f"Paper {n} studies $x_1$ under \\emph{{noise}}. " + "More words follow here. " * 80
                 for n in range(1_000)]  # 2 KB each
    assert all(len(a) > tex.SHORT_TEXT for a in abstracts)
    tracemalloc.start()
    try:
        plain = [len(tex.to_plain(a)) for a in abstracts]
        kept_abstracts = tracemalloc.get_traced_memory()[0]
        titles = [tex.to_plain(f"Title number {n} about $\\alpha$-stable noise") for n in range(1_000)]
        kept_titles = tracemalloc.get_traced_memory()[0] - kept_abstracts
    finally:
        tracemalloc.stop()
    assert sum(plain) > 1_500_000
    assert kept_abstracts < 200_000, kept_abstracts  # not the 2 MB of text, nor their parsed nodes
    assert kept_titles > 100_000, kept_titles  # titles are kept
    assert tex.to_plain("Title number 7 about $\\alpha$-stable noise") is titles[7]
