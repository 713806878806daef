// Before a kernel starts, every relative import in a notebook's code cells must resolve from
// the notebook's folder, as tslab resolves it. The project's notebooks import
// "./lib/notebook/index" through notebooks/lib (a link to lib/); a copy saved elsewhere would
// otherwise fail in its first cell with a TypeScript error that does not say why.
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { projectRoot } from "../core/paths";
import { joinSource, type Notebook } from "./ipynb";

/** An import of a code cell that starts with "./" or "../", with the cell's number among code cells (1-based). */
export interface RelativeImport {
  specifier: string;
  codeCell: number;
}

// `from "x"`, a bare `import "x"`, and `import("x")` / `require("x")`; comments are not parsed out,
// so a commented-out import is checked too (harmless: it must resolve to be uncommented).
const IMPORT_FORMS = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g];

/** The relative module specifiers of a piece of TypeScript, in order of appearance, without repeats. */
export function relativeSpecifiers(code: string): string[] {
  const found: { at: number; spec: string }[] = [];
  for (const form of IMPORT_FORMS) {
    for (const m of code.matchAll(form)) if (/^\.\.?\//.test(m[1])) found.push({ at: m.index ?? 0, spec: m[1] });
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.spec))];
}

/** Whether `specifier` names a module from `dir` the way TypeScript's resolution finds one. */
export function resolvesFrom(dir: string, specifier: string): boolean {
  const base = resolve(dir, specifier);
  const candidates = [base, ...[".ts", ".tsx", ".d.ts", ".js", ".json"].map((ext) => base + ext)];
  if (candidates.some(isFile)) return true;
  return ["index.ts", "index.tsx", "index.js"].some((index) => isFile(join(base, index)));
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The relative imports of a notebook's code cells that do not resolve from `dir`. */
export function unresolvedImports(nb: Notebook, dir: string): RelativeImport[] {
  const missing: RelativeImport[] = [];
  let codeCell = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    codeCell += 1;
    for (const specifier of relativeSpecifiers(joinSource(cell.source))) {
      if (!resolvesFrom(dir, specifier)) missing.push({ specifier, codeCell });
    }
  }
  return missing;
}

/**
 * Throws, naming the notebook, the import and where notebooks must live, when an import of
 * `nb` (read from `path`) cannot resolve from its folder.
 */
export function checkNotebookImports(path: string, nb: Notebook, root = projectRoot()): void {
  const dir = dirname(resolve(path));
  const notebooks = join(root, "notebooks");
  const inProject = !relative(resolve(root), dir).startsWith("..") && !isAbsolute(relative(resolve(root), dir));
  // A linked lib outside the project resolves, but lib's own packages (node_modules) then do not.
  const missing = [...unresolvedImports(nb, dir), ...(inProject ? [] : libImports(nb).filter((m) => resolvesFrom(dir, m.specifier)))].sort(
    (a, b) => a.codeCell - b.codeCell,
  );
  if (missing.length === 0) return;
  const first = missing[0];
  const usesLib = missing.some((m) => m.specifier.startsWith("./lib/"));
  const where = !usesLib
    ? ` Relative imports resolve from the notebook's folder (${dir}).`
    : dir === resolve(notebooks)
      ? ` ${join(notebooks, "lib")} is missing or broken: it must be a link to ../lib (git checkout notebooks/lib).`
      : ` Notebooks that import the project's lib through "./lib/..." must live in ${notebooks} (where lib is linked and its ` +
        `packages resolve), not in ${dir}: copy it there (cp ${path} ${notebooks}/) and run that copy.`;
  const what = resolvesFrom(dir, first.specifier)
    ? "which only resolves inside the project"
    : "which does not exist from the notebook's folder";
  throw new Error(`${path}: code cell ${first.codeCell} imports "${first.specifier}", ${what}.` + where);
}

function libImports(nb: Notebook): RelativeImport[] {
  let codeCell = 0;
  return nb.cells.flatMap((cell) => {
    if (cell.cell_type !== "code") return [];
    codeCell += 1;
    const at = codeCell;
    return relativeSpecifiers(joinSource(cell.source))
      .filter((specifier) => specifier.startsWith("./lib/"))
      .map((specifier) => ({ specifier, codeCell: at }));
  });
}
