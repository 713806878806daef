// Shows results inline in a tslab notebook. Figures are Plotly specs built by pure
// functions elsewhere (model code never plots); this module only turns them into
// Jupyter display bundles:
//   - each figure is ONE bundle: text/html (a div, the spec as JSON once, and the page script of
//     figure-page.ts that finds plotly.js wherever the output is shown) and text/plain (terminals);
//   - the setup cell puts plotly.js into the page on every run, then replaces that output with one
//     line, so saved notebooks do not carry the 4.8 MB library (figures load it when it is missing).
// tslab's public API emits one MIME type per call, so bundles go through the kernel's
// internal sink `tslab/dist/jupyter`.lastWriteDisplayData (tslab is pinned for this).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative, sep } from "node:path";
import { escapeHtml, formatCell, htmlTable, jsonForScript } from "../core/html";
import type { Figure } from "../figures/plots";
import { deliver } from "./display-queue";
import { figurePageScript, flushScript, type PlotlySources } from "./figure-page";

export interface DisplayBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}

type DisplaySink = (bundle: DisplayBundle, update: boolean) => void;

/** Metadata key marking the output that loaded plotly.js (reports skip it: they embed plotly once). */
export const PLOTLY_LOADER_META = "cvae-lens/plotly-loader";
/** Metadata key marking a figure output (reports count them). */
export const FIGURE_META = "cvae-lens/figure";
/** Environment variable the kernelspec of `cvae kernel` sets to its own name. */
export const KERNEL_NAME_ENV = "CVAE_LENS_KERNEL";

// A per-process prefix keeps ids unique across kernel restarts within one page.
const idPrefix = `cvae-${randomBytes(4).toString("hex")}`;
let idCounter = 0;

function kernelSink(): DisplaySink | null {
  try {
    // Resolved from the kernel's own node_modules, so this is the running kernel's instance.
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: DisplaySink | null };
    return jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
}

/** Path of the minified plotly.js bundle shipped with the project. */
export function plotlyBundlePath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
}

/** The plotly.js version shipped with the project. */
export function plotlyVersion(): string {
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/** File name of the plotly.js copy `cvae kernel` puts in the kernelspec folder. */
export function plotlyKernelspecFile(): string {
  return `plotly-${plotlyVersion()}.min.js`;
}

/** Where this kernel's figures look for plotly.js when the page lacks it. */
export function plotlySources(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): PlotlySources {
  return {
    kernel: env[KERNEL_NAME_ENV] || null,
    file: plotlyKernelspecFile(),
    relative: relative(cwd, plotlyBundlePath()).split(sep).join("/"),
  };
}

let plotlySource: string | null = null;
/** plotly.min.js, made safe to inline in a <script> element. */
export function plotlyScript(): string {
  if (plotlySource === null) {
    plotlySource = readFileSync(plotlyBundlePath(), "utf8")
      .replace(/<\/script/gi, "<\\/script")
      .replace(/<!--/g, "<\\!--");
  }
  return plotlySource;
}

/**
 * HTML that draws `fig` into a fresh div: the spec is stored once, as JSON-escaped data, and the
 * page script draws it now or as soon as plotly.js is on the page.
 */
export function figureHtml(fig: Figure, id = nextId(), sources = plotlySources()): string {
  const height = typeof fig.layout?.height === "number" ? fig.layout.height : 480;
  const spec = { data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, displaylogo: false, ...(fig.config ?? {}) } };
  return (
    `<div id="${escapeHtml(id)}" class="cvae-figure" style="width:100%;min-height:${height}px"></div>\n` +
    `<script type="application/json" id="${escapeHtml(id)}-spec" class="cvae-figure-spec">${jsonForScript(spec)}</script>\n` +
    `<script>${figurePageScript(id, sources, jsonForScript)}</script>`
  );
}

/** The figure spec stored in a figure's HTML (for reports and tests), or null if it holds none. */
export function figureSpecOf(html: string): Figure | null {
  const m = /<script type="application\/json" id="[^"]*" class="cvae-figure-spec">([^<]*)<\/script>/.exec(html);
  return m ? (JSON.parse(m[1]) as Figure) : null;
}

/** A one-line text stand-in for a figure (terminals, logs). */
export function figureText(fig: Figure): string {
  const title = fig.layout?.title;
  const text =
    typeof title === "string"
      ? title
      : typeof title === "object" && title && "text" in title
        ? String((title as { text: unknown }).text)
        : "untitled";
  // An empty chart (figures/plots.ts emptyFigure) is its sentence, in a terminal as on the page.
  const empty = (fig.layout?.meta as { empty?: unknown } | undefined)?.empty;
  if (typeof empty === "string") return `[figure: ${text}] ${empty}`;
  return `[figure: ${text}; ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"}]`;
}

/** The display bundle of one figure. */
export function figureBundle(fig: Figure): DisplayBundle {
  return { data: { "text/html": figureHtml(fig), "text/plain": figureText(fig) }, metadata: { [FIGURE_META]: true } };
}

/**
 * Puts plotly.js into the page (every figure waiting for it then draws) and replaces that output
 * with one line, so a saved notebook does not keep the library. Run by every setup cell.
 */
export function loadPlotly(): void {
  const sink = kernelSink();
  if (!sink) return;
  const transient = { display_id: nextId() };
  const metadata = { [PLOTLY_LOADER_META]: true };
  deliver(
    sink,
    { data: { "text/html": `<script>${plotlyScript()}\n${flushScript()}</script>`, "text/plain": "" }, metadata, transient },
    false,
  );
  const line = `plotly.js ${plotlyVersion()} loaded into this page`;
  deliver(
    sink,
    { data: { "text/html": `<span class="cvae-plotly-loaded">${line}</span>`, "text/plain": line }, metadata, transient },
    true,
  );
}

/** Shows a Plotly figure inline (or its one-line text outside a notebook). */
export function show(fig: Figure): void {
  emit(figureBundle(fig), figureText(fig));
}

/** Shows rows as an HTML table (escaped), with a plain-text fallback. */
export function showTable(columns: readonly string[], rows: readonly (readonly unknown[])[], caption?: string): void {
  const text = [columns.join("\t"), ...rows.map((r) => r.map(formatCell).join("\t"))].join("\n");
  emit({ data: { "text/html": htmlTable(columns, rows, caption), "text/plain": text }, metadata: {} }, text);
}

/** Shows trusted markdown written by the notebook author or lib (not raw data). */
export function showMarkdown(markdown: string): void {
  emit({ data: { "text/markdown": markdown, "text/plain": markdown }, metadata: {} }, markdown);
}

/**
 * A display that is replaced in place on every `update` (live training curves,
 * progress lines). Outside a notebook, updates print their text form.
 */
export class LiveDisplay {
  private readonly displayId = nextId();
  private shown = false;

  update(content: Figure | { text: string } | { html: string; text: string }): void {
    const bundle: DisplayBundle =
      "data" in content
        ? figureBundle(content)
        : "html" in content
          ? { data: { "text/html": content.html, "text/plain": content.text }, metadata: {} }
          : { data: { "text/plain": content.text }, metadata: {} };
    const sink = kernelSink();
    if (!sink) {
      console.log(String(bundle.data["text/plain"]));
      return;
    }
    deliver(sink, { ...bundle, transient: { display_id: this.displayId } }, this.shown);
    this.shown = true;
  }
}

function emit(bundle: DisplayBundle, fallback: string): void {
  const sink = kernelSink();
  if (!sink) {
    console.log(fallback);
    return;
  }
  deliver(sink, bundle, false);
}

function nextId(): string {
  idCounter += 1;
  return `${idPrefix}-${idCounter}`;
}
