import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkNotebookImports, relativeSpecifiers, resolvesFrom, unresolvedImports } from "../../lib/runner/imports-check";
import { type Notebook, readNotebook } from "../../lib/runner/ipynb";
import { tempDir } from "../helpers/temp";

const ROOT = join(__dirname, "..", "..");
const NOTEBOOKS = join(ROOT, "notebooks");

function notebookOf(...sources: string[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", source: 'import x from "./in-markdown"', metadata: {} },
      ...sources.map((source) => ({ cell_type: "code" as const, source, metadata: {}, outputs: [], execution_count: null })),
    ],
  } as Notebook;
}

describe("relativeSpecifiers(code)", () => {
  it("finds from-imports, bare imports, dynamic imports and requires that start with ./ or ../, in order, once each", () => {
    const code = [
      'import { a } from "./lib/notebook/index";',
      "import './side-effect';",
      'const b = await import("../up/b");',
      'const c = require( "./c.json" );',
      'import { d } from "danfojs-node";',
      'import { e } from "./lib/notebook/index";',
    ].join("\n");
    assert.deepEqual(relativeSpecifiers(code), ["./lib/notebook/index", "./side-effect", "../up/b", "./c.json"]);
  });

  it("finds nothing in code without relative imports", () => {
    assert.deepEqual(relativeSpecifiers('import * as fs from "node:fs";\nconst x = "./not-an-import";'), []);
  });
});

describe("resolvesFrom(dir, specifier)", () => {
  it("finds a module with or without its extension, and a folder's index, but not a folder without one", () => {
    const dir = tempDir("imports-resolve-");
    writeFileSync(join(dir, "helper.ts"), "export const x = 1;\n");
    mkdirSync(join(dir, "pkg"));
    writeFileSync(join(dir, "pkg", "index.ts"), "export const y = 2;\n");
    mkdirSync(join(dir, "empty"));
    assert.equal(resolvesFrom(dir, "./helper"), true);
    assert.equal(resolvesFrom(dir, "./helper.ts"), true);
    assert.equal(resolvesFrom(dir, "./pkg"), true);
    assert.equal(resolvesFrom(dir, "./empty"), false);
    assert.equal(resolvesFrom(dir, "./missing"), false);
    assert.equal(resolvesFrom(join(dir, "pkg"), "../helper"), true);
  });
});

describe("checkNotebookImports(path, nb)", () => {
  it("accepts every committed notebook where it lives", () => {
    const files = readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb"));
    assert.ok(files.length >= 6);
    for (const f of files) checkNotebookImports(join(NOTEBOOKS, f), readNotebook(join(NOTEBOOKS, f)), ROOT);
  });

  it("refuses a committed notebook copied to another folder, naming it, the cell, the import and where notebooks live", () => {
    const dir = tempDir("imports-copy-");
    const copy = join(dir, "01-preprocessing.ipynb");
    copyFileSync(join(NOTEBOOKS, "01-preprocessing.ipynb"), copy);
    assert.throws(
      () => checkNotebookImports(copy, readNotebook(copy), ROOT),
      (err: Error) => {
        assert.ok(err.message.startsWith(`${copy}: code cell 1 imports "./lib/notebook/index"`), err.message);
        const folder = NOTEBOOKS.replace(/[/.]/g, "\\$&");
        assert.match(err.message, new RegExp(`must live in ${folder} \\(where lib is linked and its packages resolve\\)`));
        assert.match(err.message, /copy it there \(cp /);
        return true;
      },
    );
  });

  it("accepts a notebook importing a helper beside it, and refuses one outside the project that links lib", () => {
    const dir = tempDir("imports-linked-");
    writeFileSync(join(dir, "mine.ts"), "export const z = 3;\n");
    checkNotebookImports(join(dir, "study.ipynb"), notebookOf('import { z } from "./mine";'), ROOT);
    symlinkSync(join(ROOT, "lib"), join(dir, "lib"));
    const nb = notebookOf("const a = 1;", 'import { show } from "./lib/notebook/index";');
    assert.throws(
      () => checkNotebookImports(join(dir, "study.ipynb"), nb, ROOT),
      /code cell 2 imports "\.\/lib\/notebook\/index", which only resolves inside the project\. .*must live in/,
    );
  });

  it("names a missing helper by its code cell without blaming the notebook's folder, and skips markdown cells", () => {
    const dir = tempDir("imports-helper-");
    const nb = notebookOf("const a = 1;", 'import { z } from "./mine";');
    assert.deepEqual(unresolvedImports(nb, dir), [{ specifier: "./mine", codeCell: 2 }]);
    assert.throws(
      () => checkNotebookImports(join(dir, "study.ipynb"), nb, ROOT),
      /study\.ipynb: code cell 2 imports "\.\/mine", which does not exist from the notebook's folder\. Relative imports resolve from/,
    );
  });

  it("says the notebooks/lib link is broken when a notebook in the project's notebooks folder cannot see lib", () => {
    const root = tempDir("imports-root-");
    mkdirSync(join(root, "notebooks"));
    const path = join(root, "notebooks", "01.ipynb");
    assert.throws(
      () => checkNotebookImports(path, notebookOf('import { show } from "./lib/notebook/index";'), root),
      /notebooks\/lib is missing or broken: it must be a link to \.\.\/lib/,
    );
  });
});
