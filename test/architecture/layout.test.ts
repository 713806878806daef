// The shape of lib/ that the architecture promises (README "Layout"): stage folders that import
// only the stages above them, no module over 400 lines, no import of bench/ or test/, and no
// import cycle between modules.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const LIB = resolve(__dirname, "..", "..", "lib");
const FOLDERS = ["analysis", "cli", "core", "data", "evaluation", "figures", "model", "notebook", "runner", "train"];

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return modules(p);
    return /\.(ts|cjs)$/.test(f) ? [p] : [];
  });
}

/** Relative imports of a module, resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specs.map((s) => {
    const base = resolve(dirname(file), s);
    return [base, `${base}.ts`, `${base}.cjs`].find((p) => existsSync(p) && statSync(p).isFile()) ?? base;
  });
}

const files = modules(LIB);

/** Source files of the project (lib, bench, test, bin), fixtures and snapshots aside. */
function sources(): string[] {
  const root = resolve(LIB, "..");
  return ["lib", "bench", "test", "bin"]
    .flatMap((d) => modules(join(root, d)).concat(jsFiles(join(root, d))))
    .filter((f) => !/\/test\/(fixtures|figures\/snapshots)\//.test(f));
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return jsFiles(p);
    return /\.(js|mjs)$/.test(f) ? [p] : [];
  });
}

describe("the layout of lib/", () => {
  it("holds only the stage folders, each with modules", () => {
    const entries = readdirSync(LIB).sort();
    assert.deepEqual(entries, FOLDERS);
    for (const f of FOLDERS) assert.ok(modules(join(LIB, f)).length > 0, `${f}/ has modules`);
  });

  it("has no module over 400 lines", () => {
    const long = files.map((f) => [relative(LIB, f), readFileSync(f, "utf8").split("\n").length] as const).filter(([, n]) => n > 400);
    assert.deepEqual(long, []);
  });

  it("keeps every source line (lib, bench, test, bin) within 140 characters, the formatter's width", () => {
    const root = resolve(LIB, "..");
    const long = sources().flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, i) => (line.length > 140 ? [`${relative(root, f)}:${i + 1} (${line.length})`] : [])),
    );
    assert.deepEqual(long, []);
  });

  it("never imports from bench/ or test/", () => {
    const outside = files.flatMap((f) =>
      importsOf(f)
        .filter((p) => !p.startsWith(LIB + "/"))
        .map((p) => `${relative(LIB, f)} -> ${relative(LIB, p)}`),
    );
    assert.deepEqual(outside, []);
  });

  it("imports only from its own stage folder and the stages above it in README's table, but for the known upward imports", () => {
    // README "Layout": core, data, model, evaluation, train, analysis, figures, notebook, then runner and cli (one row).
    const rank: Record<string, number> = {
      core: 0,
      data: 1,
      model: 2,
      evaluation: 3,
      train: 4,
      analysis: 5,
      figures: 6,
      notebook: 7,
      runner: 8,
      cli: 8,
    };
    const stage = (p: string) => relative(LIB, p).split("/")[0];
    const upward = files.flatMap((f) =>
      importsOf(f)
        .filter((p) => p.startsWith(LIB + "/") && rank[stage(p)] > rank[stage(f)])
        .map((p) => `${relative(LIB, f)} -> ${relative(LIB, p).replace(/\.ts$/, "")}`),
    );
    // None left (issue 21 gave the model its own config and split the checkpoint between model/ and train/);
    // a new upward import fails here: move the code it needs down, or the importer up.
    const known: string[] = [];
    assert.deepEqual(upward.sort(), known);
  });

  it("has no import cycle between modules", () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((p) => p.startsWith(LIB + "/"))]));
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(LIB, p)).join(" -> "));
        return;
      }
      state.set(f, "open");
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, "done");
    };
    for (const f of files) visit(f, []);
    assert.deepEqual(cycles, []);
  });
});
