// Figures in a live classic Jupyter Notebook, in Chromium: run all twice, save, reload, clear all
// outputs, re-run one figure cell, in a server started where it cannot reach node_modules; and the
// saved notebook exported by nbconvert. Every figure on the page must be drawn each time.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { projectRoot } from "../../lib/core/paths";
import { cleanNotebook, notebookText } from "../../lib/runner/clean";
import type { Notebook } from "../../lib/runner/ipynb";
import { chromiumAvailable, launchBrowser } from "../helpers/browser";
import {
  countFigures,
  liveJupyterMissing,
  notebookDo,
  openNotebook,
  runCells,
  startLiveServer,
  waitForKernel,
  type LiveServer,
} from "../helpers/live-jupyter";
import { tempDir } from "../helpers/temp";

// `npm test` checks the page machinery on notebook 01 (three figures); `npm run test:full` (CVAE_TEST_STUDY=full)
// on 01 and 02.
const FULL = process.env.CVAE_TEST_STUDY === "full";
const ALL_FIGURES: Record<string, number> = { "01-preprocessing.ipynb": 3, "02-genre-statistics.ipynb": 5 };
const FIGURES = FULL ? ALL_FIGURES : { "01-preprocessing.ipynb": 3 };
const NOTEBOOKS = Object.keys(FIGURES).map((n) => join(projectRoot(), "notebooks", n));
const EXPORTED = Object.keys(FIGURES).at(-1) as string;

let server: LiveServer | null = null;
let browser: Browser | null = null;
const missing = chromiumAvailable() ? liveJupyterMissing() : "Chromium not installed";

before(async () => {
  if (missing) return;
  const data = tempDir("live-data-");
  server = await startLiveServer(NOTEBOOKS, { CVAE_DATA_DIR: data, CVAE_NB_PARAMS: JSON.stringify({ dataset: "synthetic-tiny" }) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function plotlyRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (r) => {
    if (/plotly[^/]*\.js/.test(r.url())) seen.push(new URL(r.url()).pathname);
  });
  return seen;
}

async function expectAllDrawn(page: Page, name: string, expected: number, when: string): Promise<void> {
  const { figures, drawn } = await countFigures(page);
  assert.equal(figures, expected, `${name} ${when}: figures on the page`);
  assert.equal(drawn, expected, `${name} ${when}: figures drawn`);
}

describe("figures in a live Jupyter Notebook (classic 6.4, Chromium)", { timeout: 20 * 60_000 }, () => {
  for (const name of Object.keys(FIGURES)) {
    it(`${name}: every figure draws after run all, run all again, save, reload, clear all and a lone figure cell`, async (t) => {
      if (missing || !server || !browser) return t.skip(missing ?? "no server");
      const expected = FIGURES[name];
      let page = await openNotebook(browser, server, name);
      await runCells(page, "all");
      await expectAllDrawn(page, name, expected, "after run all");
      await runCells(page, "all");
      await expectAllDrawn(page, name, expected, "after run all again");

      await notebookDo(page, "await nb.save_notebook();");
      const saved = readFileSync(join(server.root, name), "utf8");
      assert.ok(saved.length < 1_000_000, `saved notebook is ${saved.length} bytes`);
      assert.ok(!saved.includes("window.Plotly = Plotly"), "plotly.js is not saved in the notebook");
      assert.equal(saved.split("cvae-figure-spec").length - 1, expected, "each figure's spec is saved once");
      assert.ok(!saved.includes("application/vnd.plotly.v1+json"));
      const committed = readFileSync(join(projectRoot(), "notebooks", name), "utf8");
      assert.equal(
        notebookText(cleanNotebook(JSON.parse(saved) as Notebook)),
        committed,
        "cleaning the saved notebook gives back the committed file",
      );

      await page.close();
      page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      const requested = plotlyRequests(page);
      await page.goto(`${server.url}/notebooks/${name}?token=${server.token}`);
      await waitForKernel(page);
      await expectAllDrawn(page, name, expected, "after save and reload");
      assert.deepEqual(requested, ["/kernelspecs/tslab/" + requested[0]?.split("/").pop()], "plotly.js came from the kernelspec");

      await notebookDo(page, "nb.clear_all_output();");
      const { figures } = await countFigures(page);
      assert.equal(figures, 0, "clear all outputs removed the figures");
      const figureCell = (await notebookDo(
        page,
        "return nb.get_cells().findIndex((c) => c.cell_type === 'code' && /^show\\(/m.test(c.get_text()));",
      )) as number;
      assert.ok(figureCell > 0);
      await runCells(page, [figureCell]);
      await expectAllDrawn(page, name, 1, "after clear all and one figure cell");
      await page.close();
    });
  }

  it("the saved notebook exported by nbconvert draws its figures from a file", async (t) => {
    if (missing || !server || !browser) return t.skip(missing ?? "no server");
    const r = spawnSync("jupyter-nbconvert", ["--to", "html", join(server.root, EXPORTED)], { encoding: "utf8" });
    if (r.error) return t.skip("jupyter-nbconvert not installed");
    assert.equal(r.status, 0, r.stderr);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(server.root, EXPORTED.replace(".ipynb", ".html"))).href);
    await page.waitForFunction('document.querySelectorAll(".cvae-figure.js-plotly-plot").length > 0', null, { timeout: 30_000 });
    await page.waitForTimeout(1000);
    assert.equal(await page.locator(".cvae-figure.js-plotly-plot").count(), await page.locator(".cvae-figure").count());
    await page.close();
  });
});
