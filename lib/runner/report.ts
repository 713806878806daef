// Self-contained HTML pages for executed notebooks and an index page. They work offline:
// CSS and plotly.js are inlined (plotly once per page), markdown is rendered, code and
// text outputs are escaped, and Plotly figures are drawn from their JSON bundle.
import { Marked, marked } from "marked";
import { FIGURE_META, PLOTLY_LOADER_META, plotlyScript } from "../notebook/display";
import { escapeHtml } from "../core/html";
import { collapseCarriageReturns, joinSource, stripAnsi, type Cell, type Notebook, type Output } from "./ipynb";

export interface NotebookReportOptions {
  title: string;
  /** Links shown in the page header. */
  nav?: { index?: string; prev?: string; next?: string };
  /** One line under the title, e.g. status and run time. */
  subtitle?: string;
  /** Notices shown in the header: see IndexEntry. */
  notices?: Notices;
}

/** What a run must not leave silent: a model below popularity, parameters other than the committed notebook's. */
export interface Notices {
  /** The notebook's model does not beat popularity on validation: its recorded model_check line (modelWarningText). */
  modelWarning?: string;
  /** Parameters set by --param and what differs from the committed notebook (git HEAD), a line each. */
  params?: string[];
  /** Why the notebook was not compared with a committed version (no git checkout, not committed, ...). */
  paramsNote?: string;
}

export interface IndexEntry {
  name: string;
  html: string;
  ipynb: string;
  status: "ok" | "failed" | "not run";
  seconds: number | null;
  cells: number;
  figures: number;
  title: string;
  /** The notebook's recorded headline results (data/metrics/<name>.json of this run), in words (headlineText). */
  results?: string;
  notices?: Notices;
}

/** The notices of one notebook as HTML: the model warning first, then the parameter lines. */
function noticesHtml(notices: Notices | undefined): string {
  if (!notices) return "";
  const warning = notices.modelWarning ? `<div class="warn">&#9888; ${escapeHtml(notices.modelWarning)}</div>` : "";
  const items = (notices.params ?? []).map((l) => `<li>${escapeHtml(l)}</li>`).join("");
  const params = items ? `<div class="params"><b>Differs from the committed notebook (git HEAD):</b><ul>${items}</ul></div>` : "";
  const note = notices.paramsNote
    ? `<div class="note">Parameters not compared with a committed version: ${escapeHtml(notices.paramsNote)}</div>`
    : "";
  return warning + params + note;
}

const CSS = `
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px 32px 64px;background:#fff;min-height:100vh;box-shadow:0 0 0 1px #d0d7de}
header.page{border-bottom:1px solid #d0d7de;margin-bottom:16px;padding-bottom:8px}
header.page nav a{margin-right:14px;font-size:13px}
.sub{color:#59636e;font-size:13px}
.cell{margin:10px 0}
.md h1{font-size:1.9em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.md h2{font-size:1.4em;margin-top:1.4em}
.md code,.md pre{background:#f6f8fa;border-radius:4px}
.md code{padding:.1em .3em;font-size:90%}
.md table{border-collapse:collapse}.md td,.md th{border:1px solid #d0d7de;padding:3px 8px}
.input{display:flex;gap:8px}
.prompt{flex:0 0 64px;color:#8250df;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;text-align:right;padding-top:8px}
.input pre{flex:1;margin:0;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;overflow-x:auto;
  font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
.outputs{margin-left:72px}
.out{margin:6px 0;overflow-x:auto}
.out pre{margin:0;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;word-break:break-word}
.stderr pre{background:#fff8e6;padding:4px 8px;border-radius:4px}
.error{border-left:4px solid #cf222e;background:#ffebe9;padding:6px 10px;border-radius:4px}
.error .ename{font-weight:600;color:#cf222e}
.notrun{color:#8c959f;font-style:italic;font-size:12px}
table.cvae-table{border-collapse:collapse;font-size:13px;margin:4px 0}
table.cvae-table caption{text-align:left;font-weight:600;padding:4px 0;white-space:nowrap}
table.cvae-table th{background:#f6f8fa;text-align:left}
table.cvae-table td,table.cvae-table th{border:1px solid #d0d7de;padding:3px 8px}
table.cvae-table td.num{text-align:right;font-variant-numeric:tabular-nums}
table.index{border-collapse:collapse;width:100%}
table.index td,table.index th{border-bottom:1px solid #d0d7de;padding:8px;text-align:left}
table.index td:nth-child(1),table.index td:nth-child(4){white-space:nowrap}
.warn{background:#fff8c5;border-left:4px solid #bf8700;padding:4px 8px;margin:4px 0;border-radius:4px;font-weight:600;color:#6f4e00}
.params{background:#ddf4ff;border-left:4px solid #0969da;padding:4px 8px;margin:4px 0;border-radius:4px;font-size:13px}
.params ul{margin:2px 0 0;padding-left:20px}.note{color:#59636e;font-size:12px;margin:4px 0}
p.summary{margin:8px 0}
.ok{color:#1a7f37;font-weight:600}.failed{color:#cf222e;font-weight:600}.skipped{color:#8c959f}
`;

/** The HTML page of one (executed or partially executed) notebook. */
export function renderNotebookHtml(nb: Notebook, options: NotebookReportOptions): string {
  const needsPlotly = countFigures(nb) > 0;
  const body = nb.cells.map((cell, i) => renderCell(cell, i)).join("\n");
  const nav = options.nav ?? {};
  const links = [
    nav.index ? `<a href="${escapeHtml(nav.index)}">&#8962; index</a>` : "",
    nav.prev ? `<a href="${escapeHtml(nav.prev)}">&larr; previous</a>` : "",
    nav.next ? `<a href="${escapeHtml(nav.next)}">next &rarr;</a>` : "",
  ].join("");
  const subtitle = options.subtitle ? `<div class="sub">${escapeHtml(options.subtitle)}</div>` : "";
  const notices = noticesHtml(options.notices);
  return page(options.title, `<header class="page"><nav>${links}</nav>${subtitle}${notices}</header>\n${body}`, needsPlotly);
}

/** The index page listing every notebook of a run. */
export function renderIndexHtml(entries: IndexEntry[], options: { title: string; subtitle: string }): string {
  const rows = entries
    .map((e) => {
      const status = e.status === "ok" ? "ok" : e.status === "failed" ? "failed" : "skipped";
      const link = e.status === "not run" ? escapeHtml(e.name) : `<a href="${escapeHtml(e.html)}">${escapeHtml(e.name)}</a>`;
      return (
        `<tr><td>${link}</td><td>${escapeHtml(e.title)}</td><td class="${status}">${escapeHtml(e.status)}</td>` +
        `<td>${e.seconds === null ? "" : `${e.seconds.toFixed(1)} s`}</td><td>${e.cells}</td><td>${e.figures}</td>` +
        `<td>${e.status === "not run" ? "" : `<a href="${escapeHtml(e.ipynb)}">.ipynb</a>`}</td>` +
        `<td class="results">${noticesHtml(e.notices)}${escapeHtml(e.results ?? "")}</td></tr>`
      );
    })
    .join("\n");
  const body =
    `<h1>${escapeHtml(options.title)}</h1><p class="sub">${escapeHtml(options.subtitle)}</p>\n${indexSummary(entries)}` +
    `<table class="index"><thead><tr><th>notebook</th><th>title</th><th>status</th><th>time</th><th>code ` +
    `cells</th><th>figures</th><th>executed notebook</th><th>recorded results</th></tr></thead>\n<tbody>${rows}</tbody></table>`;
  return page(options.title, body, false);
}

/** Lines above the index table naming the notebooks whose model or parameters need a look; empty when none do. */
function indexSummary(entries: IndexEntry[]): string {
  const names = (pick: (n: Notices) => unknown) => entries.filter((e) => e.notices && pick(e.notices)).map((e) => e.name);
  const weak = names((n) => n.modelWarning);
  const changed = names((n) => n.params?.length);
  const lines = [
    weak.length ? `<p class="warn summary">&#9888; Model below popularity on validation in ${escapeHtml(weak.join(", "))}.</p>` : "",
    changed.length
      ? `<p class="params summary">Run with parameters or code other than the committed notebook's: ${escapeHtml(changed.join(", "))}.</p>`
      : "",
  ];
  return lines.join("");
}

/** The first markdown heading of a notebook, for titles and the index. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^#\s+(.+)$/m.exec(joinSource(cell.source));
    if (m) return m[1].trim();
  }
  return fallback;
}

/** Figure outputs of a notebook: displays our display helper marked as figures. */
export function countFigures(nb: Notebook): number {
  let n = 0;
  for (const c of nb.cells)
    if (c.cell_type === "code") for (const o of c.outputs) if (o.output_type === "display_data" && o.metadata[FIGURE_META] === true) n++;
  return n;
}

function page(title: string, body: string, withPlotly: boolean): string {
  // plotly.js goes in the head, once, so every figure below can draw as the page parses.
  const plotly = withPlotly ? `<script>${plotlyScript()}</script>\n` : "";
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${CSS}</style>\n${plotly}</head>\n<body><main>\n${body}\n</main></body></html>\n`
  );
}

function renderCell(cell: Cell, index: number): string {
  if (cell.cell_type === "markdown") {
    // Markdown cells are the notebook author's prose, rendered as such.
    return `<section class="cell md" id="cell-${index}">${marked.parse(joinSource(cell.source), { async: false })}</section>`;
  }
  if (cell.cell_type !== "code") return `<section class="cell raw"><pre>${escapeHtml(joinSource(cell.source))}</pre></section>`;
  const prompt = cell.execution_count === null ? "In [ ]:" : `In [${cell.execution_count}]:`;
  const outputs = cell.outputs
    .map(renderOutput)
    .filter((s) => s !== "")
    .join("\n");
  const notRun = cell.execution_count === null && cell.outputs.length === 0 ? `<div class="notrun">not executed</div>` : "";
  return (
    `<section class="cell codecell" id="cell-${index}"><div class="input"><div class="prompt">${prompt}</div>` +
    `<pre><code>${escapeHtml(joinSource(cell.source))}</code></pre></div>` +
    `<div class="outputs">${outputs}${notRun}</div></section>`
  );
}

function renderOutput(output: Output): string {
  switch (output.output_type) {
    case "stream": {
      const text = collapseCarriageReturns(stripAnsi(joinSource(output.text)));
      return `<div class="out ${output.name}"><pre>${escapeHtml(text)}</pre></div>`;
    }
    case "error":
      return (
        `<div class="out error"><div><span class="ename">${escapeHtml(output.ename)}</span>: ${escapeHtml(output.evalue)}</div>` +
        `<pre>${escapeHtml(stripAnsi(output.traceback.join("\n")))}</pre></div>`
      );
    case "display_data":
    case "execute_result":
      if (output.metadata[PLOTLY_LOADER_META]) return ""; // the page embeds plotly.js once itself
      return `<div class="out">${renderMimeBundle(output.data)}</div>`;
  }
}

/**
 * Markdown that code printed (outputs, not the author's cells) may carry data: raw HTML in it
 * is shown as text and links other than http(s), mailto and relative ones are dropped.
 */
const outputMarkdown = new Marked({
  renderer: {
    // <code> and </code> are what markdownCode wraps data in; any other tag shows as text.
    html: ({ text }) => (/^<\/?code>$/.test(text) ? text : escapeHtml(text)),
    link({ href, text }) {
      const safe = /^(https?:|mailto:|#|\.{0,2}\/|[\w-]+(\.[\w-]+)*(\/|$))/i.test(href) && !/^\s*(javascript|data|vbscript):/i.test(href);
      return safe ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
    },
  },
});

function renderMimeBundle(data: Record<string, unknown>): string {
  const text = (mime: string) => joinSource(data[mime] as string | string[]);
  // text/html and SVG come from our own kernel and lib, which escape any data they embed; a
  // figure's HTML draws with the plotly.js this page embeds.
  if ("text/html" in data) return text("text/html");
  if ("image/svg+xml" in data) return text("image/svg+xml");
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (mime in data) return `<img alt="" src="data:${mime};base64,${escapeHtml(text(mime).replace(/\s/g, ""))}">`;
  }
  if ("text/markdown" in data) return `<div class="md">${outputMarkdown.parse(text("text/markdown"), { async: false })}</div>`;
  if ("application/json" in data) return `<pre>${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
  if ("text/plain" in data) return `<pre>${escapeHtml(collapseCarriageReturns(stripAnsi(text("text/plain"))))}</pre>`;
  return "";
}
