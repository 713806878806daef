// Clean notebooks for git (nbstripout's role): outputs, execution counts, the kernel's run-time
// metadata and the trust signature go; the source, tags and kernelspec stay. The file is written
// as Jupyter writes it (sorted keys, 1-space indent), so a notebook that was only run and saved
// comes back byte for byte as committed. Executed copies belong in reports/ (`cvae reproduce`).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { requireRegularFile, writeFileAtomic } from "../core/fs";
import { joinSource, readNotebook, splitLines, type Cell, type Notebook } from "./ipynb";

/** Cell metadata front ends add while running or viewing (JupyterLab, classic, extensions). */
const VOLATILE_CELL_METADATA = ["execution", "ExecuteTime", "collapsed", "scrolled"];
/** Notebook metadata that changes on save without any edit. */
const VOLATILE_NOTEBOOK_METADATA = ["signature", "widgets"];

export interface CleanResult {
  path: string;
  /** Whether the file differs from its clean form (and, unless checking, was rewritten). */
  changed: boolean;
  /** Outputs removed. */
  outputs: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** The clean form of a notebook (a new object; `nb` is not changed). */
export function cleanNotebook(nb: Notebook): Notebook {
  const cells = nb.cells.map((cell): Cell => {
    const metadata = { ...cell.metadata };
    for (const key of VOLATILE_CELL_METADATA) delete metadata[key];
    const source = splitLines(joinSource(cell.source));
    if (cell.cell_type !== "code") return { ...cell, metadata, source };
    return { ...cell, metadata, source, outputs: [], execution_count: null };
  });
  const metadata = { ...nb.metadata };
  for (const key of VOLATILE_NOTEBOOK_METADATA) delete metadata[key];
  // The kernel reports its own language version on every run (tslab says "3.7.2"): not the source's.
  const info = metadata.language_info;
  if (info && typeof info === "object" && !Array.isArray(info)) {
    const { version: _version, ...rest } = info as Record<string, unknown>;
    metadata.language_info = rest;
  }
  return { ...nb, cells, metadata };
}

/** The text Jupyter would write for `nb`: keys sorted at every level, 1-space indent. */
export function notebookText(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Cleans one file (atomically, only if it changes); with `check`, only reports. */
export function cleanNotebookFile(path: string, options: { check?: boolean } = {}): CleanResult {
  requireRegularFile(path, "a notebook (.ipynb)");
  const before = readFileSync(path, "utf8");
  const nb = readNotebook(path);
  const text = notebookText(cleanNotebook(nb));
  const outputs = nb.cells.reduce((n, c) => n + (c.cell_type === "code" && Array.isArray(c.outputs) ? c.outputs.length : 0), 0);
  const changed = text !== before;
  if (changed && !options.check) writeFileAtomic(path, text);
  return { path, changed, outputs, bytesBefore: Buffer.byteLength(before), bytesAfter: Buffer.byteLength(text) };
}

/** The notebooks named by arguments: files as given, folders' own *.ipynb (not checkpoints). */
export function notebookPaths(args: readonly string[], defaultFolder: string): string[] {
  const targets = args.length ? args : [defaultFolder];
  const paths: string[] = [];
  for (const target of targets) {
    const full = resolve(target);
    let isDir: boolean;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      throw new Error(`${target}: no such file or folder`);
    }
    if (!isDir) {
      if (!full.endsWith(".ipynb")) throw new Error(`${target}: not a .ipynb notebook`);
      paths.push(full);
      continue;
    }
    const found = readdirSync(full)
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
      .map((f) => join(full, f));
    if (found.length === 0) throw new Error(`${target}: no .ipynb notebooks in this folder`);
    paths.push(...found);
  }
  return [...new Set(paths)];
}
