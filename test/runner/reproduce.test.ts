import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FIGURE_META, figureSpecOf } from "../../lib/notebook/display";
import { type CodeCell, joinSource, type Notebook } from "../../lib/runner/ipynb";
import { paramsFor, parseParamSpec, reproduce, runNotebook } from "../../lib/runner/reproduce";
import { tempDir } from "../helpers/temp";

const FIXTURES = join(__dirname, "..", "fixtures", "notebooks");
const quiet = () => undefined;

function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}

describe("runNotebook(path, options) in the real tslab kernel", () => {
  it("runs every cell and keeps streams, figures, tables, updated displays and execution counts", async () => {
    const run = await runNotebook(join(FIXTURES, "ok.ipynb"), { outDir: "", params: { points: "5" }, log: quiet });
    assert.equal(run.ok, true, JSON.stringify(run.failure));
    const cells = codeCells(run.notebook);
    assert.deepEqual(
      cells.map((c) => c.execution_count),
      [1, 2, 3, 4, 5, 6],
    );
    assert.match(joinSource((cells[1].outputs[0] as { text: string }).text), /points = 5 {3}\(overridden; default 3\)/);
    const figure = cells[2].outputs.find((o) => o.output_type === "display_data" && o.metadata[FIGURE_META] === true);
    assert.ok(figure && figure.output_type === "display_data");
    const spec = figureSpecOf(joinSource(figure.data["text/html"] as string)) as { data: { x: number[] }[] };
    assert.equal(spec.data[0].x.length, 5);
    assert.ok("text/html" in figure.data && "text/plain" in figure.data);
    const table = cells[3].outputs[0];
    assert.ok(table.output_type === "display_data" && !String(table.data["text/html"]).includes("<img"));
    const streams = cells[4].outputs.filter((o) => o.output_type === "stream");
    assert.deepEqual(
      streams.map((o) => [o.output_type === "stream" && o.name, joinSource((o as { text: string }).text)]),
      [
        ["stdout", "to stdout\n"],
        ["stderr", "to stderr\n"],
        ["stdout", "progress 1/3\rprogress 2/3\rprogress 3/3\n"],
      ],
    );
    const live = cells[4].outputs.filter((o) => o.output_type === "display_data");
    assert.equal(live.length, 1, "an updated display stays one output");
    assert.equal(live[0].output_type === "display_data" && live[0].data["text/plain"], "step 2 of 2");
    assert.equal(joinSource((cells[5].outputs[0] as { text: string }).text), "2\n");
    assert.equal(run.cellTimes.length, 6);
  });

  it("reports a thrown error with its real message and stack, and leaves later cells unrun", async () => {
    const run = await runNotebook(join(FIXTURES, "fails.ipynb"), { outDir: "", log: quiet });
    assert.equal(run.ok, false);
    assert.equal(run.failure?.codeCellNumber, 2);
    assert.equal(run.failure?.ename, "RangeError");
    assert.equal(run.failure?.evalue, "planted failure: bad value 42");
    assert.match(run.failure?.stderr ?? "", /at check/);
    const cells = codeCells(run.notebook);
    const error = cells[1].outputs.find((o) => o.output_type === "error");
    assert.ok(error && error.output_type === "error" && error.ename === "RangeError");
    assert.equal(cells[2].execution_count, null);
    assert.deepEqual(cells[2].outputs, []);
  });

  it("reports a TypeScript type error as a failed cell", async () => {
    const run = await runNotebook(join(FIXTURES, "type-error.ipynb"), { outDir: "", log: quiet });
    assert.equal(run.ok, false);
    assert.equal(run.failure?.ename, "TypeScriptError");
    assert.match(run.failure?.evalue ?? "", /1:7 - Type 'number' is not assignable to type 'string'/);
  });

  it("fails the parameters cell on an unknown parameter and on a mistyped value", async () => {
    const unknown = await runNotebook(join(FIXTURES, "ok.ipynb"), { outDir: "", params: { pionts: "5" }, log: quiet });
    assert.equal(unknown.failure?.codeCellNumber, 2);
    assert.match(
      unknown.failure?.evalue ?? "",
      /notebook ok: unknown parameter "pionts"; this notebook's parameters are: title, points, flag/,
    );
    const mistyped = await runNotebook(join(FIXTURES, "ok.ipynb"), { outDir: "", params: { points: "many" }, log: quiet });
    assert.match(mistyped.failure?.evalue ?? "", /parameter "points" expects a finite number, got "many"/);
  });

  it("refuses parameters for a notebook without a parameters cell", async () => {
    await assert.rejects(
      runNotebook(join(FIXTURES, "fails.ipynb"), { outDir: "", params: { x: "1" }, log: quiet }),
      /no cell tagged "parameters"/,
    );
  });
});

describe("reproduce(notebooks, params, options)", () => {
  it("writes the executed notebook, its HTML page and an index, and returns 0", async () => {
    const out = tempDir("reports-");
    const lines: string[] = [];
    const code = await reproduce([join(FIXTURES, "ok.ipynb")], ["ok:points=4"], { outDir: out, log: (l) => lines.push(l) });
    assert.equal(code, 0);
    const nb = JSON.parse(readFileSync(join(out, "ok.ipynb"), "utf8")) as Notebook;
    assert.equal(nb.nbformat, 4);
    assert.ok(Array.isArray(nb.cells[0].source), "sources are written as line lists, as Jupyter does");
    assert.ok(existsSync(join(out, "ok.html")) && existsSync(join(out, "index.html")));
    assert.match(lines.join("\n"), /\[ 3\/6\] +\d+\.\d\d s {2}const xs/);
    assert.match(lines.join("\n"), /ok: ok, 6 code cells, 1 figure, \d+\.\d s/);
    const run = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    assert.equal(run.notebooks[0].status, "ok");
    // The --param is named before the run, in the index, the page's header and the executed copy.
    const named = "points = 4 (set by --param; notebook: 3)";
    assert.ok(lines.indexOf(`  ok: ${named}`) >= 0 && lines.indexOf(`  ok: ${named}`) < lines.indexOf(join(FIXTURES, "ok.ipynb")));
    assert.ok(readFileSync(join(out, "index.html"), "utf8").includes(`<li>${named}</li>`));
    assert.ok(readFileSync(join(out, "ok.html"), "utf8").includes(`<li>${named}</li>`));
    const meta = nb.metadata["cvae-lens"] as { parameters: { changes: Record<string, unknown>[] } };
    // committed is "3" in a git checkout, null in a copy without git: not this test's business.
    assert.deepEqual(
      { ...meta.parameters.changes[0], committed: undefined },
      { key: "points", value: "4", via: "--param", notebook: "3", committed: undefined },
    );
  });

  it("stops at a failing cell with exit code 1, prints where and why, and still writes the partial notebook", async () => {
    const out = tempDir("reports-");
    const lines: string[] = [];
    const code = await reproduce([join(FIXTURES, "fails.ipynb"), join(FIXTURES, "ok.ipynb")], [], {
      outDir: out,
      log: (l) => lines.push(l),
    });
    assert.equal(code, 1);
    const log = lines.join("\n");
    assert.match(log, /FAILED .*fails\.ipynb, cell 3 \(code cell 2\): RangeError: planted failure: bad value 42/);
    assert.match(log, /at check/);
    assert.ok(existsSync(join(out, "fails.ipynb")) && existsSync(join(out, "fails.html")));
    assert.equal(existsSync(join(out, "ok.ipynb")), false, "notebooks after a failure do not run");
    const index = readFileSync(join(out, "index.html"), "utf8");
    assert.match(index, /failed/);
    assert.match(index, /not run/);
  });

  it("rejects a scoped parameter for a notebook that is not in the run", async () => {
    await assert.rejects(
      reproduce([join(FIXTURES, "ok.ipynb")], ["03-training:epochs=1"], { outDir: tmpdir(), log: quiet }),
      /no notebook in this run is named "03-training"/,
    );
  });
});

describe("paramsFor(notebook, specs) and parseParamSpec(spec)", () => {
  it("gives unscoped parameters to every notebook and scoped ones to the named notebook only", () => {
    const specs = ["dataset=ml-20m", "03:epochs=5", "03-training:seed=1", "04-latent-pca:users=100"];
    assert.deepEqual(paramsFor("notebooks/03-training.ipynb", specs), { dataset: "ml-20m", epochs: "5", seed: "1" });
    assert.deepEqual(paramsFor("notebooks/01-preprocessing.ipynb", specs), { dataset: "ml-20m" });
  });
  it("keeps '=' inside values and rejects specs without a key", () => {
    assert.deepEqual(parseParamSpec("filter=a=b"), { scope: null, key: "filter", value: "a=b" });
    assert.throws(() => parseParamSpec("=5"), /expects key=value/);
    assert.throws(() => parseParamSpec("two words=5"), /is not a parameter name/);
  });
});
