// A real classic Jupyter Notebook server (Debian's jupyter-notebook 6.4) with this project's
// tslab kernelspec, driven from headless Chromium as a researcher would: open, run all, save,
// reload, clear outputs. Everything lives in temp folders; the project's notebooks are copied.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { installKernelspec } from "../../lib/cli/kernelspec";
import { projectRoot } from "../../lib/core/paths";
import { tempDir } from "./temp";

export const JUPYTER_NOTEBOOK = process.env.CVAE_TEST_JUPYTER ?? "/usr/bin/jupyter-notebook";

/** Why a live Jupyter server cannot run here, or null when it can. */
export function liveJupyterMissing(): string | null {
  const r = spawnSync(JUPYTER_NOTEBOOK, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? null : `${JUPYTER_NOTEBOOK} not found (apt install jupyter-notebook)`;
}

export interface LiveServer {
  url: string;
  token: string;
  /** The server's root: the notebooks' copies, next to a `lib` link to the project's lib/. */
  root: string;
  stop(): Promise<void>;
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `jupyter notebook` in a folder holding copies of `notebooks` (the server cannot reach the
 * project's node_modules, as with `jupyter notebook notebooks/`); the folder is removed on stop.
 * `env` goes to the kernels.
 */
export async function startLiveServer(notebooks: string[], env: NodeJS.ProcessEnv): Promise<LiveServer> {
  const tmp = tempDir("live-jupyter-");
  // Inside the project (its ignored tmp/), as notebooks/ is: tslab type-checks cells against the
  // node_modules above the kernel's folder.
  mkdirSync(join(projectRoot(), "tmp"), { recursive: true });
  const root = mkdtempSync(join(projectRoot(), "tmp", "live-jupyter-"));
  symlinkSync(join(projectRoot(), "lib"), join(root, "lib"));
  for (const nb of notebooks) copyFileSync(nb, join(root, basename(nb)));
  const prefix = join(tmp, "prefix");
  installKernelspec({ location: "prefix", prefix, projectRoot: projectRoot() });
  const port = await freePort();
  const token = "cvae-live-test";
  const child: ChildProcess = spawn(
    JUPYTER_NOTEBOOK,
    ["--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--NotebookApp.port_retries=0", `--notebook-dir=${root}`],
    {
      env: {
        ...process.env,
        ...env,
        JUPYTER_TOKEN: token,
        JUPYTER_PATH: join(prefix, "share", "jupyter"),
        JUPYTER_CONFIG_DIR: join(tmp, "config"),
        JUPYTER_DATA_DIR: join(tmp, "data"),
        JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout?.on("data", (b: Buffer) => (log += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (log += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter notebook exited: ${log}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`jupyter notebook did not start in 60 s: ${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    token,
    root,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

/** Opens a notebook in the classic UI and waits for its kernel to answer. */
export async function openNotebook(browser: Browser, server: LiveServer, name: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`${server.url}/notebooks/${encodeURIComponent(name)}?token=${server.token}`);
  await waitForKernel(page);
  return page;
}

export async function waitForKernel(page: Page): Promise<void> {
  // Page-side code is written as strings: this project compiles without the DOM library.
  await page.waitForFunction(
    "IPython.notebook && IPython.notebook._fully_loaded && IPython.notebook.kernel && " +
      "IPython.notebook.kernel.info_reply && IPython.notebook.kernel.info_reply.implementation === 'tslab'",
    null,
    {
      timeout: 120_000,
      polling: 250,
    },
  );
}

/** Runs `action` on the page's IPython.notebook (a function body with `nb` in scope). */
export async function notebookDo(page: Page, body: string): Promise<unknown> {
  return page.evaluate(`(async () => { const nb = IPython.notebook; ${body} })()`);
}

/**
 * Runs all cells (or `indices`) and waits until every one of them has its execution number; fails
 * with the cells' outputs when the kernel has gone idle for 10 s with cells left unrun.
 */
export async function runCells(page: Page, indices: number[] | "all", timeoutMs = 10 * 60_000): Promise<void> {
  const list = indices === "all" ? null : indices;
  await notebookDo(page, list ? `nb.execute_cells(${JSON.stringify(list)});` : "nb.execute_all_cells();");
  const wanted = list ? JSON.stringify(list) : "cells.map((_, i) => i)";
  const state =
    `(() => { const nb = IPython.notebook; const cells = nb.get_cells(); const done = ${wanted}.every((i) => ` +
    `cells[i].cell_type !== "code" || typeof cells[i].input_prompt_number === "number"); ` +
    `return JSON.stringify({ busy: nb.kernel_busy, done, prompts: cells.map((c) => c.input_prompt_number) }); })()`;
  const deadline = Date.now() + timeoutMs;
  let idleSince: number | null = null;
  let last = "";
  for (;;) {
    const now = (await page.evaluate(state)) as string;
    const { busy, done } = JSON.parse(now) as { busy: boolean; done: boolean };
    if (done && !busy) return;
    idleSince = busy || now !== last ? null : (idleSince ?? Date.now());
    last = now;
    if ((idleSince !== null && Date.now() - idleSince > 10_000) || Date.now() > deadline) {
      const outputs = await page.evaluate(
        "JSON.stringify(IPython.notebook.get_cells().map((c) => c.output_area ? c.output_area.outputs : null))",
      );
      throw new Error(`cells did not all run: ${now}\noutputs: ${String(outputs).slice(0, 4000)}`);
    }
    await page.waitForTimeout(500);
  }
}

/** Figures on the page: how many outputs hold one, and how many of them Plotly has drawn. */
export async function countFigures(page: Page): Promise<{ figures: number; drawn: number }> {
  // Loading and drawing are asynchronous: wait until each figure is drawn or says why not.
  await page.waitForFunction(
    'Array.from(document.querySelectorAll(".output_area .cvae-figure")).every((el) => ' +
      'el.classList.contains("js-plotly-plot") || /Figure not drawn/.test(el.textContent))',
    null,
    { timeout: 60_000, polling: 250 },
  );
  await page.waitForTimeout(1000);
  return (await page.evaluate(
    '({ figures: document.querySelectorAll(".output_area .cvae-figure").length, ' +
      'drawn: document.querySelectorAll(".output_area .cvae-figure.js-plotly-plot").length })',
  )) as { figures: number; drawn: number };
}
