import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { figureBundle, PLOTLY_LOADER_META } from "../../lib/notebook/display";
import type { Notebook } from "../../lib/runner/ipynb";
import { countFigures, type IndexEntry, notebookTitle, renderIndexHtml, renderNotebookHtml } from "../../lib/runner/report";

const XSS = "<img src=x onerror=alert(1)>";

function notebook(outputs: Notebook["cells"][number] extends infer _ ? unknown[] : never): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: "# My *study*\n\nprose" },
      { cell_type: "code", metadata: {}, source: `const t = "${XSS}";`, execution_count: 1, outputs: outputs as never },
    ],
  };
}

describe("renderNotebookHtml(nb, options)", () => {
  it("renders markdown, escapes code and text outputs, and runs no data as HTML", () => {
    const html = renderNotebookHtml(notebook([{ output_type: "stream", name: "stdout", text: `${XSS}\n` }]), { title: XSS, subtitle: XSS });
    assert.match(html, /<h1>My <em>study<\/em><\/h1>/);
    assert.ok(!html.includes("<img"), "no raw <img from code, stream, title or subtitle");
    assert.match(html, /In \[1\]:/);
  });
  it("inlines plotly.js once in the head when there are figures, and skips the kernel's loader output", () => {
    const fig = figureBundle({ data: [{ type: "bar", x: [1], y: [2] }] });
    const loader = {
      output_type: "display_data",
      data: { "text/html": "<script>LOADER</script>" },
      metadata: { [PLOTLY_LOADER_META]: true },
    };
    const html = renderNotebookHtml(notebook([loader, { output_type: "display_data", ...fig }]), { title: "t" });
    assert.equal(html.split("window.Plotly = Plotly").length - 1, 1);
    assert.ok(html.indexOf("window.Plotly = Plotly") < html.indexOf("</head>"));
    assert.ok(!html.includes("LOADER"));
    assert.match(html, /Plotly\.newPlot/);
  });
  it("leaves plotly.js out of pages without figures", () => {
    const html = renderNotebookHtml(notebook([]), { title: "t" });
    assert.ok(!html.includes("window.Plotly = Plotly"));
    assert.ok(html.length < 20_000);
  });
  it("shows error outputs with their name and traceback, escaped", () => {
    const html = renderNotebookHtml(notebook([{ output_type: "error", ename: "RangeError", evalue: XSS, traceback: ["at f"] }]), {
      title: "t",
    });
    assert.match(html, /<span class="ename">RangeError<\/span>: &lt;img/);
  });
  it("shows raw HTML and script links in markdown outputs as text, keeping markdownCode's <code>", () => {
    const md = "**bold** <img src=x onerror=alert(1)> <script>alert(2)</script> [go](javascript:alert(3)) <code>a&lt;b</code>";
    const html = renderNotebookHtml(notebook([{ output_type: "display_data", data: { "text/markdown": md }, metadata: {} }]), {
      title: "t",
    });
    const out = html.slice(html.indexOf('<div class="md">'));
    assert.ok(out.includes("<strong>bold</strong>"));
    assert.ok(out.includes("&lt;img src=x onerror=alert(1)&gt;") && !out.includes("<img"));
    assert.ok(!out.includes("<script>") && !out.includes("javascript:"));
    assert.ok(out.includes("<code>a&lt;b</code>"));
  });
});

describe("notebookTitle(nb) and countFigures(nb)", () => {
  it("takes the first H1 and counts figure outputs, not other HTML", () => {
    const fig = figureBundle({ data: [] });
    const table = { output_type: "display_data", data: { "text/html": "<table></table>" }, metadata: {} };
    const nb = notebook([{ output_type: "display_data", ...fig }, table]);
    assert.equal(notebookTitle(nb, "x"), "My *study*");
    assert.equal(countFigures(nb), 1);
  });
});

describe("renderIndexHtml(entries)", () => {
  it("links run notebooks, marks failures and escapes titles", () => {
    const html = renderIndexHtml(
      [
        { name: "01-a", html: "01-a.html", ipynb: "01-a.ipynb", status: "ok", seconds: 1.5, cells: 3, figures: 1, title: XSS },
        { name: "02-b", html: "02-b.html", ipynb: "02-b.ipynb", status: "not run", seconds: null, cells: 0, figures: 0, title: "b" },
      ],
      { title: "report", subtitle: "run" },
    );
    assert.match(html, /<a href="01-a.html">01-a<\/a>/);
    assert.ok(!html.includes('href="02-b.html"'));
    assert.ok(!html.includes("<img"));
  });
});

describe("the index's recorded results (headlineText in test/notebook/results.test.ts)", () => {
  it("shows each notebook's recorded results in the index, escaped", () => {
    const html = renderIndexHtml(
      [
        {
          name: "01-a",
          html: "01-a.html",
          ipynb: "01-a.ipynb",
          status: "ok",
          seconds: 1,
          cells: 1,
          figures: 0,
          title: "a",
          results: `${XSS} (SYNTHETIC)`,
        },
      ],
      { title: "t", subtitle: "s" },
    );
    assert.match(html, /<th>recorded results<\/th>/);
    assert.match(html, /<td class="results">&lt;img src=x onerror=alert\(1\)&gt; \(SYNTHETIC\)<\/td>/);
  });
});

describe("the notices in the index and the notebook pages (modelWarningText in test/notebook/results.test.ts)", () => {
  const entry = (name: string, notices?: IndexEntry["notices"]): IndexEntry => ({
    name,
    html: `${name}.html`,
    ipynb: `${name}.ipynb`,
    status: "ok",
    seconds: 1,
    cells: 1,
    figures: 0,
    title: name,
    results: "synthetic (SYNTHETIC)",
    notices,
  });

  it("marks a notebook whose model is below popularity in its index row and in a line above the table, escaped", () => {
    const html = renderIndexHtml([entry("03-training", { modelWarning: `below ${XSS}` }), entry("02-genre")], {
      title: "t",
      subtitle: "s",
    });
    assert.match(html, /<p class="warn summary">&#9888; Model below popularity on validation in 03-training\.<\/p>/);
    assert.match(html, /<td class="results"><div class="warn">&#9888; below &lt;img src=x onerror=alert\(1\)&gt;<\/div>synthetic/);
    assert.equal(html.split('class="warn"').length - 1, 1, "one row warning; the other row says nothing");
    assert.ok(!html.includes("<img"));
  });

  it("lists what is not as committed in the row, names the notebook above the table, and says why one was not compared", () => {
    const params = ["epochs = 2 (committed: 0)", 'dataset = "ml-1m" (set by --param; notebook: "synthetic")'];
    const html = renderIndexHtml([entry("03-training", { params }), entry("07-new", { params: [], paramsNote: "it is not in git HEAD" })], {
      title: "t",
      subtitle: "s",
    });
    assert.match(html, /Run with parameters or code other than the committed notebook's: 03-training\./);
    assert.match(
      html,
      /<li>epochs = 2 \(committed: 0\)<\/li><li>dataset = &quot;ml-1m&quot; \(set by --param; notebook: &quot;synthetic&quot;\)<\/li>/,
    );
    assert.match(html, /Parameters not compared with a committed version: it is not in git HEAD/);
    assert.ok(!/Run with parameters.*07-new/.test(html), "a notebook with nothing to compare is not named as changed");
  });

  it("shows nothing extra in an index whose notebooks are as committed and whose models beat popularity", () => {
    const html = renderIndexHtml([entry("01-a", { params: [] }), entry("02-b")], { title: "t", subtitle: "s" });
    assert.ok(!/class="(warn|params|note)/.test(html));
  });

  it("puts the same notices in a notebook page's header", () => {
    const html = renderNotebookHtml(notebook([]), {
      title: "t",
      notices: { modelWarning: "Model does not beat popularity on validation: 0.21 < 0.33", params: ["epochs = 2 (committed: 0)"] },
    });
    const header = html.slice(html.indexOf('<header class="page">'), html.indexOf("</header>"));
    assert.match(header, /<div class="warn">&#9888; Model does not beat popularity on validation: 0\.21 &lt; 0\.33<\/div>/);
    assert.match(header, /<li>epochs = 2 \(committed: 0\)<\/li>/);
  });
});
