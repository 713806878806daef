// Hostile cases of class 7 run folders (issue 23, items 1-2) and, in class 10 stored text, of the
// checksums of checkpoint.json's own fields (item 6, ids 10.21 on). The base data holds a finished
// 1-epoch run "tinym" (hidden 16, latent 4) of synthetic-tiny. Helpers of the corpus are used inside
// the cases only (the corpus imports this file).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Case, json, md5, modelDir, type Sandbox, tiny, tinyModel } from "../corpus";
import { editCheckpoint } from "./checkpoint-sums";

const RUNS = "7 run folders";
const TEXT = "10 stored text";

/** Replaces text in a file, as an editor would (the error must come from the checksum, not from the layout). */
function editText(path: string, from: string | RegExp, to: string): void {
  const text = readFileSync(path, "utf8");
  const edited = text.replace(from, to);
  if (edited === text) throw new Error(`${path}: ${String(from)} not found`);
  writeFileSync(path, edited);
}

const checkpoint = (s: Sandbox, run = "tinym") => join(modelDir(s, run), "checkpoint.json");
const field = (v: Record<string, unknown>, key: string) => v[key] as Record<string, unknown>;

/** Records the md5 of the run's weights, to check that a failing command left them. */
const keepWeights = (s: Sandbox, dir = modelDir(s)) => writeFileSync(join(s.root, "best.md5"), md5(readFileSync(join(dir, "best.bin"))));
const weightsKept = (s: Sandbox, dir = modelDir(s)) =>
  existsSync(join(dir, "best.bin")) && md5(readFileSync(join(dir, "best.bin"))) === readFileSync(join(s.root, "best.md5"), "utf8")
    ? null
    : `the weights in ${dir} were replaced or removed`;

export const RUN_FOLDER_CASES: Case[] = [
  {
    id: "7.1",
    group: RUNS,
    title: "train into a run folder holding weights but no checkpoint.json",
    setup: (s) => {
      rmSync(checkpoint(s));
      keepWeights(s);
    },
    argv: () => ["train", ...tinyModel, "--run", "tinym"],
    expect: "error",
    names: /models\/tinym holds best\.bin, state\.bin but no checkpoint\.json.*restore checkpoint\.json, or train with --restart/,
    check: (s) => weightsKept(s),
  },
  {
    id: "7.2",
    group: RUNS,
    title: "train (no flags) a run whose checkpoint.json is cut short",
    setup: (s) => {
      writeFileSync(checkpoint(s), readFileSync(checkpoint(s), "utf8").slice(0, 200));
      keepWeights(s);
    },
    argv: () => ["train", "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: not valid JSON .*restore checkpoint\.json, or train the run again \(cvae train --restart\)/,
    check: (s) => weightsKept(s),
  },
  {
    id: "7.3",
    group: RUNS,
    title: "train a run whose state.bin is missing",
    setup: (s) => {
      rmSync(join(modelDir(s), "state.bin"));
      keepWeights(s);
    },
    argv: () => ["train", ...tinyModel, "--run", "tinym"],
    expect: "error",
    names: /tinym\/state\.bin: missing; the checkpoint is incomplete; restore state\.bin, or train the run again/,
    check: (s) => weightsKept(s),
  },
  {
    id: "7.4",
    group: RUNS,
    title: "train a finished run again without its flags (--dataset and --run only)",
    setup: (s) => keepWeights(s),
    argv: () => ["train", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym holds a finished run \(1 epoch, best epoch 1, saved [^;)]+\); train with restart/,
    check: (s, r) => (/corrupt/.test(r.stderr) ? "reported as a corrupt checkpoint" : weightsKept(s)),
  },
  {
    id: "7.5",
    group: RUNS,
    title: "train a finished run with --epochs 2 and no other flag",
    argv: () => ["train", "--run", "tinym", "--epochs", "2"],
    expect: "error",
    names: /tinym holds a finished run \(1 epoch, .*asked now: epochs: 1 there, 2 now\)/,
    check: (_s, r) => (/corrupt/.test(r.stderr) ? "reported as a corrupt checkpoint, not by the stored config" : null),
  },
  {
    id: "7.6",
    group: RUNS,
    title: "train --run tinym --restart --json with no other flag retrains the stored config",
    argv: () => ["train", "--run", "tinym", "--restart", "--json"],
    expect: "ok",
    check: (_s, r) => {
      const c = json(r.stdout).config as Record<string, unknown>;
      const got = [c.dataset, c.hidden, c.latent, c.epochs, c.patience, c.workers];
      return JSON.stringify(got) === JSON.stringify(["synthetic-tiny", 16, 4, 1, 0, 0]) ? null : `config used: ${JSON.stringify(got)}`;
    },
  },
  {
    id: "7.7",
    group: RUNS,
    title: "train --restart into a run folder holding weights but no checkpoint.json replaces it",
    setup: (s) => rmSync(checkpoint(s)),
    argv: () => ["train", ...tinyModel, "--run", "tinym", "--restart", "--json"],
    expect: "ok",
    check: (s, r) =>
      existsSync(checkpoint(s)) && json(r.stdout).run === "tinym" && /stored config is unreadable/.test(r.stderr)
        ? null
        : "no new checkpoint, or no word that the folder held no readable run",
  },
  {
    id: "7.8",
    group: RUNS,
    title: "evaluate a run folder holding weights but no checkpoint.json",
    setup: (s) => rmSync(checkpoint(s)),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym holds best\.bin, state\.bin but no checkpoint\.json.*restore checkpoint\.json/,
  },
  {
    id: "7.9",
    group: RUNS,
    title: "train a run whose name is taken by a file in data/models/",
    setup: (s) => writeFileSync(modelDir(s, "f"), "my notes"),
    argv: () => ["train", ...tinyModel, "--run", "f"],
    expect: "error",
    names: /models\/f: a file, where a run folder belongs/,
    check: (s) => (readFileSync(modelDir(s, "f"), "utf8") === "my notes" ? null : "the file was replaced"),
  },
  {
    id: "7.10",
    group: RUNS,
    title: "a staged retraining (data/models/.tinym.next/) holding weights but no checkpoint.json",
    setup: (s) => {
      const next = join(s.data, "models", ".tinym.next");
      mkdirSync(next);
      writeFileSync(join(next, "state.bin"), Buffer.alloc(64, 1));
    },
    argv: () => ["train", "--run", "tinym"],
    expect: "error",
    names: /\.tinym\.next holds state\.bin but no checkpoint\.json.*--restart/,
    check: (s) => (existsSync(join(s.data, "models", ".tinym.next", "state.bin")) ? null : "the staged weights were removed"),
  },
  {
    id: "7.11",
    group: RUNS,
    title: "checkpoint.json written with dims.hidden -16 (its checksums agree)",
    setup: (s) => editCheckpoint(checkpoint(s), (v) => ({ ...v, dims: { ...field(v, "dims"), hidden: -16 } })),
    argv: () => ["train", "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: dims\.hidden is -16, but config\.hidden make 16/,
  },
  {
    id: "7.12",
    group: RUNS,
    title: "checkpoint.json written without dims.latent (its checksums agree)",
    setup: (s) =>
      editCheckpoint(checkpoint(s), (v) => {
        const { latent: _l, ...dims } = field(v, "dims");
        return { ...v, dims };
      }),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: dims\.latent must be an integer, got nothing \(missing\)/,
  },
  {
    id: "7.13",
    group: RUNS,
    title: "resume an interrupted run with --epochs 2 and no other flag",
    setup: (s) =>
      editCheckpoint(checkpoint(s), (v) => ({
        ...v,
        config: { ...field(v, "config"), epochs: 3 },
        position: { ...field(v, "position"), finished: false },
      })),
    argv: () => ["train", "--run", "tinym", "--epochs", "2", "--json"],
    expect: "ok",
    check: (_s, r) => {
      const c = json(r.stdout).config as Record<string, unknown>;
      const history = json(r.stdout).history as unknown[];
      return c.epochs === 2 && c.hidden === 16 && history.length === 2
        ? null
        : `resumed with ${JSON.stringify({ ...c, history: history.length })}`;
    },
  },
  {
    id: "7.14",
    group: RUNS,
    title: "checkpoint.json written with a best epoch past its last (its checksums agree)",
    setup: (s) => editCheckpoint(checkpoint(s), (v) => ({ ...v, position: { ...field(v, "position"), bestEpoch: 5 } })),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: position\.bestEpoch is 5, past position\.epoch \(1\)/,
  },

  // 10. Stored text: checkpoint.json's fields carry checksums (version 3).
  {
    id: "10.21",
    group: TEXT,
    title: "checkpoint.json with hidden 16 edited to 17 in both places (config and dims)",
    setup: (s) => editText(checkpoint(s), /"hidden": 16/g, '"hidden": 17'),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: config\.hidden does not match its checksum .*only cvae-lens writes checkpoint\.json/,
  },
  {
    id: "10.22",
    group: TEXT,
    title: "checkpoint.json with a condition label renamed (Drama to Dramas)",
    setup: (s) => editText(checkpoint(s), '"Drama"', '"Dramas"'),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: vocabulary\.genres does not match its checksum/,
  },
  {
    id: "10.23",
    group: TEXT,
    title: "checkpoint.json with an edited history (a better validation nDCG@100)",
    setup: (s) => editText(checkpoint(s), /"validNdcgConditioned": 0\.\d+/, '"validNdcgConditioned": 0.99'),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: history does not match its checksum/,
  },
  {
    id: "10.24",
    group: TEXT,
    title: "checkpoint.json marked unfinished by hand, then train (no flags)",
    setup: (s) => editText(checkpoint(s), '"finished": true', '"finished": false'),
    argv: () => ["train", "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: position\.finished does not match its checksum/,
  },
  {
    id: "10.25",
    group: TEXT,
    title: "checkpoint.json without its sums",
    setup: (s) =>
      writeFileSync(checkpoint(s), JSON.stringify({ ...(JSON.parse(readFileSync(checkpoint(s), "utf8")) as object), sums: undefined })),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: sums \(its fields' checksums\) must be an object, got nothing/,
  },
  {
    id: "10.26",
    group: TEXT,
    title: "a version 2 checkpoint (written before the fields' checksums) still evaluates",
    setup: (s) => {
      const { sums: _s, ...doc } = JSON.parse(readFileSync(checkpoint(s), "utf8")) as Record<string, unknown>;
      writeFileSync(checkpoint(s), JSON.stringify({ ...doc, version: 2 }, null, 1));
    },
    argv: () => ["evaluate", ...tiny, "--run", "tinym", "--json"],
    expect: "ok",
    check: (_s, r) => ((json(r.stdout).model as { run?: string } | undefined)?.run === "tinym" ? null : "no model status in the output"),
  },
  {
    id: "10.27",
    group: TEXT,
    title: "checkpoint.json with a field added by hand (a note)",
    setup: (s) => editText(checkpoint(s), /^\{/, '{\n "note": "best run so far",'),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /tinym\/checkpoint\.json: note has no checksum in sums: it was added by hand/,
  },
];
