import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cleanNotebook, cleanNotebookFile, notebookPaths, notebookText } from "../../lib/runner/clean";
import type { Notebook } from "../../lib/runner/ipynb";
import { tempDir } from "../helpers/temp";

const ROOT = join(__dirname, "..", "..");

/** A notebook as a live Jupyter session saves it: outputs, counts, run-time metadata, a signature. */
function executedNotebook(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { name: "typescript", version: "3.7.2", file_extension: ".ts" },
      signature: "sha256:abc",
      widgets: { state: {} },
    },
    cells: [
      { cell_type: "markdown", id: "m1", metadata: {}, source: "# Title\nText" },
      {
        cell_type: "code",
        id: "c1",
        execution_count: 3,
        metadata: { tags: ["parameters"], execution: { "iopub.status.busy": "2026" }, scrolled: true, collapsed: false },
        source: ["const seed = 1;\n", "seed"],
        outputs: [
          { output_type: "execute_result", execution_count: 3, data: { "text/plain": "1" }, metadata: {} },
          { output_type: "stream", name: "stdout", text: "x".repeat(5000) },
        ],
      },
    ],
  };
}

describe("cleanNotebook(nb)", () => {
  it("removes outputs, execution counts, run-time metadata, the signature and the kernel's language version", () => {
    const clean = cleanNotebook(executedNotebook());
    const code = clean.cells[1];
    assert.equal(code.cell_type, "code");
    if (code.cell_type !== "code") return;
    assert.deepEqual(code.outputs, []);
    assert.equal(code.execution_count, null);
    assert.deepEqual(code.metadata, { tags: ["parameters"] });
    assert.equal("signature" in clean.metadata, false);
    assert.equal("widgets" in clean.metadata, false);
    assert.deepEqual(clean.metadata.language_info, { name: "typescript", file_extension: ".ts" });
  });

  it("keeps sources, cell ids, tags and the kernelspec, and does not change its input", () => {
    const nb = executedNotebook();
    const clean = cleanNotebook(nb);
    assert.deepEqual(
      clean.cells.map((c) => [c.id, c.source]),
      [
        ["m1", ["# Title\n", "Text"]],
        ["c1", ["const seed = 1;\n", "seed"]],
      ],
    );
    assert.deepEqual(clean.metadata.kernelspec, nb.metadata.kernelspec);
    const code = nb.cells[1];
    assert.equal(code.cell_type === "code" && code.outputs.length, 2);
    assert.equal(nb.metadata.signature, "sha256:abc");
  });

  it("is idempotent: the clean form of a clean notebook is the same text", () => {
    const once = notebookText(cleanNotebook(executedNotebook()));
    const twice = notebookText(cleanNotebook(JSON.parse(once) as Notebook));
    assert.equal(twice, once);
  });
});

describe("notebookText(nb)", () => {
  it("writes keys sorted at every level with a 1-space indent and a final newline, as Jupyter does", () => {
    const text = notebookText({ nbformat: 4, nbformat_minor: 5, metadata: { b: 1, a: { d: 1, c: 2 } }, cells: [] });
    assert.equal(
      text,
      '{\n "cells": [],\n "metadata": {\n  "a": {\n   "c": 2,\n   "d": 1\n  },\n  "b": 1\n },\n "nbformat": 4,\n "nbformat_minor": 5\n}\n',
    );
  });
});

describe("cleanNotebookFile(path, options)", () => {
  it("rewrites an executed notebook to its clean form and reports what it removed", () => {
    const path = join(tempDir("clean-"), "a.ipynb");
    writeFileSync(path, JSON.stringify(executedNotebook()));
    const r = cleanNotebookFile(path);
    assert.equal(r.changed, true);
    assert.equal(r.outputs, 2);
    assert.ok(r.bytesAfter < r.bytesBefore);
    assert.equal(readFileSync(path, "utf8"), notebookText(cleanNotebook(executedNotebook())));
    assert.deepEqual(readdirSync(join(path, "..")), ["a.ipynb"], "no temp file is left behind");
  });

  it("leaves a clean file untouched (not rewritten, same mtime)", () => {
    const path = join(tempDir("clean-"), "a.ipynb");
    writeFileSync(path, notebookText(cleanNotebook(executedNotebook())));
    const old = new Date("2020-01-01T00:00:00Z");
    utimesSync(path, old, old);
    const r = cleanNotebookFile(path);
    assert.equal(r.changed, false);
    assert.equal(statSync(path).mtimeMs, old.getTime());
  });

  it("with check, reports a dirty notebook and writes nothing", () => {
    const path = join(tempDir("clean-"), "a.ipynb");
    const text = JSON.stringify(executedNotebook());
    writeFileSync(path, text);
    assert.equal(cleanNotebookFile(path, { check: true }).changed, true);
    assert.equal(readFileSync(path, "utf8"), text);
  });

  it("fails on a damaged file naming it, and leaves it as it was", () => {
    const path = join(tempDir("clean-"), "broken.ipynb");
    writeFileSync(path, '{"cells": [');
    assert.throws(() => cleanNotebookFile(path), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not a readable notebook`));
    assert.equal(readFileSync(path, "utf8"), '{"cells": [');
  });
});

describe("cleanNotebookFile(path) on a special file", () => {
  it("refuses a FIFO by name instead of waiting on it", () => {
    const path = join(tempDir("clean-"), "a.ipynb");
    execFileSync("mkfifo", [path]);
    assert.throws(() => cleanNotebookFile(path), {
      message: `${path}: is a named pipe (FIFO), expected a notebook (.ipynb); it was not read`,
    });
  });
});

describe("notebookPaths(args, defaultFolder)", () => {
  it("lists a folder's own notebooks in order, not its .ipynb_checkpoints or other files", () => {
    const dir = tempDir("clean-");
    for (const f of ["02-b.ipynb", "01-a.ipynb", "notes.md"]) writeFileSync(join(dir, f), "{}");
    mkdirSync(join(dir, ".ipynb_checkpoints"));
    writeFileSync(join(dir, ".ipynb_checkpoints", "01-a-checkpoint.ipynb"), "{}");
    assert.deepEqual(notebookPaths([], dir), [join(dir, "01-a.ipynb"), join(dir, "02-b.ipynb")]);
  });

  it("takes files as given, once each, and names a missing path, a non-notebook and an empty folder", () => {
    const dir = tempDir("clean-");
    const nb = join(dir, "a.ipynb");
    writeFileSync(nb, "{}");
    writeFileSync(join(dir, "b.txt"), "");
    assert.deepEqual(notebookPaths([nb, nb, dir], "unused"), [nb]);
    assert.throws(() => notebookPaths([join(dir, "nope.ipynb")], "unused"), /nope\.ipynb: no such file or folder/);
    assert.throws(() => notebookPaths([join(dir, "b.txt")], "unused"), /b\.txt: not a \.ipynb notebook/);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    assert.throws(() => notebookPaths([empty], "unused"), /empty: no \.ipynb notebooks in this folder/);
  });
});

describe("cvae notebooks clean", () => {
  function cvae(args: string[]) {
    return spawnSync(process.execPath, [join(ROOT, "bin", "cvae.js"), "notebooks", "clean", ...args], { encoding: "utf8" });
  }

  it("--check exits 1 on a dirty notebook without writing, then cleaning makes --check pass", () => {
    const dir = tempDir("clean-");
    const path = join(dir, "a.ipynb");
    const text = JSON.stringify(executedNotebook());
    writeFileSync(path, text);
    const check = cvae([dir, "--check"]);
    assert.equal(check.status, 1);
    assert.match(check.stdout, /not clean: .*a\.ipynb \(2 outputs/);
    assert.equal(readFileSync(path, "utf8"), text);
    const clean = cvae([dir]);
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /1 notebook: 0 already clean, 1 cleaned, 0 unreadable/);
    assert.equal(cvae([dir, "--check"]).status, 0);
  });

  it("exits 1 on an unreadable notebook, naming it, while still cleaning the others", () => {
    const dir = tempDir("clean-");
    writeFileSync(join(dir, "a.ipynb"), JSON.stringify(executedNotebook()));
    writeFileSync(join(dir, "b.ipynb"), "not json");
    const r = cvae([dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /b\.ipynb: not a readable notebook/);
    assert.match(r.stdout, /1 cleaned, 1 unreadable/);
    assert.equal(readFileSync(join(dir, "b.ipynb"), "utf8"), "not json");
  });

  it("finds the committed notebooks clean", () => {
    const r = cvae(["--check"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
