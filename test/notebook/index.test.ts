import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import * as entry from "../../lib/notebook/index";
import { train } from "../../lib/train/loop";
import { recordResults } from "../../lib/notebook/results";
import { methodComparison } from "../../lib/figures/training";
import { joinSource, type Notebook } from "../../lib/runner/ipynb";

const DIR = resolve(__dirname, "..", "..", "notebooks");
const INDEX = resolve(__dirname, "..", "..", "lib", "notebook", "index.ts");

/** The modules index.ts re-exports wholesale (`export * from "..."`), as written there. */
function wholesaleModules(): string[] {
  return [...readFileSync(INDEX, "utf8").matchAll(/^export \* from "([^"]+)";$/gm)].map((m) => m[1]);
}

/** The names each committed notebook imports from ./lib/notebook/index. */
function importedNames(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(DIR).filter((n) => n.endsWith(".ipynb"))) {
    const nb = JSON.parse(readFileSync(join(DIR, f), "utf8")) as Notebook;
    const source = nb.cells.map((c) => (c.cell_type === "code" ? joinSource(c.source) : "")).join("\n");
    const names = [...source.matchAll(/import \{([^}]*)\} from "\.\/lib\/notebook\/index"/g)].flatMap((m) =>
      m[1].split(",").map((n) => n.trim()),
    );
    out.set(f, names);
  }
  return out;
}

describe("lib/notebook (index.ts), the notebooks' one import", () => {
  it("exports every name the committed notebooks import, each a defined value", () => {
    const imported = importedNames();
    assert.equal(imported.size, 6);
    for (const [f, names] of imported) {
      assert.ok(names.length >= 20, `${f} imports its names from ./lib/notebook/index`);
      const missing = names.filter((n) => (entry as Record<string, unknown>)[n] === undefined);
      assert.deepEqual(missing, [], `${f}: not exported by lib/notebook/index.ts`);
    }
  });

  it("re-exports wholesale only the figure modules (lib/figures/), each of them but its helpers palette and labels", () => {
    const figureModules = readdirSync(resolve(INDEX, "..", "..", "figures"))
      .filter((f) => f.endsWith(".ts") && f !== "palette.ts" && f !== "labels.ts")
      .map((f) => `../figures/${f.replace(/\.ts$/, "")}`);
    assert.deepEqual(wholesaleModules().sort(), figureModules.sort());
  });

  it("exports no more than the notebooks use (figure modules aside), so a name left over after a notebook edit shows here", async () => {
    const used = new Set([...importedNames().values()].flat());
    const figures = new Set<string>();
    for (const m of wholesaleModules()) for (const n of Object.keys(await import(resolve(INDEX, "..", m)))) figures.add(n);
    assert.deepEqual(
      Object.keys(entry).filter((n) => !used.has(n) && !figures.has(n)),
      [],
    );
  });

  it("re-exports lib's own functions, not copies, with recordResults from results.ts", () => {
    assert.equal(entry.train, train);
    assert.equal(entry.recordResults, recordResults);
    assert.equal(entry.methodComparison, methodComparison);
  });
});
