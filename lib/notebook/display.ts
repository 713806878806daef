// Shows results inline in a tslab notebook. Figures are Plotly specs built by pure
// functions elsewhere (model code never plots); this module only turns them into
// Jupyter display bundles:
//   - plotly.js is sent once per kernel (in the setup cell), not once per figure (~4.8 MB);
//   - each figure is ONE bundle holding application/vnd.plotly.v1+json (JupyterLab's
//     Plotly renderer), text/html (classic Notebook, nbconvert, our HTML reports) and
//     text/plain (terminals).
// tslab's public API emits one MIME type per call, so bundles go through the kernel's
// internal sink `tslab/dist/jupyter`.lastWriteDisplayData (tslab is pinned for this).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { escapeHtml, formatCell, htmlTable, jsonForScript } from "../core/html";
import type { Figure } from "../figures/plots";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export interface DisplayBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}

type DisplaySink = (bundle: DisplayBundle, update: boolean) => void;

/** Metadata key marking the output that loads plotly.js (reports skip it: they embed plotly once). */
export const PLOTLY_LOADER_META = "cvae-lens/plotly-loader";

// A per-process prefix keeps ids unique across kernel restarts within one page.
const idPrefix = `cvae-${randomBytes(4).toString("hex")}`;
let idCounter = 0;
let plotlyLoaded = false;

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

/** HTML that draws `fig` into a fresh div; all data is JSON-escaped for the script context. */
export function figureHtml(fig: Figure, id = nextId()): string {
  const height = typeof fig.layout?.height === "number" ? fig.layout.height : 480;
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  return (
    `<div id="${escapeHtml(id)}" class="cvae-figure" style="width:100%;min-height:${height}px"></div>\n` +
    `<script>(function(){var el=document.getElementById(${jsonForScript(id)});` +
    `if(!window.Plotly){el.textContent="Plotly is not loaded: run the notebook's setup cell first.";return;}` +
    `window.Plotly.newPlot(el,${jsonForScript(fig.data)},${jsonForScript(fig.layout ?? {})},${jsonForScript(config)});})();</script>`
  );
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
  return `[figure: ${text}; ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"}]`;
}

/** The display bundle of one figure. */
export function figureBundle(fig: Figure): DisplayBundle {
  return {
    data: {
      [PLOTLY_MIME]: { data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} },
      "text/html": figureHtml(fig),
      "text/plain": figureText(fig),
    },
    metadata: {},
  };
}

/** Sends plotly.js to the page once per kernel; `show` calls it on first use. */
export function loadPlotly(force = false): void {
  const sink = kernelSink();
  if (!sink || (plotlyLoaded && !force)) return;
  sink(
    {
      data: { "text/html": `<script>${plotlyScript()}</script>`, "text/plain": "[plotly.js loaded]" },
      metadata: { [PLOTLY_LOADER_META]: true },
    },
    false,
  );
  plotlyLoaded = true;
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
    if ("data" in content) loadPlotly();
    sink({ ...bundle, transient: { display_id: this.displayId } }, this.shown);
    this.shown = true;
  }
}

function emit(bundle: DisplayBundle, fallback: string): void {
  const sink = kernelSink();
  if (!sink) {
    console.log(fallback);
    return;
  }
  if (PLOTLY_MIME in bundle.data) loadPlotly();
  sink(bundle, false);
}

function nextId(): string {
  idCounter += 1;
  return `${idPrefix}-${idCounter}`;
}
