import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Notebook, splitLines } from "../../lib/runner/ipynb";
import { readObjectLiteral, readValue, showValue } from "../../lib/runner/object-literal";
import { checkLines, checkNotebookParams, compareParams, parametersOf, paramsLogLines } from "../../lib/runner/params-check";
import { tempDir } from "../helpers/temp";

/** The parameters cell of notebook 03, as Jupyter saves it (comments, an array, a type assertion). */
function paramsCell(overrides: { epochs?: string; extra?: string } = {}): string {
  return [
    "const defaults = {",
    '  dataset: "synthetic",   // processed data set written by 01-preprocessing',
    '  preset: "quick",        // "quick": 5 epochs; "paper": up to 100 epochs, early stopping',
    `  epochs: ${overrides.epochs ?? "0"},              // 0 = the preset's`,
    "  heldout: null as number | null, // users per held-out split",
    "  resamples: 200, level: 0.95, // two on one line",
    '  genres: ["Comedy", "Thriller", "Children"], /* conditions */',
    ...(overrides.extra ? [overrides.extra] : []),
    "};",
    'const params = notebookParams("03-training", defaults);',
    "console.log(describeParams(defaults, params));",
  ].join("\n");
}

function notebookWith(parameters: string, code = "train(params);"): Notebook {
  const cell = (id: string, source: string, tags?: string[]) => ({
    cell_type: "code" as const,
    id,
    metadata: tags ? { tags } : {},
    source: splitLines(source),
    outputs: [],
    execution_count: null,
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", id: "md", metadata: {}, source: ["# Training"] },
      cell("imports", 'import { notebookParams } from "../lib/notebook/params";'),
      cell("params", parameters, ["parameters"]),
      cell("train", code),
    ],
  };
}

const write = (path: string, nb: Notebook) => writeFileSync(path, JSON.stringify(nb, null, 1) + "\n");

/** A git checkout in a temp folder with notebooks/03-training.ipynb committed as the default cell. */
function gitCheckout(): { root: string; path: string; git: (...args: string[]) => string } {
  const root = tempDir("params-git-");
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", root, "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", ...args], {
      encoding: "utf8",
    });
  git("init", "--quiet");
  mkdirSync(join(root, "notebooks"));
  const path = join(root, "notebooks", "03-training.ipynb");
  write(path, notebookWith(paramsCell()));
  git("add", "notebooks/03-training.ipynb");
  git("commit", "--quiet", "-m", "notebook");
  return { root, path, git };
}

describe("readObjectLiteral(source, start)", () => {
  it("reads a parameters cell's defaults: comments, several keys on a line, type assertions, arrays, negative numbers", () => {
    const source = paramsCell({ extra: "  user: -1, \"quoted key\": 'a, b } // c', thresholds: { a: 0.5, }, n: 1_000," });
    const props = readObjectLiteral(source, source.indexOf("{"));
    assert.deepEqual(Object.fromEntries([...props].map(([k, v]) => [k, showValue(v)])), {
      dataset: '"synthetic"',
      preset: '"quick"',
      epochs: "0",
      heldout: "null",
      resamples: "200",
      level: "0.95",
      genres: '["Comedy","Thriller","Children"]',
      user: "-1",
      "quoted key": '"a, b } // c"',
      thresholds: '{"a":0.5}',
      n: "1000",
    });
  });

  it("keeps a value that is not a literal as its source text, so it still compares", () => {
    assert.deepEqual(readValue(" Number(process.env.EPOCHS ?? 5)  // from the environment\n"), {
      expression: "Number(process.env.EPOCHS ?? 5)",
    });
    assert.deepEqual(readValue("`no ${substitution}`"), { expression: "`no ${substitution}`" });
    assert.deepEqual(readValue("'it\\'s' as string"), { literal: "it's" });
  });

  it("throws when the object does not close", () => {
    assert.throws(() => readObjectLiteral("const d = { a: [1, 2 };", 10), /unbalanced|does not close/);
  });
});

describe("parametersOf(nb)", () => {
  it("finds the object passed to notebookParams, by name or inline, and says why when there is none", () => {
    const named = parametersOf(notebookWith(paramsCell()));
    assert.ok(typeof named !== "string" && showValue(named.get("epochs")!) === "0");
    const inline = parametersOf(notebookWith('const p = notebookParams("ok", { points: 3, flag: false });'));
    assert.ok(typeof inline !== "string" && [...inline.keys()].join() === "points,flag");
    const none = notebookWith("");
    none.cells = none.cells.filter((c) => !c.metadata.tags);
    assert.equal(parametersOf(none), "it has no cell tagged parameters");
  });
});

describe("compareParams(current, committed, given, name)", () => {
  const committed = notebookWith(paramsCell());

  it("finds no difference in an unchanged notebook, nor in one whose comments and spacing changed", () => {
    assert.deepEqual(checkLines(compareParams(notebookWith(paramsCell()), committed, {}, "03-training")), []);
    const reformatted = paramsCell()
      .replace("// 0 = the preset's", "// zero: the preset's")
      .replace(/ {2,}\/\//g, " //");
    assert.deepEqual(checkLines(compareParams(notebookWith(reformatted), committed, {}, "03-training")), []);
  });

  it("names a changed value, an added and a removed parameter with their committed values", () => {
    const edited = paramsCell({ epochs: "2", extra: "  patience: 3," }).replace(/ {2}preset: .*\n/, "");
    assert.deepEqual(checkLines(compareParams(notebookWith(edited), committed, {}, "03-training")), [
      'preset removed (committed: "quick")',
      "epochs = 2 (committed: 0)",
      "patience = 3 (not in the committed notebook)",
    ]);
  });

  it("labels --param values, typed as the notebook's default, with what the notebook and git HEAD say", () => {
    const edited = notebookWith(paramsCell({ epochs: "2" }));
    const check = compareParams(edited, committed, { epochs: "7", dataset: "ml-1m" }, "03-training");
    assert.deepEqual(checkLines(check), [
      "epochs = 7 (set by --param; notebook: 2, committed: 0)",
      'dataset = "ml-1m" (set by --param; notebook: "synthetic")',
    ]);
    const uncommitted = compareParams(notebookWith(paramsCell()), "its folder is not in a git checkout", { epochs: "7" }, "03-training");
    assert.deepEqual(checkLines(uncommitted), ["epochs = 7 (set by --param; notebook: 0)"]);
    assert.equal(uncommitted.uncompared, "its folder is not in a git checkout");
  });

  it("names code cells outside the parameters cell that differ from the committed notebook", () => {
    const check = compareParams(notebookWith(paramsCell(), "train(params, { epochs: 1 });"), committed, {}, "03-training");
    assert.deepEqual(checkLines(check), ["code cell 3 differs from git HEAD"]);
  });
});

describe("checkNotebookParams(path, given) against git HEAD", () => {
  it("reports nothing for a notebook as committed", () => {
    const { path } = gitCheckout();
    const check = checkNotebookParams(path, {});
    assert.deepEqual(check, { name: "03-training", changes: [], changedCode: [], removedCode: 0 });
    assert.deepEqual(paramsLogLines([check]), ["parameters and code as committed (git HEAD) in the notebook"]);
  });

  it("names a parameter edited and saved since the last commit, in the line printed before the run", () => {
    const { path } = gitCheckout();
    write(path, notebookWith(paramsCell({ epochs: "2" })));
    const check = checkNotebookParams(path, {});
    assert.deepEqual(check.changes, [{ key: "epochs", value: "2", committed: "0", via: "notebook" }]);
    assert.deepEqual(paramsLogLines([check]), [
      "parameters set by --param, and what differs from the committed notebooks (git HEAD):",
      "  03-training: epochs = 2 (committed: 0)",
    ]);
  });

  it("compares with HEAD, not with what is staged", () => {
    const { path, git } = gitCheckout();
    write(path, notebookWith(paramsCell({ epochs: "2" })));
    git("add", "notebooks/03-training.ipynb");
    assert.deepEqual(checkLines(checkNotebookParams(path, {})), ["epochs = 2 (committed: 0)"]);
  });

  it("says clearly when there is nothing to compare against: a new notebook, or a folder outside git", () => {
    const { root } = gitCheckout();
    const fresh = join(root, "notebooks", "07-new.ipynb");
    write(fresh, notebookWith(paramsCell()));
    const check = checkNotebookParams(fresh, {});
    assert.equal(check.uncompared, "it is not in git HEAD (a new or untracked notebook)");
    assert.deepEqual(paramsLogLines([check]), [
      "parameters set by --param, and what differs from the committed notebooks (git HEAD):",
      "  07-new: not compared with a committed version: it is not in git HEAD (a new or untracked notebook)",
    ]);
    const outside = join(tempDir("params-nogit-"), "03-training.ipynb");
    write(outside, notebookWith(paramsCell()));
    const check2 = checkNotebookParams(outside, {});
    // The system temp folder is not inside a git checkout on any machine this runs on; say so if it ever is.
    assert.equal(check2.uncompared, "its folder is not in a git checkout", `is ${outside} inside a git checkout?`);
  });
});
