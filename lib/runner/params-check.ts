// What a headless run uses that the committed notebook does not say: a notebook edited and
// saved in Jupyter (epochs 2 in its parameters cell) runs as saved, so every parameter whose
// value differs from the version in git HEAD is named before the run and in the reports,
// together with the parameters set by --param and any other code cell that differs.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseParamValue } from "../core/options";
import { type CodeCell, hasTag, joinSource, type Notebook, readNotebook } from "./ipynb";
import { readObjectLiteral, showValue, type SourceValue } from "./object-literal";

/** One parameter the run uses with a value other than the committed notebook's. */
export interface ParamChange {
  key: string;
  /** The value this run uses (JSON for literals); null when the key left the notebook. */
  value: string | null;
  /** The committed value; null when the committed notebook has no such key or nothing was compared. */
  committed: string | null;
  /** "--param" when the command line sets it, else "notebook" (the file differs from git HEAD). */
  via: "notebook" | "--param";
  /** For a --param: the value in the notebook file it overrides. */
  notebook?: string | null;
}

/** How a notebook file compares with its committed version, for the log and the reports. */
export interface ParamsCheck {
  name: string;
  changes: ParamChange[];
  /** Code cells (numbered among code cells) outside the parameters cell that are new or differ. */
  changedCode: number[];
  /** Committed code cells no longer in the notebook (counted when cells have ids, or the notebook is shorter). */
  removedCode: number;
  /** Why nothing was compared (no git checkout, notebook not committed, ...); absent when compared. */
  uncompared?: string;
}

/** The defaults the parameters cell passes to notebookParams, or why they cannot be read. */
export function parametersOf(nb: Notebook): Map<string, SourceValue> | string {
  const cell = nb.cells.find((c) => c.cell_type === "code" && hasTag(c, "parameters"));
  if (!cell) return "it has no cell tagged parameters";
  const source = joinSource(cell.source);
  const call = /(?:notebookParams|trainingParams)\s*(?:<[^>]*>)?\(\s*(["'`])[^"'`]*\1\s*,\s*/.exec(source);
  let start = -1;
  if (call && source[call.index + call[0].length] === "{") start = call.index + call[0].length;
  else {
    const name = call ? /^[A-Za-z_$][\w$]*/.exec(source.slice(call.index + call[0].length))?.[0] : "defaults";
    const decl = name ? new RegExp(`\\b(?:const|let|var)\\s+${name.replace(/\$/g, "\\$")}\\s*(?::[^=]+)?=\\s*\\{`).exec(source) : null;
    if (decl) start = decl.index + decl[0].length - 1;
  }
  if (start < 0) return "its parameters cell has no defaults object this check can read";
  try {
    return readObjectLiteral(source, start);
  } catch (err) {
    return `its parameters cell's defaults cannot be read (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * The notebook as committed at git HEAD, or why there is none to compare against: git
 * missing, not a git checkout, no commit yet, or the file not in HEAD (new or untracked).
 */
export function committedNotebook(path: string): Notebook | string {
  const dir = dirname(resolve(path));
  const git = (args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try {
    git(["rev-parse", "--is-inside-work-tree"]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "git is not installed";
    const why = firstLine((err as { stderr?: string }).stderr);
    return /not a git repository/i.test(why) ? "its folder is not in a git checkout" : `git: ${why}`;
  }
  try {
    git(["rev-parse", "--verify", "--quiet", "HEAD"]);
  } catch {
    return "its git checkout has no commit yet";
  }
  let text: string;
  try {
    text = git(["show", `HEAD:./${basename(path)}`]);
  } catch {
    return "it is not in git HEAD (a new or untracked notebook)";
  }
  try {
    const nb = JSON.parse(text) as Notebook;
    if (!Array.isArray(nb.cells)) throw new Error("no cells");
    return nb;
  } catch {
    return "its committed version is not a readable notebook";
  }
}

/**
 * Compares a notebook with its committed version (a notebook, or why there is none) and the
 * run's --param values. Every --param is listed (labelled so) even without a committed
 * version; file changes are listed only when there is one to compare with.
 */
export function compareParams(current: Notebook, committed: Notebook | string, given: Record<string, string>, name: string): ParamsCheck {
  const check: ParamsCheck = { name, changes: [], changedCode: [], removedCode: 0 };
  const now = parametersOf(current);
  let before: Map<string, SourceValue> | string = typeof committed === "string" ? committed : parametersOf(committed);
  if (typeof committed !== "string" && typeof before === "string") before = `the committed version cannot be read: ${before}`;
  if (typeof now === "string") check.uncompared = now;
  else if (typeof before === "string") check.uncompared = before;
  const nowMap = typeof now === "string" ? new Map<string, SourceValue>() : now;
  const beforeMap = typeof before === "string" ? null : before;
  if (beforeMap && typeof now !== "string") {
    for (const key of new Set([...beforeMap.keys(), ...nowMap.keys()])) {
      if (key in given) continue; // listed below, with what the file says
      const a = beforeMap.get(key);
      const b = nowMap.get(key);
      if (a && b && showValue(a) === showValue(b)) continue;
      check.changes.push({ key, value: b ? showValue(b) : null, committed: a ? showValue(a) : null, via: "notebook" });
    }
  }
  for (const [key, raw] of Object.entries(given)) {
    const inFile = nowMap.get(key);
    const a = beforeMap?.get(key);
    check.changes.push({
      key,
      value: typedParam(raw, inFile, key, name),
      committed: a ? showValue(a) : null,
      via: "--param",
      notebook: inFile ? showValue(inFile) : null,
    });
  }
  if (typeof committed !== "string") Object.assign(check, codeChanges(current, committed));
  return check;
}

/** compareParams for a notebook file against git HEAD. */
export function checkNotebookParams(path: string, given: Record<string, string>): ParamsCheck {
  const name = basename(path, ".ipynb");
  if (!existsSync(path)) return { name, changes: [], changedCode: [], removedCode: 0, uncompared: "the notebook file is missing" };
  return compareParams(readNotebook(path), committedNotebook(path), given, name);
}

/** One change in words, e.g. `epochs = 2 (committed: 0)` or `dataset = "ml-1m" (set by --param; notebook: "synthetic")`. */
export function describeChange(change: ParamChange): string {
  if (change.via === "--param") {
    const was = change.notebook === change.committed || change.committed === null ? "" : `, committed: ${change.committed ?? "absent"}`;
    return `${change.key} = ${change.value} (set by --param; notebook: ${change.notebook ?? "no such parameter"}${was})`;
  }
  if (change.value === null) return `${change.key} removed (committed: ${change.committed})`;
  const was = change.committed === null ? "not in the committed notebook" : `committed: ${change.committed}`;
  return `${change.key} = ${change.value} (${was})`;
}

/** What a run differs in from the committed notebook, a line each: parameters, --param values, code cells. */
export function checkLines(check: ParamsCheck): string[] {
  const lines = check.changes.map(describeChange);
  if (check.changedCode.length > 0) {
    const cells = check.changedCode.join(", ");
    lines.push(
      `code cell${check.changedCode.length === 1 ? "" : "s"} ${cells} differ${check.changedCode.length === 1 ? "s" : ""} from git HEAD`,
    );
  }
  if (check.removedCode > 0) lines.push(`${check.removedCode} committed code cell${check.removedCode === 1 ? "" : "s"} removed`);
  return lines;
}

/** The log lines printed before a run: one per difference, or one line saying all is as committed. */
export function paramsLogLines(checks: readonly ParamsCheck[]): string[] {
  const lines = checks.flatMap((c) => [...checkLines(c), ...(c.uncompared ? [uncomparedLine(c)] : [])].map((l) => `  ${c.name}: ${l}`));
  const clean = checks.filter((c) => checkLines(c).length === 0 && !c.uncompared).length;
  if (lines.length === 0)
    return [`parameters and code as committed (git HEAD) in ${clean === 1 ? "the notebook" : `all ${clean} notebooks`}`];
  const header = "parameters set by --param, and what differs from the committed notebooks (git HEAD):";
  return [header, ...lines, ...(clean > 0 ? [`  ${clean} other notebook${clean === 1 ? "" : "s"} as committed`] : [])];
}

/** Why a notebook file was not compared, in words. */
export function uncomparedLine(check: ParamsCheck): string {
  return `not compared with a committed version: ${check.uncompared ?? "no reason recorded"}`;
}

/** A --param value shown as the notebook will read it (as its default's type), or as given when it cannot. */
function typedParam(raw: string, inFile: SourceValue | undefined, key: string, name: string): string {
  if (!inFile || !("literal" in inFile)) return JSON.stringify(raw);
  try {
    return JSON.stringify(parseParamValue(raw, inFile.literal, key, name)) ?? JSON.stringify(raw);
  } catch {
    return JSON.stringify(raw); // the notebook's parameters cell reports the error itself
  }
}

/** Code cells (1-based among code cells) other than the parameters cell that are new or differ, and how many went. */
function codeChanges(current: Notebook, committed: Notebook): { changedCode: number[]; removedCode: number } {
  const code = (nb: Notebook) => nb.cells.filter((c): c is CodeCell => c.cell_type === "code" && !hasTag(c, "parameters"));
  const before = code(committed);
  const now = code(current);
  const numbers = new Map(current.cells.filter((c) => c.cell_type === "code").map((c, i) => [c, i + 1]));
  // Cells are matched by id when both versions have ids (Jupyter keeps them when cells move), else by position.
  const byId = before.every((c) => c.id) && now.every((c) => c.id) ? new Map(before.map((c) => [c.id, c])) : null;
  const changedCode = now
    .filter((cell, i) => {
      const old = byId ? byId.get(cell.id) : before[i];
      return !old || joinSource(old.source).trim() !== joinSource(cell.source).trim();
    })
    .map((cell) => numbers.get(cell) ?? 0);
  const kept = new Set(now.map((c) => c.id));
  const removedCode = byId ? before.filter((c) => !kept.has(c.id)).length : Math.max(0, before.length - now.length);
  return { changedCode, removedCode };
}

function firstLine(text: string | undefined): string {
  return (text ?? "").trim().split("\n")[0] || "failed";
}
