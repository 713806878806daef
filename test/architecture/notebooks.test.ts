// The notebooks as committed: no outputs (executed copies live in reports/), the tslab
// kernel, and the skeleton every stage shares (title, setup, one parameters cell,
// numbered sections, a results cell that records to data/metrics/).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { joinSource, type Notebook } from "../../lib/runner/ipynb";

const DIR = resolve(__dirname, "..", "..", "notebooks");
const names = readdirSync(DIR)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

describe("the committed notebooks", () => {
  it("are the six numbered stages", () => {
    assert.deepEqual(names, [
      "01-preprocessing.ipynb",
      "02-genre-statistics.ipynb",
      "03-training.ipynb",
      "04-latent-pca.ipynb",
      "05-user-profiling.ipynb",
      "06-context-conditions.ipynb",
    ]);
  });

  for (const name of names) {
    const nb = JSON.parse(readFileSync(join(DIR, name), "utf8")) as Notebook;
    const code = nb.cells.filter((c) => c.cell_type === "code");
    const stem = name.replace(".ipynb", "");

    it(`${name} has no outputs and no execution counts`, () => {
      for (const [i, c] of code.entries()) {
        assert.deepEqual(c.cell_type === "code" ? c.outputs : [], [], `code cell ${i + 1} has outputs`);
        assert.equal(c.cell_type === "code" ? c.execution_count : null, null, `code cell ${i + 1} has an execution count`);
      }
    });

    it(`${name} runs on the tslab kernel and follows the skeleton`, () => {
      assert.equal((nb.metadata.kernelspec as { name?: string } | undefined)?.name, "tslab");
      assert.match(joinSource(nb.cells[0].source), new RegExp(`^# ${stem.slice(0, 2)} · `), "a title cell");
      assert.match(joinSource(code[0].source), new RegExp(`setupNotebook\\("${stem}"\\)`), "the first code cell sets up");
      const tagged = code.filter((c) => ((c.metadata as { tags?: string[] }).tags ?? []).includes("parameters"));
      assert.equal(tagged.length, 1, "one parameters cell");
      assert.match(joinSource(tagged[0].source), new RegExp(`(?:notebookParams|trainingParams)\\("${stem}"`));
      assert.match(joinSource(code[code.length - 1].source), new RegExp(`recordResults\\("${stem}"`), "the last cell records the results");
      const sections = nb.cells
        .filter((c) => c.cell_type === "markdown" && /^## \d+\. /.test(joinSource(c.source)))
        .map((c) => Number(/^## (\d+)\./.exec(joinSource(c.source))?.[1]));
      assert.deepEqual(
        sections,
        sections.map((_, i) => i),
        "sections numbered 0, 1, 2, ...",
      );
    });

    it(`${name} keeps cells short: logic lives in lib/ (no cell over 15 lines)`, () => {
      const long = code.map((c, i) => [i + 1, joinSource(c.source).split("\n").length] as const).filter(([, n]) => n > 15);
      assert.deepEqual(long, []);
    });

    it(`${name} imports everything from ./lib/notebook/index, in one import of an imports cell of at most 3 lines`, () => {
      const first = joinSource(code[0].source);
      assert.ok(first.split("\n").length <= 3, first);
      const imports = code.flatMap((c) => joinSource(c.source).split("\n")).filter((l) => /^\s*import\b/.test(l));
      assert.equal(imports.length, 1, imports.join("\n"));
      assert.match(imports[0], /^import \{ [\w, ]+ \} from "\.\/lib\/notebook\/index";$/);
      assert.ok(first.startsWith(imports[0]), "the import opens the first code cell");
    });
  }
});
