// `cvae reproduce`: runs notebooks in order in the real tslab kernel and writes executed
// copies (reports/<name>.ipynb), self-contained HTML pages and an index. A failing cell
// stops the run with exit code 1, prints where and why, and still writes what ran.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { checkNotebookImports } from "./imports-check";
import { writeFileAtomic } from "../core/fs";
import { NOTEBOOK_PARAMS_ENV } from "../notebook/params";
import { headlineText, modelWarningText, readRecordedResults, type RecordedResults, resultsPath } from "../notebook/results";
import { KernelClient, KernelTimeoutError } from "./kernel";
import {
  type CodeCell,
  errorFromStderr,
  hasTag,
  joinSource,
  type Notebook,
  OutputCollector,
  type Output,
  readNotebook,
  stripAnsi,
  writeNotebook,
} from "./ipynb";
import { checkLines, checkNotebookParams, type ParamsCheck, paramsLogLines } from "./params-check";
import { countFigures, type IndexEntry, notebookTitle, renderIndexHtml, renderNotebookHtml } from "./report";

export interface RunOptions {
  /** Where executed notebooks and HTML pages go. */
  outDir: string;
  /** Parameters as strings, read by the notebook's parameters cell as its defaults' types. */
  params?: Record<string, string>;
  /** Limit per cell in seconds (0 = none). */
  cellTimeoutSeconds?: number;
  /** Extra environment for the kernel. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface CellTiming {
  index: number;
  seconds: number;
}

export interface NotebookRun {
  path: string;
  name: string;
  ok: boolean;
  /** When the notebook started (ms since the epoch). */
  startedAt: number;
  seconds: number;
  cellTimes: CellTiming[];
  /** Set when a cell failed: its index in the notebook and the error. */
  failure?: { cellIndex: number; codeCellNumber: number; ename: string; evalue: string; stderr: string };
  notebook: Notebook;
}

/** Notebooks of a folder in run order (by file name: 01-..., 02-...). */
export function listNotebooks(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Splits `--param` values into per-notebook parameter sets: `key=value` goes to every
 * notebook, `NAME:key=value` only to the notebook whose name is NAME or starts with "NAME-".
 */
export function paramsFor(notebookPath: string, specs: readonly string[]): Record<string, string> {
  const name = basename(notebookPath, ".ipynb");
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const parsed = parseParamSpec(spec);
    if (parsed.scope === null || parsed.scope === name || name.startsWith(`${parsed.scope}-`)) out[parsed.key] = parsed.value;
  }
  return out;
}

export function parseParamSpec(spec: string): { scope: string | null; key: string; value: string } {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new Error(`--param expects key=value or notebook:key=value, got "${spec}"`);
  const left = spec.slice(0, eq);
  const colon = left.indexOf(":");
  const scope = colon >= 0 ? left.slice(0, colon) : null;
  const key = colon >= 0 ? left.slice(colon + 1) : left;
  if (!/^[A-Za-z_][\w]*$/.test(key)) throw new Error(`--param: "${key}" is not a parameter name (in "${spec}")`);
  return { scope, key, value: spec.slice(eq + 1) };
}

/** Runs one notebook top to bottom; never throws for cell failures (see `failure`). */
export async function runNotebook(path: string, options: RunOptions): Promise<NotebookRun> {
  const { params = {}, cellTimeoutSeconds = 0, env = {}, log = console.log } = options;
  const name = basename(path, ".ipynb");
  const nb = readNotebook(path);
  if (Object.keys(params).length > 0 && !nb.cells.some((c) => c.cell_type === "code" && hasTag(c, "parameters"))) {
    throw new Error(`${path}: --param given, but the notebook has no cell tagged "parameters"`);
  }
  checkNotebookImports(path, nb);
  const started = Date.now();
  const kernel = await KernelClient.start({
    cwd: dirname(resolve(path)),
    env: { ...env, [NOTEBOOK_PARAMS_ENV]: JSON.stringify(params), CVAE_NOTEBOOK: name, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  const collector = new OutputCollector();
  const cellTimes: CellTiming[] = [];
  const codeCells = nb.cells.filter((c) => c.cell_type === "code").length;
  let codeNumber = 0;
  let failure: NotebookRun["failure"];
  const onSigint = () => kernel.interrupt();
  process.on("SIGINT", onSigint);
  try {
    for (const [index, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      codeNumber += 1;
      const code = joinSource(cell.source);
      if (failure) {
        resetCell(cell);
        continue;
      }
      const outputs: Output[] = [];
      cell.outputs = outputs;
      const t0 = Date.now();
      let status: "ok" | "error" | "abort";
      let executionCount: number | null = null;
      let timeoutNote = "";
      try {
        const reply = await kernel.execute(code, (msg) => collector.handle(msg, outputs), cellTimeoutSeconds * 1000);
        status = reply.status;
        executionCount = reply.executionCount;
      } catch (err) {
        status = "error";
        if (err instanceof KernelTimeoutError) {
          kernel.interrupt();
          timeoutNote = `cell exceeded the ${cellTimeoutSeconds} s limit and was interrupted`;
        } else {
          timeoutNote = err instanceof Error ? err.message : String(err);
        }
      }
      const seconds = (Date.now() - t0) / 1000;
      cell.execution_count = executionCount ?? codeNumber;
      // nbformat's own timing fields (as nbclient records them), plus our seconds.
      cell.metadata.execution = { "iopub.status.busy": new Date(t0).toISOString(), "shell.execute_reply": new Date().toISOString() };
      cell.metadata["cvae-lens"] = { seconds: Number(seconds.toFixed(3)) };
      cellTimes.push({ index, seconds });
      log(
        `  [${String(codeNumber).padStart(2)}/${codeCells}] ${seconds.toFixed(2).padStart(7)} ` +
          `s  ${status === "ok" ? "" : "FAILED  "}${firstCodeLine(code)}`,
      );
      if (status !== "ok") {
        const stderr = stripAnsi(
          outputs
            .filter((o) => o.output_type === "stream" && o.name === "stderr")
            .map((o) => joinSource((o as { text: string | string[] }).text))
            .join(""),
        );
        const detail = [stderr.trim(), timeoutNote].filter(Boolean).join("\n");
        const error = errorFromStderr(detail || `the kernel reported status "${status}" without a message`);
        outputs.push(error);
        failure = { cellIndex: index, codeCellNumber: codeNumber, ename: error.ename, evalue: error.evalue, stderr: detail };
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
    await kernel.shutdown();
  }
  return { path, name, ok: !failure, startedAt: started, seconds: (Date.now() - started) / 1000, cellTimes, failure, notebook: nb };
}

/** Runs notebooks in order, writes reports, and returns the process exit code. */
export async function reproduce(notebooks: string[], specs: readonly string[], options: Omit<RunOptions, "params">): Promise<number> {
  const { outDir, log = console.log } = options;
  for (const spec of specs) {
    const parsed = parseParamSpec(spec);
    if (parsed.scope !== null && !notebooks.some((p) => paramsFor(p, [spec])[parsed.key] !== undefined)) {
      throw new Error(`--param ${spec}: no notebook in this run is named "${parsed.scope}"`);
    }
  }
  // Before any kernel starts: every notebook's imports resolve, and what this run uses that the committed notebooks do not say.
  for (const p of notebooks) checkNotebookImports(p, readNotebook(p));
  const checks = notebooks.map((p) => checkParamsSafely(p, paramsFor(p, specs)));
  for (const line of paramsLogLines(checks)) log(line);
  const entries: IndexEntry[] = notebooks.map((p, i) => {
    const name = basename(p, ".ipynb");
    const notices = { params: checkLines(checks[i]), paramsNote: checks[i].uncompared };
    return {
      name,
      html: `${name}.html`,
      ipynb: `${name}.ipynb`,
      status: "not run",
      seconds: null,
      cells: 0,
      figures: 0,
      title: name,
      notices,
    };
  });
  const started = Date.now();
  let exitCode = 0;
  for (const [i, path] of notebooks.entries()) {
    const entry = entries[i];
    log(`${path}`);
    const run = await runNotebook(path, { ...options, params: paramsFor(path, specs) });
    entry.status = run.ok ? "ok" : "failed";
    entry.seconds = run.seconds;
    entry.cells = run.notebook.cells.filter((c) => c.cell_type === "code").length;
    entry.figures = countFigures(run.notebook);
    entry.title = notebookTitle(run.notebook, run.name);
    const results = recordedResults(run.name, run.startedAt);
    entry.results = results && headlineText(results);
    entry.notices = { ...entry.notices, modelWarning: results && modelWarningText(results) };
    // Provenance in the executed copy: what it ran with that the committed notebook does not say.
    run.notebook.metadata["cvae-lens"] = { ...(run.notebook.metadata["cvae-lens"] as object | undefined), parameters: checks[i] };
    writeReports(run, outDir, entries, i);
    if (run.failure) {
      const f = run.failure;
      log(`\nFAILED ${path}, cell ${f.cellIndex + 1} (code cell ${f.codeCellNumber}): ${f.ename}: ${f.evalue}\n${indent(f.stderr)}`);
      log(`partial notebook written to ${join(outDir, `${run.name}.ipynb`)}`);
      exitCode = 1;
      break;
    }
    log(`  ${run.name}: ok, ${plural(entry.cells, "code cell")}, ${plural(entry.figures, "figure")}, ${run.seconds.toFixed(1)} s`);
    if (entry.notices?.modelWarning) log(`  ${run.name}: WARNING: ${entry.notices.modelWarning}`);
  }
  const total = (Date.now() - started) / 1000;
  writeIndex(outDir, entries, total);
  log(
    `\n${exitCode === 0 ? "reproduced" : "stopped after a failure"}: ` +
      `${entries.filter((e) => e.status === "ok").length}/${entries.length} ` +
      `notebooks in ${total.toFixed(1)} s; reports in ${join(outDir, "index.html")}`,
  );
  return exitCode;
}

/**
 * What the notebook recorded in this run (data/metrics/<name>.json written after it started), or undefined:
 * also for a notebook that records no typed results (lib/notebook/results.ts) or a damaged record.
 */
function recordedResults(name: string, startedAt: number): RecordedResults | undefined {
  try {
    const path = resultsPath(name);
    if (!existsSync(path)) return undefined;
    const record = readRecordedResults(JSON.parse(readFileSync(path, "utf8")));
    if (!(Date.parse(record.recorded) >= startedAt - 1000)) return undefined; // an older run's record
    return record;
  } catch {
    return undefined; // the index is no place to fail a run over a damaged metrics file
  }
}

function writeReports(run: NotebookRun, outDir: string, entries: IndexEntry[], i: number): void {
  const nb = run.notebook;
  writeNotebook(join(outDir, `${run.name}.ipynb`), nb);
  const status = run.ok
    ? `executed in ${run.seconds.toFixed(1)} s`
    : `FAILED at cell ${(run.failure?.cellIndex ?? 0) + 1} after ${run.seconds.toFixed(1)} s`;
  const html = renderNotebookHtml(nb, {
    title: notebookTitle(nb, run.name),
    subtitle: `${run.name}.ipynb, ${status} on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    notices: entries[i].notices,
    nav: {
      index: "index.html",
      prev: i > 0 ? entries[i - 1].html : undefined,
      next: i + 1 < entries.length ? entries[i + 1].html : undefined,
    },
  });
  writeFileAtomic(join(outDir, `${run.name}.html`), html);
}

function writeIndex(outDir: string, entries: IndexEntry[], seconds: number): void {
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  writeFileAtomic(
    join(outDir, "index.html"),
    renderIndexHtml(entries, {
      title: "cvae-lens: reproduction report",
      subtitle: `Run on ${when} UTC in ${seconds.toFixed(1)} s, Node ${process.version}.`,
    }),
  );
  writeFileAtomic(
    join(outDir, "run.json"),
    JSON.stringify({ finished: new Date().toISOString(), seconds, notebooks: entries }, null, 2) + "\n",
  );
}

/** The check of one notebook; a notebook that cannot be read fails when it runs, not here. */
function checkParamsSafely(path: string, given: Record<string, string>): ParamsCheck {
  try {
    return checkNotebookParams(path, given);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { name: basename(path, ".ipynb"), changes: [], changedCode: [], removedCode: 0, uncompared: why };
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function resetCell(cell: CodeCell): void {
  cell.outputs = [];
  cell.execution_count = null;
}

function firstCodeLine(code: string): string {
  const line = code.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("//")) ?? "";
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/** Resolves CLI notebook arguments (files or folders) to notebook paths, in run order. */
export function resolveNotebookArgs(args: readonly string[], defaultDir: string): string[] {
  if (args.length === 0) return listNotebooks(defaultDir);
  const out: string[] = [];
  for (const arg of args) {
    if (!existsSync(arg)) throw new Error(`no such notebook or folder: ${arg}`);
    if (arg.endsWith(".ipynb")) out.push(arg);
    else out.push(...listNotebooks(arg));
  }
  return out;
}
