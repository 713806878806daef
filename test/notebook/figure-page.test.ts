// The figure page script in Chromium, on pages shaped like each front end: classic Notebook
// (body data attributes), JupyterLab / Notebook 7 (jupyter-config-data, /lab/tree/ URLs) and an
// nbconvert HTML file, served by a local server that plays Jupyter's /kernelspecs/ and /files/.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { figureHtml, plotlyBundlePath } from "../../lib/notebook/display";
import { flushScript, type PlotlySources } from "../../lib/notebook/figure-page";
import { chromiumAvailable, launchBrowser } from "../helpers/browser";
import { tempDir } from "../helpers/temp";

const PLOTLY = readFileSync(plotlyBundlePath());
const SOURCES: PlotlySources = { kernel: "tslab", file: "plotly-9.9.9.min.js", relative: "../node_modules/plotly.min.js" };
const fig = (title: string) => ({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: title } } });

interface Site {
  pages: Map<string, string>;
  /** Paths that serve plotly.js. */
  plotly: Set<string>;
  requests: string[];
}

let server: Server;
let base = "";
let browser: Browser | null = null;
const site: Site = { pages: new Map(), plotly: new Set(), requests: [] };

before(async () => {
  if (!chromiumAvailable()) return;
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    site.requests.push(path);
    if (site.plotly.has(path)) return void res.writeHead(200, { "content-type": "text/javascript" }).end(PLOTLY);
    const page = site.pages.get(path);
    if (page !== undefined) return void res.writeHead(200, { "content-type": "text/html" }).end(page);
    res.writeHead(404).end("not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
});

function classicPage(body: string, baseUrl = "/", notebookPath = "notebooks/04-latent-pca.ipynb"): string {
  const attributes = `data-base-url="${baseUrl}" data-notebook-path="${encodeURIComponent(notebookPath)}"`;
  return `<html><head></head><body ${attributes}>${body}</body></html>`;
}

function labPage(body: string, baseUrl: string): string {
  const cfg = JSON.stringify({ baseUrl, appName: "JupyterLab" });
  return `<html><head><script id="jupyter-config-data" type="application/json">${cfg}</script></head><body>${body}</body></html>`;
}

async function open(path: string, html: string): Promise<Page> {
  site.pages.set(path, html);
  site.requests.length = 0;
  const page = await browser!.newPage();
  await page.goto(base + path);
  return page;
}

async function drawn(page: Page): Promise<number> {
  await page.waitForFunction('document.querySelectorAll(".cvae-figure:not(.cvae-figure-waiting)").length > 0', null, { timeout: 15_000 });
  return page.locator(".cvae-figure.js-plotly-plot").count();
}

/** Adds an output as Jupyter front ends do: set the HTML, then run its scripts in order. */
async function appendOutput(page: Page, html: string): Promise<void> {
  // Page-side code is a string: this project compiles without the DOM library.
  await page.evaluate(
    `(() => { const area = document.createElement("div"); area.innerHTML = ${JSON.stringify(html)}; document.body.appendChild(area);
    for (const old of Array.from(area.querySelectorAll("script"))) { const fresh = document.createElement("script");
      for (const a of Array.from(old.attributes)) fresh.setAttribute(a.name, a.value);
      fresh.textContent = old.textContent; old.replaceWith(fresh); } })()`,
  );
}

const plotlyRequests = () => site.requests.filter((r) => r.endsWith(".js")).length;

describe("the figure page script", () => {
  it("in classic Notebook, loads plotly.js once from the kernelspec folder and draws every figure", async (t) => {
    if (!browser) return t.skip("Chromium not installed");
    site.plotly = new Set(["/base/kernelspecs/tslab/plotly-9.9.9.min.js"]);
    const body = figureHtml(fig("one"), "c1", SOURCES) + figureHtml(fig("two"), "c2", SOURCES);
    const page = await open("/base/notebooks/notebooks/04-latent-pca.ipynb", classicPage(body, "/base/"));
    await page.waitForFunction('document.querySelectorAll(".cvae-figure.js-plotly-plot").length >= 2', null, { timeout: 15_000 });
    assert.equal(await page.locator(".cvae-figure.js-plotly-plot").count(), 2);
    assert.equal(plotlyRequests(), 1);
    await page.close();
  });

  it("in classic Notebook without a kernel name, falls back to the project's node_modules through /files/", async (t) => {
    if (!browser) return t.skip("Chromium not installed");
    site.plotly = new Set(["/files/node_modules/plotly.min.js"]);
    const page = await open("/notebooks/notebooks/x.ipynb", classicPage(figureHtml(fig("f"), "c3", { ...SOURCES, kernel: null })));
    assert.equal(await drawn(page), 1);
    assert.deepEqual(
      site.requests.filter((r) => r.endsWith(".js")),
      ["/files/node_modules/plotly.min.js"],
    );
    await page.close();
  });

  it("in JupyterLab, finds the base URL in jupyter-config-data and the notebook folder in the /lab/tree/ URL", async (t) => {
    if (!browser) return t.skip("Chromium not installed");
    site.plotly = new Set(["/user/me/files/node_modules/plotly.min.js"]);
    const page = await open("/user/me/lab/tree/notebooks/04.ipynb", labPage(figureHtml(fig("f"), "l1", SOURCES), "/user/me/"));
    assert.equal(await drawn(page), 1);
    assert.deepEqual(
      site.requests.filter((r) => r.endsWith(".js")),
      ["/user/me/kernelspecs/tslab/plotly-9.9.9.min.js", "/user/me/files/node_modules/plotly.min.js"],
    );
    await page.close();
  });

  it("says why when plotly.js is nowhere, and draws once the setup cell brings it", async (t) => {
    if (!browser) return t.skip("Chromium not installed");
    site.plotly = new Set();
    const page = await open("/notebooks/notebooks/x.ipynb", classicPage(figureHtml(fig("f"), "m1", SOURCES)));
    await page.waitForFunction("/Figure not drawn/.test(document.body.textContent)", null, { timeout: 15_000 });
    const message = (await page.locator("#m1").textContent()) ?? "";
    assert.match(message, /tried: \/kernelspecs\/tslab\/plotly-9\.9\.9\.min\.js, \/files\/node_modules\/plotly\.min\.js/);
    assert.match(message, /setup cell/);
    // A later figure on the same page does not retry the failed sources.
    site.requests.length = 0;
    await appendOutput(page, figureHtml(fig("g"), "m2", SOURCES));
    assert.equal(plotlyRequests(), 0);
    assert.match((await page.locator("#m2").textContent()) ?? "", /Figure not drawn/);
    // What the setup cell sends: plotly.js, then the flush.
    await page.addScriptTag({ content: `${PLOTLY.toString("utf8")}\n${flushScript()}` });
    await page.waitForFunction('document.querySelectorAll(".cvae-figure.js-plotly-plot").length >= 2', null, { timeout: 15_000 });
    await page.close();
  });

  it("in an nbconvert HTML file, loads plotly.js by the path relative to the file", async (t) => {
    if (!browser) return t.skip("Chromium not installed");
    const root = tempDir("nbconvert-");
    mkdirSync(join(root, "node_modules"));
    mkdirSync(join(root, "notebooks"));
    writeFileSync(join(root, "node_modules", "plotly.min.js"), PLOTLY);
    const file = join(root, "notebooks", "04.html");
    writeFileSync(file, `<html><head></head><body>${figureHtml(fig("f"), "n1", SOURCES)}</body></html>`);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    assert.equal(await drawn(page), 1);
    await page.close();
  });
});
