// Hostile cases of class 12, notebook paths (issue 23, item 8): notebooks given to `cvae reproduce`
// from outside the project's notebooks/ folder, where "./lib/..." does not resolve.
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Case } from "../corpus";

const GROUP = "12 notebook paths";

/** A one-cell notebook that imports the project's lib the way the committed notebooks do. */
function tinyNotebook(imports = "./lib/notebook/index"): string {
  const cell = {
    cell_type: "code",
    execution_count: null,
    metadata: {},
    outputs: [],
    source: [`import { show } from "${imports}";\n`, "console.log(40 + 2);"],
  };
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] });
}

export const NOTEBOOK_PATH_CASES: Case[] = [
  {
    id: "12.1",
    group: GROUP,
    title: "reproduce a committed notebook copied into the working folder",
    setup: (s) => copyFileSync(join(s.tree, "notebooks", "01-preprocessing.ipynb"), join(s.work, "01-preprocessing.ipynb")),
    argv: () => ["reproduce", "01-preprocessing.ipynb", "--out", "rep", "--param", "dataset=synthetic-tiny"],
    expect: "error",
    names: /01-preprocessing\.ipynb: code cell 1 imports "\.\/lib\/notebook\/index".*must live in .*notebooks/,
    check: (s) =>
      existsSync(join(s.work, "rep", "01-preprocessing.ipynb")) ? "a report was written for a notebook that cannot run" : null,
  },
  {
    id: "12.2",
    group: GROUP,
    title: "reproduce a committed notebook and a copy elsewhere: refused before any kernel starts",
    setup: (s) => {
      mkdirSync(join(s.work, "mine"));
      copyFileSync(join(s.tree, "notebooks", "02-genre-statistics.ipynb"), join(s.work, "mine", "02-genre-statistics.ipynb"));
    },
    argv: (s) => ["reproduce", join(s.tree, "notebooks", "01-preprocessing.ipynb"), "mine/02-genre-statistics.ipynb", "--out", "rep"],
    expect: "error",
    names: /mine\/02-genre-statistics\.ipynb: code cell 1 imports/,
    check: (s) => (existsSync(join(s.work, "rep")) ? "notebook 01 ran although the run was bound to fail" : null),
  },
  {
    id: "12.3",
    group: GROUP,
    title: "a notebook importing a helper module that is not beside it",
    setup: (s) => writeFileSync(join(s.work, "study.ipynb"), tinyNotebook("./helpers/plots")),
    argv: () => ["reproduce", "study.ipynb", "--out", "rep"],
    expect: "error",
    names: /study\.ipynb: code cell 1 imports "\.\/helpers\/plots", which does not exist/,
  },
  {
    id: "12.4",
    group: GROUP,
    title: "a notebook outside the project in a folder that links lib (lib's packages would not resolve there)",
    setup: (s) => {
      symlinkSync(join(s.tree, "lib"), join(s.work, "lib"));
      writeFileSync(join(s.work, "study.ipynb"), tinyNotebook());
    },
    argv: () => ["reproduce", "study.ipynb", "--out", "rep"],
    expect: "error",
    names: /study\.ipynb: code cell 1 imports "\.\/lib\/notebook\/index", which only resolves inside the project.*must live in/,
  },
  {
    id: "12.5",
    group: GROUP,
    title: "a folder named like a notebook",
    setup: (s) => mkdirSync(join(s.work, "folder.ipynb")),
    argv: () => ["reproduce", "folder.ipynb", "--out", "rep"],
    expect: "error",
    names: /folder\.ipynb/,
  },
  {
    id: "12.6",
    group: GROUP,
    title: "a notebook cut off mid-file",
    setup: (s) => writeFileSync(join(s.work, "cut.ipynb"), tinyNotebook().slice(0, 40)),
    argv: () => ["reproduce", "cut.ipynb", "--out", "rep"],
    expect: "error",
    names: /cut\.ipynb: not a readable notebook/,
  },
];
