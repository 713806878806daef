// A corpus of hostile but realistic uses of the `cvae` command line: bad files, bad flags,
// damaged state, half-done saves, hostile names and zips. Each case runs the real CLI of a
// checkout (so the same corpus measures an older one too) in a sandbox of its own, and gets
// one outcome:
//   "clear error"  exit code != 0, no stack trace, a message naming the file/line/flag;
//   "correct"      exit 0 and the result checked as right;
//   anything else  a failure: a silent wrong result, a crash, an unclear message, or data
//                  touched outside the folder the command owns.
// Nothing here imports the library: cases set up files themselves and inspect outputs.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { buildZip } from "../helpers/zip";
import { tempDir } from "../helpers/temp";
import { checkpointSums } from "./cases/checkpoint-sums";
import { DATA_SET_CASES } from "./cases/data-sets";
import { INPUT_CASES } from "./cases/input";
import { NOTEBOOK_PATH_CASES } from "./cases/notebook-paths";
import { RUN_FOLDER_CASES } from "./cases/run-folders";

export type Outcome = "clear error" | "correct" | "exit 0, wrong result" | "unclear error" | "crash" | "data touched" | "timeout";

export interface Sandbox {
  /** The checkout whose CLI runs. */
  tree: string;
  root: string;
  /** The working directory; data/ inside it is CVAE_DATA_DIR. */
  work: string;
  data: string;
  /** Base URL of the case's HTTP server (download cases). */
  server: string;
  /** Requests the server saw: "GET /path range". */
  requests: string[];
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The classes of the corpus: 1-6 from the second reliability pass, 7-12 from the third (issue 23). */
export const GROUPS = [
  "1 data loss",
  "2 ignored options",
  "3 damaged state",
  "4 injection",
  "5 downloads and zips",
  "6 input text",
  "7 run folders",
  "8 one name, one data set",
  "9 bounded input",
  "10 stored text",
  "11 operating-system errors",
  "12 notebook paths",
] as const;
export type Group = (typeof GROUPS)[number];

export interface Case {
  id: string;
  group: Group;
  title: string;
  setup?(s: Sandbox): void;
  /** Commands run first (their outcome is not judged), e.g. preparing a data set. */
  before?(s: Sandbox): string[][];
  argv(s: Sandbox): string[];
  expect: "error" | "ok";
  /** What a clear error must name (a file, a line, a flag, a parameter). */
  names?: RegExp;
  /** For "ok" cases (and extra checks of errors): null when right, else what is wrong. */
  check?(s: Sandbox, r: RunResult): string | null;
  timeoutSeconds?: number;
  /** Routes of the case's HTTP server: path -> body (a Buffer) or a handler. */
  serve?: Record<string, Buffer | ((range: string | undefined) => { status: number; body: Buffer; headers?: Record<string, string> })>;
}

// ---------- fixtures built inside a sandbox ----------

/** A small MovieLens folder in the ML-20M layout: 40 users x 12 movies rated 5, 20 movies. */
export function movieLensFolder(dir: string, options: { ratings?: string; movies?: string | Buffer } = {}): string {
  mkdirSync(dir, { recursive: true });
  const lines = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= 40; u++) for (let k = 0; k < 12; k++) lines.push(`${u},${1 + ((u * 7 + k * 3) % 20)},5,${1000 + k}`);
  const genres = ["Drama", "Comedy", "Action|Drama", "Romance|Comedy", "Thriller"];
  const movies = [
    "movieId,title,genres",
    ...Array.from({ length: 20 }, (_, i) => `${i + 1},Movie ${i + 1} (1999),${genres[i % genres.length]}`),
  ];
  writeFileSync(join(dir, "ratings.csv"), options.ratings ?? lines.join("\n") + "\n");
  writeFileSync(join(dir, "movies.csv"), options.movies ?? movies.join("\n") + "\n");
  return dir;
}

const SENTINEL = "keep me";

function writeSentinels(s: Sandbox): void {
  writeFileSync(join(s.root, "outside.txt"), SENTINEL);
  writeFileSync(join(s.work, "work.txt"), SENTINEL);
  mkdirSync(join(s.work, ".git"), { recursive: true });
  writeFileSync(join(s.work, ".git", "HEAD"), SENTINEL);
  mkdirSync(join(s.data, "raw"), { recursive: true });
  writeFileSync(join(s.data, "raw", "keep.txt"), SENTINEL);
}

function sentinelsIntact(s: Sandbox): string | null {
  for (const p of [join(s.root, "outside.txt"), join(s.work, "work.txt"), join(s.work, ".git", "HEAD"), join(s.data, "raw", "keep.txt")]) {
    if (!existsSync(p) || readFileSync(p, "utf8") !== SENTINEL) return `${p} was deleted or changed`;
  }
  return null;
}

export const json = (text: string): Record<string, unknown> => {
  const start = text.indexOf("{");
  return JSON.parse(text.slice(start)) as Record<string, unknown>;
};
export const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
export const tiny = ["--dataset", "synthetic-tiny"];
/** A 1-epoch model of synthetic-tiny that trains in a second or two; the base data holds one as run "tinym". */
export const tinyModel = [...tiny, "--hidden", "16", "--latent", "4", "--epochs", "1", "--patience", "0", "--workers", "0"];
export const modelDir = (s: Sandbox, run = "tinym") => join(s.data, "models", run);
export const processed = (s: Sandbox, name = "synthetic-tiny") => join(s.data, "processed", name);
/** A daypart set of synthetic-tiny and a tiny model on it (run "tinyd"), for the context cases. */
const DAYPART_MODEL = [
  ["data", "prepare", "synthetic-tiny", "--conditions", "daypart"],
  [
    "train",
    "--dataset",
    "synthetic-tiny-daypart",
    "--hidden",
    "16",
    "--latent",
    "4",
    "--epochs",
    "1",
    "--patience",
    "0",
    "--workers",
    "0",
    "--run",
    "tinyd",
  ],
];
/** A test user of synthetic-tiny (the daypart set has the same split). */
const testUser = (s: Sandbox): number => {
  const meta = JSON.parse(readFileSync(join(processed(s), "dataset.json"), "utf8")) as { arrays: Record<string, { offset: number }> };
  return readFileSync(join(processed(s), "arrays.bin")).readInt32LE(meta.arrays.testUserIds.offset);
};

/** Edits a JSON file; an edited checkpoint.json gets its field checksums re-recorded, so the case tests the edit's meaning. */
function editJson(path: string, edit: (v: Record<string, unknown>) => Record<string, unknown>): void {
  const doc = edit(JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>);
  const reseal = basename(path) === "checkpoint.json" && "sums" in doc;
  writeFileSync(path, JSON.stringify(reseal ? { ...doc, sums: checkpointSums(doc) } : doc));
}

function damage(path: string, from: number, to: number, value: number | "random"): void {
  const b = readFileSync(path);
  for (let i = from; i < Math.min(to, b.length); i++) b[i] = value === "random" ? (i * 2654435761) >>> 24 : value;
  writeFileSync(path, b);
}

/** A ratings file/movies file pair whose one positive user set passes the protocol. */
function textCase(s: Sandbox, name: string, options: { ratings?: string; movies?: string | Buffer }): string {
  return movieLensFolder(join(s.work, name), options);
}

const ZIP_ENTRIES = () => {
  const dir = tempDir("corpus-zip-");
  movieLensFolder(dir);
  return [
    { name: "ml-latest-small/ratings.csv", data: readFileSync(join(dir, "ratings.csv")) },
    { name: "ml-latest-small/movies.csv", data: readFileSync(join(dir, "movies.csv")) },
  ];
};

function zipRoutes(zip: Buffer): Case["serve"] {
  return {
    "/ml-latest-small.zip.md5": Buffer.from(`MD5 (ml-latest-small.zip) = ${md5(zip)}\n`),
    "/ml-latest-small.zip": (range) => {
      const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
      if (!m) return { status: 200, body: zip };
      const from = Number(m[1]);
      return { status: 206, body: zip.subarray(from), headers: { "content-range": `bytes ${from}-${zip.length - 1}/${zip.length}` } };
    },
  };
}

// ---------- the cases ----------

export const CASES: Case[] = [
  // 1. Data loss
  ...["..", "../..", "../../x", ".", "a/b", ".hidden"].map((name, k): Case => ({
    id: `1.${k + 1}`,
    group: "1 data loss",
    title: `data prepare --name ${name}`,
    argv: () => ["data", "prepare", "synthetic-tiny", "--name", name],
    expect: "error",
    names: /--name/,
  })),
  {
    id: "1.7",
    group: "1 data loss",
    title: "train --run ..",
    argv: () => ["train", ...tinyModel, "--run", ".."],
    expect: "error",
    names: /--run|run/,
  },
  {
    id: "1.8",
    group: "1 data loss",
    title: "evaluate --run ../../x",
    argv: () => ["evaluate", ...tiny, "--run", "../../x"],
    expect: "error",
    names: /--run|run/,
  },
  {
    id: "1.9",
    group: "1 data loss",
    title: "train --dataset ../x",
    argv: () => ["train", "--dataset", "../x", "--run", "r"],
    expect: "error",
    // A path that does not exist says so (issue 23, item 3), no longer a data set "x" to prepare.
    names: /data set \.\.\/x: .*\/x: no such folder/,
  },
  {
    id: "1.10",
    group: "1 data loss",
    title: "train into a finished run with other settings",
    argv: () => ["train", ...tinyModel, "--run", "tinym", "--lr", "0.01"],
    expect: "error",
    names: /finished run/,
    check: (s, r) =>
      r.code !== 0 && md5(readFileSync(join(modelDir(s), "best.bin"))) === readFileSync(join(s.root, "best.md5"), "utf8")
        ? null
        : "the finished run was replaced",
    setup: (s) => writeFileSync(join(s.root, "best.md5"), md5(readFileSync(join(modelDir(s), "best.bin")))),
  },
  {
    id: "1.11",
    group: "1 data loss",
    title: "train a run another live process holds (its lock)",
    setup: (s) => writeFileSync(join(s.data, "models", ".held.lock"), JSON.stringify({ pid: process.pid, host: hostname(), since: "now" })),
    argv: () => ["train", ...tinyModel, "--run", "held"],
    expect: "error",
    names: /in use by process/,
  },
  {
    id: "1.12",
    group: "1 data loss",
    title: "train a run whose lock a dead process left",
    setup: (s) => writeFileSync(join(s.data, "models", ".stale.lock"), JSON.stringify({ pid: 4_200_123, host: hostname(), since: "then" })),
    argv: () => ["train", ...tinyModel, "--run", "stale"],
    expect: "ok",
    check: (s) =>
      existsSync(join(modelDir(s, "stale"), "best.bin")) && !existsSync(join(s.data, "models", ".stale.lock"))
        ? null
        : "no trained run, or the lock stayed",
  },
  {
    id: "1.13",
    group: "1 data loss",
    title: "SIGKILL between the two renames of a checkpoint save, then evaluate",
    setup: (s) => {
      const dir = modelDir(s);
      cpSync(dir, join(s.data, "models", ".tinym.tmp-4200000-1"), { recursive: true });
      renameSync(dir, join(s.data, "models", ".tinym.old-4200000-1"));
    },
    argv: () => ["evaluate", ...tiny, "--run", "tinym", "--json"],
    expect: "ok",
    check: (s) =>
      existsSync(join(modelDir(s), "checkpoint.json")) &&
      readdirSync(join(s.data, "models")).filter((f) => f.startsWith(".tinym")).length === 0
        ? null
        : "the run folder was not recovered",
  },
  {
    id: "1.14",
    group: "1 data loss",
    title: "SIGKILL while a data set was being written, then prepare it again",
    setup: (s) => mkdirSync(join(s.data, "processed", ".synthetic-tiny.tmp-4200000-2")),
    argv: () => ["data", "prepare", "synthetic-tiny"],
    expect: "ok",
    check: (s) => (readdirSync(join(s.data, "processed")).some((f) => f.startsWith(".")) ? "a dead process's temp folder was left" : null),
  },

  // 2. Options that are silently ignored
  {
    id: "2.1",
    group: "2 ignored options",
    title: "train --beta 0.5",
    argv: () => ["train", ...tinyModel, "--run", "b", "--beta", "0.5", "--json"],
    expect: "ok",
    check: (_s, r) =>
      JSON.stringify((json(r.stdout).config as { beta: unknown }).beta) === '{"kind":"fixed","value":0.5}'
        ? null
        : `beta used: ${JSON.stringify((json(r.stdout).config as { beta: unknown }).beta)}`,
  },
  {
    id: "2.2",
    group: "2 ignored options",
    title: "train --preset quick",
    argv: () => ["train", ...tiny, "--hidden", "16", "--latent", "4", "--workers", "0", "--run", "p", "--preset", "quick", "--json"],
    expect: "ok",
    check: (_s, r) => {
      const c = json(r.stdout).config as { epochs: number; patience: number };
      return c.epochs === 5 && c.patience === 0 ? null : `quick preset not used: ${JSON.stringify(c)}`;
    },
  },
  {
    id: "2.3",
    group: "2 ignored options",
    title: "train --config with beta, epochs, hidden, latent, lr, sampler",
    setup: (s) =>
      writeFileSync(
        join(s.work, "cfg.json"),
        JSON.stringify({
          dataset: "synthetic-tiny",
          run: "cfg",
          epochs: 2,
          hidden: 20,
          latent: 5,
          lr: 0.002,
          sampler: "one-genre",
          beta: { kind: "fixed", value: 0.3 },
          workers: 0,
        }),
      ),
    argv: () => ["train", "--config", "cfg.json", "--json"],
    expect: "ok",
    check: (_s, r) => {
      const c = json(r.stdout).config as Record<string, unknown>;
      const got = [c.epochs, c.hidden, c.latent, c.lr, c.sampler, JSON.stringify(c.beta)];
      return JSON.stringify(got) === JSON.stringify([2, 20, 5, 0.002, "one-genre", '{"kind":"fixed","value":0.3}'])
        ? null
        : `config used: ${JSON.stringify(got)}`;
    },
  },
  {
    id: "2.4",
    group: "2 ignored options",
    title: "resume an unfinished run without repeating its flags",
    setup: (s) => {
      cpSync(modelDir(s), modelDir(s, "half"), { recursive: true });
      editJson(join(modelDir(s, "half"), "checkpoint.json"), (v) => {
        const config = { ...(v.config as Record<string, unknown>), run: "half", epochs: 2 };
        return { ...v, config, position: { ...(v.position as Record<string, unknown>), finished: false } };
      });
    },
    argv: () => ["train", "--run", "half", "--json"],
    expect: "ok",
    check: (_s, r) => {
      const c = json(r.stdout).config as Record<string, unknown>;
      return c.epochs === 2 && c.hidden === 16 && c.dataset === "synthetic-tiny"
        ? null
        : `resumed with ${JSON.stringify({ epochs: c.epochs, hidden: c.hidden, dataset: c.dataset })}`;
    },
  },
  ...(
    [
      ["--epochs", "0x10"],
      ["--epochs", "1e1"],
      ["--epochs", "2.5"],
      ["--epochs=-3", null],
      ["--hidden", "100000"],
      ["--lr", "0"],
      ["--dropout", "1"],
      ["--sampler", "bogus"],
      ["--workers", "5"],
      ["--batch-size", "abc"],
      ["--seed", "-1"],
    ] as [string, string | null][]
  ).map(([flag, value], k): Case => ({
    id: `2.${5 + k}`,
    group: "2 ignored options",
    title: `train ${flag}${value === null ? "" : ` ${value}`}`,
    argv: () => ["train", ...tiny, "--run", "x", flag, ...(value === null ? [] : [value])],
    expect: "error",
    names: new RegExp(flag.replace(/=.*/, "").replace(/-/g, "\\-")),
  })),
  {
    id: "2.16",
    group: "2 ignored options",
    title: "train --hidden 600 --latent 700",
    argv: () => ["train", ...tiny, "--run", "x", "--hidden", "600", "--latent", "700"],
    expect: "error",
    names: /latent/,
  },
  {
    id: "2.17",
    group: "2 ignored options",
    title: "recommend --split bogus",
    argv: () => ["recommend", ...tiny, "--run", "tinym", "--user", "1", "--split", "bogus"],
    expect: "error",
    names: /--split/,
  },
  {
    id: "2.18",
    group: "2 ignored options",
    title: "evaluate --split bogus",
    argv: () => ["evaluate", ...tiny, "--run", "tinym", "--split", "bogus"],
    expect: "error",
    names: /--split/,
  },
  {
    id: "2.19",
    group: "2 ignored options",
    title: "recommend --n 0",
    argv: () => ["recommend", ...tiny, "--run", "tinym", "--user", "1", "--n", "0"],
    expect: "error",
    names: /--n/,
  },
  {
    id: "2.20",
    group: "2 ignored options",
    title: "recommend --user abc",
    argv: () => ["recommend", ...tiny, "--run", "tinym", "--user", "abc"],
    expect: "error",
    names: /--user/,
  },
  {
    id: "2.21",
    group: "2 ignored options",
    title: "explore --users 0",
    argv: () => ["explore", ...tiny, "--run", "tinym", "--users", "0"],
    expect: "error",
    names: /--users|users/,
  },
  {
    id: "2.22",
    group: "2 ignored options",
    title: "explore --users 2.5",
    argv: () => ["explore", ...tiny, "--run", "tinym", "--users", "2.5"],
    expect: "error",
    names: /--users|users/,
  },
  {
    id: "2.39",
    group: "2 ignored options",
    title: "explore --seeds 0",
    argv: () => ["explore", ...tiny, "--run", "tinym", "--seeds", "0"],
    expect: "error",
    names: /--seeds/,
  },
  {
    id: "2.40",
    group: "2 ignored options",
    title: "profile --seed-training fast",
    argv: () => ["profile", ...tiny, "--run", "tinym", "--seeds", "2", "--seed-training", "fast"],
    expect: "error",
    names: /--seed-training/,
  },
  {
    id: "2.41",
    group: "2 ignored options",
    title: "explore --seeds 2 --seed-training run --json (trains the second seed model)",
    argv: () => [
      "explore",
      ...tiny,
      "--run",
      "tinym",
      "--users",
      "50",
      "--resamples",
      "20",
      "--permutations",
      "39",
      "--seeds",
      "2",
      "--seed-training",
      "run",
      "--json",
    ],
    expect: "ok",
    check: (s, r) => {
      const seeds = json(r.stdout).seeds as { models?: { run: string; trainedNow: boolean }[] } | null | undefined;
      const models = seeds?.models ?? [];
      const runs = models.map((m) => `${m.run}:${m.trainedNow}`).join(",");
      const claims = json(r.stdout).claims as { seeds?: { latent: { perSeed: unknown[] } } }[] | undefined;
      if (runs !== "tinym:false,tinym-seed98766:true") return `seed models ${runs || "missing"}`;
      if (!existsSync(join(modelDir(s, "tinym-seed98766"), "checkpoint.json"))) return "the seed model was not saved";
      // A claim not applicable on this data (no IMAX genre, say) has no per-seed verdicts; the others one per model.
      const perSeed = (claims ?? []).map((c) => c.seeds?.latent.perSeed.length);
      return perSeed.length && perSeed.every((n) => n === 0 || n === 2) && perSeed.some((n) => n === 2)
        ? null
        : `per-seed verdicts ${perSeed.join(",") || "missing"}`;
    },
  },
  {
    id: "2.42",
    group: "2 ignored options",
    title: "explore --thresholds a=-1 --json (the silhouette rule moved below any value)",
    argv: () => [
      "explore",
      ...tiny,
      "--run",
      "tinym",
      "--users",
      "50",
      "--resamples",
      "20",
      "--permutations",
      "39",
      "--control",
      "none",
      "--thresholds",
      "a=-1",
      "--json",
    ],
    expect: "ok",
    check: (_s, r) => {
      const a = (json(r.stdout).claims as { id: string; threshold: number; rule: string; latent: { verdict: string } }[] | undefined)?.find(
        (c) => c.id === "a",
      );
      return a && a.threshold === -1 && /-1/.test(a.rule) && a.latent.verdict === "holds" ? null : `claim a: ${JSON.stringify(a)}`;
    },
  },
  {
    id: "2.43",
    group: "2 ignored options",
    title: "explore --thresholds z=1 (no such claim)",
    argv: () => ["explore", ...tiny, "--run", "tinym", "--thresholds", "z=1"],
    expect: "error",
    names: /--thresholds.*"z"/,
  },
  {
    id: "2.44",
    group: "2 ignored options",
    title: "data prepare --conditions hour (no such kind)",
    argv: () => ["data", "prepare", "synthetic-tiny", "--conditions", "hour"],
    expect: "error",
    names: /--conditions.*genre, decade, daypart, weekday/,
  },
  {
    id: "2.45",
    group: "2 ignored options",
    title: "data prepare --conditions daypart --time-zone Mars/Olympus",
    argv: () => ["data", "prepare", "synthetic-tiny", "--conditions", "daypart", "--time-zone", "Mars/Olympus"],
    expect: "error",
    names: /--time-zone.*"Mars\/Olympus"/,
  },
  {
    id: "2.46",
    group: "2 ignored options",
    title: "data prepare --conditions decade --time-zone Europe/Rome (a zone means nothing for decades)",
    argv: () => ["data", "prepare", "synthetic-tiny", "--conditions", "decade", "--time-zone", "Europe/Rome"],
    expect: "error",
    names: /--time-zone applies to --conditions daypart or weekday/,
  },
  {
    id: "2.47",
    group: "2 ignored options",
    title: "data prepare --conditions weekday --time-zone Asia/Tokyo --json (its own set; the genre set untouched)",
    setup: (s) => writeFileSync(join(s.root, "genre.md5"), md5(readFileSync(join(processed(s), "dataset.json")))),
    argv: () => ["data", "prepare", "synthetic-tiny", "--conditions", "weekday", "--time-zone", "Asia/Tokyo", "--json"],
    expect: "ok",
    check: (s) => {
      const meta = JSON.parse(readFileSync(join(processed(s, "synthetic-tiny-weekday"), "dataset.json"), "utf8"));
      if (JSON.stringify(meta.conditions) !== JSON.stringify({ kind: "weekday", labels: ["weekday", "weekend"], timeZone: "Asia/Tokyo" }))
        return `conditions ${JSON.stringify(meta.conditions)}`;
      return md5(readFileSync(join(processed(s), "dataset.json"))) === readFileSync(join(s.root, "genre.md5"), "utf8")
        ? null
        : "the genre set synthetic-tiny was rewritten";
    },
  },
  {
    id: "2.48",
    group: "2 ignored options",
    title: "recommend --condition evening on a daypart model (--json)",
    before: () => DAYPART_MODEL,
    argv: (s) => [
      "recommend",
      "--dataset",
      "synthetic-tiny-daypart",
      "--run",
      "tinyd",
      "--user",
      String(testUser(s)),
      "--condition",
      "evening",
      "--json",
    ],
    expect: "ok",
    check: (_s, r) => {
      const out = json(r.stdout);
      const items = out.items as unknown[] | undefined;
      return out.condition === "evening" && out.conditionShare === null && items?.length === 10 ? null : r.stdout.slice(0, 300);
    },
  },
  {
    id: "2.49",
    group: "2 ignored options",
    title: "recommend --condition Drama on a daypart model",
    before: () => DAYPART_MODEL,
    argv: (s) => [
      "recommend",
      "--dataset",
      "synthetic-tiny-daypart",
      "--run",
      "tinyd",
      "--user",
      String(testUser(s)),
      "--condition",
      "Drama",
    ],
    expect: "error",
    names: /unknown daypart "Drama"; dayparts of "synthetic-tiny-daypart": night, morning, afternoon, evening/,
  },
  {
    id: "2.50",
    group: "2 ignored options",
    title: "recommend --condition Comedy --genre Drama",
    argv: () => ["recommend", ...tiny, "--run", "tinym", "--user", "1", "--condition", "Comedy", "--genre", "Drama"],
    expect: "error",
    names: /--condition or --genre, not both/,
  },
  {
    id: "2.51",
    group: "2 ignored options",
    title: "explore a daypart model --json (genre-only claims n/a, the generic ones measured)",
    before: () => DAYPART_MODEL,
    argv: () => ["explore", "--dataset", "synthetic-tiny-daypart", "--run", "tinyd", "--users", "50", "--resamples", "20", "--json"],
    expect: "ok",
    check: (_s, r) => {
      const claims = json(r.stdout).claims as { id: string; rule: string; latent: { value: number | null } }[] | undefined;
      const b = claims?.find((c) => c.id === "b");
      const a = claims?.find((c) => c.id === "a");
      if (!b || !/not applicable: a claim about named genres/.test(b.rule)) return `claim b: ${JSON.stringify(b)}`;
      return a && typeof a.latent.value === "number" ? null : `claim a: ${JSON.stringify(a)}`;
    },
  },
  {
    id: "2.23",
    group: "2 ignored options",
    title: "train on a data set prepared with --heldout 0",
    setup: (s) => {
      cpSync(join(s.data, "raw", "synthetic-tiny"), join(s.work, "tinycopy"), { recursive: true });
    },
    argv: () => ["data", "prepare", "./tinycopy", "--heldout", "0", "--name", "h0"],
    expect: "ok",
    check: (_s, r) => (/no validation users/.test(r.stdout + r.stderr) ? null : "no warning that the set cannot be trained"),
  },
  {
    id: "2.24",
    group: "2 ignored options",
    title: "train on that data set (no validation users)",
    setup: (s) => cpSync(join(s.data, "raw", "synthetic-tiny"), join(s.work, "tinycopy"), { recursive: true }),
    before: () => [["data", "prepare", "./tinycopy", "--heldout", "0", "--name", "h0"]],
    argv: () => ["train", "--dataset", "h0", "--run", "h0run", "--hidden", "16", "--latent", "4", "--epochs", "1", "--workers", "0"],
    expect: "error",
    names: /validation users/,
  },
  {
    id: "2.25",
    group: "2 ignored options",
    title: "data prepare --seed 1.5",
    argv: () => ["data", "prepare", "synthetic-tiny", "--seed", "1.5"],
    expect: "error",
    names: /--seed/,
  },
  {
    id: "2.26",
    group: "2 ignored options",
    title: "data prepare --heldout -2",
    argv: () => ["data", "prepare", "synthetic-tiny", "--heldout=-2"],
    expect: "error",
    names: /--heldout/,
  },
  {
    id: "2.27",
    group: "2 ignored options",
    title: "explore --run <a copied run folder>",
    setup: (s) => cpSync(modelDir(s), modelDir(s, "copy"), { recursive: true }),
    argv: () => ["explore", ...tiny, "--run", "copy", "--users", "50"],
    expect: "ok",
    check: (s) =>
      existsSync(join(modelDir(s, "copy"), "latent-pca.json")) && !existsSync(join(modelDir(s), "latent-pca.json"))
        ? null
        : "the PCA went into another run's folder",
  },
  {
    id: "2.28",
    group: "2 ignored options",
    title: "reproduce --param without =",
    argv: (s) => ["reproduce", join(s.tree, "notebooks", "03-training.ipynb"), "--out", "rep", "--param", "epochs"],
    expect: "error",
    names: /--param/,
  },
  {
    id: "2.29",
    group: "2 ignored options",
    title: "reproduce --cell-timeout -1",
    argv: (s) => ["reproduce", join(s.tree, "notebooks", "01-preprocessing.ipynb"), "--out", "rep", "--cell-timeout=-1"],
    expect: "error",
    names: /--cell-timeout/,
  },
  {
    id: "2.30",
    group: "2 ignored options",
    title: "kernel --name ../x",
    argv: () => ["kernel", "--prefix", "kp", "--name", "../x"],
    expect: "error",
    names: /--name/,
  },
  {
    id: "2.31",
    group: "2 ignored options",
    title: "backend --backend gpu",
    argv: () => ["backend", "--backend", "gpu"],
    expect: "error",
    names: /--backend|backend/,
  },
  {
    id: "2.32",
    group: "2 ignored options",
    title: "data download ml-2m",
    argv: () => ["data", "download", "ml-2m"],
    expect: "error",
    names: /ml-2m/,
  },
  {
    id: "2.33",
    group: "2 ignored options",
    title: "data download --base-url ftp://x",
    argv: () => ["data", "download", "ml-1m", "--base-url", "ftp://x/"],
    expect: "error",
    names: /--base-url/,
  },
  {
    id: "2.34",
    group: "2 ignored options",
    title: "data synth synthetic-huge",
    argv: () => ["data", "synth", "synthetic-huge"],
    expect: "error",
    names: /synthetic-huge/,
  },
  {
    id: "2.35",
    group: "2 ignored options",
    title: "train --config missing.json",
    argv: () => ["train", "--config", "missing.json"],
    expect: "error",
    names: /missing\.json/,
  },
  {
    id: "2.36",
    group: "2 ignored options",
    title: "train --config with invalid JSON",
    setup: (s) => writeFileSync(join(s.work, "broken.json"), "{ epochs: 3 }"),
    argv: () => ["train", "--config", "broken.json"],
    expect: "error",
    names: /broken\.json/,
  },
  {
    id: "2.37",
    group: "2 ignored options",
    title: "train --config with an unknown key",
    setup: (s) => writeFileSync(join(s.work, "typo.json"), JSON.stringify({ epoch: 3 })),
    argv: () => ["train", "--config", "typo.json"],
    expect: "error",
    names: /typo\.json.*epoch|epoch.*typo\.json/,
  },
  {
    id: "2.38",
    group: "2 ignored options",
    title: "notebook 03 with epochs=-1",
    argv: (s) => [
      "reproduce",
      join(s.tree, "notebooks", "03-training.ipynb"),
      "--out",
      "rep",
      "--param",
      "dataset=synthetic-tiny",
      "--param",
      "epochs=-1",
    ],
    expect: "error",
    names: /epochs/,
    timeoutSeconds: 240,
  },
  // Empty or blank values of text flags (issue 23, item 5): once ignored, the default used.
  ...(
    [
      ["2.52", ["train", "--config="], /--config needs a value/],
      ["2.53", ["train", "--dataset", "  "], /--dataset needs a value/],
      ["2.54", ["kernel", "--prefix="], /--prefix needs a value/],
      ["2.55", ["evaluate", ...tiny, "--run="], /--run needs a value/],
      ["2.56", ["reproduce", "notebooks/01-preprocessing.ipynb", "--param", "a=1", "--param="], /--param needs a value/],
    ] as const
  ).map(([id, argv, names]): Case => ({
    id,
    group: "2 ignored options",
    title: `an empty value: ${argv.map((a) => (a.trim() === "" ? JSON.stringify(a) : a)).join(" ")}`,
    argv: () => [...argv],
    expect: "error",
    names,
  })),

  // 3. Stored state that is damaged but still loads
  {
    id: "3.1",
    group: "3 damaged state",
    title: "zeroed bytes in arrays.bin",
    setup: (s) => damage(join(processed(s), "arrays.bin"), 1000, 3000, 0),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /arrays\.bin/,
  },
  {
    id: "3.2",
    group: "3 damaged state",
    title: "random bytes in best.bin",
    setup: (s) => damage(join(modelDir(s), "best.bin"), 400, 4000, "random"),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /best\.bin/,
  },
  {
    id: "3.3",
    group: "3 damaged state",
    title: "zeroed bytes in state.bin",
    setup: (s) => damage(join(modelDir(s), "state.bin"), 0, 8000, 0),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /state\.bin/,
  },
  {
    id: "3.4",
    group: "3 damaged state",
    title: "dataset.json without its summary",
    setup: (s) => editJson(join(processed(s), "dataset.json"), ({ summary: _s, ...rest }) => rest),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /dataset\.json.*summary/,
  },
  {
    id: "3.5",
    group: "3 damaged state",
    title: "dataset.json with an edited summary.items",
    setup: (s) =>
      editJson(join(processed(s), "dataset.json"), (v) => ({ ...v, summary: { ...(v.summary as Record<string, unknown>), items: 7 } })),
    argv: () => ["train", ...tinyModel, "--run", "edited"],
    expect: "error",
    names: /dataset\.json.*items/,
  },
  {
    id: "3.6",
    group: "3 damaged state",
    title: "dataset.json with genres as a string",
    setup: (s) => editJson(join(processed(s), "dataset.json"), (v) => ({ ...v, genres: "Drama" })),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /dataset\.json.*genres/,
  },
  {
    id: "3.7",
    group: "3 damaged state",
    title: "checkpoint.json without its position",
    setup: (s) => editJson(join(modelDir(s), "checkpoint.json"), ({ position: _p, ...rest }) => rest),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /checkpoint\.json.*position/,
  },
  {
    id: "3.8",
    group: "3 damaged state",
    title: 'checkpoint.json with dims.hidden "16"',
    setup: (s) =>
      editJson(join(modelDir(s), "checkpoint.json"), (v) => ({ ...v, dims: { ...(v.dims as Record<string, unknown>), hidden: "16" } })),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /checkpoint\.json.*hidden/,
  },
  {
    id: "3.9",
    group: "3 damaged state",
    title: "checkpoint.json that is not JSON",
    setup: (s) => writeFileSync(join(modelDir(s), "checkpoint.json"), "{ half"),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /checkpoint\.json/,
  },
  {
    id: "3.10",
    group: "3 damaged state",
    title: "evaluate an unfinished (interrupted) model",
    setup: (s) =>
      editJson(join(modelDir(s), "checkpoint.json"), (v) => ({
        ...v,
        position: { ...(v.position as Record<string, unknown>), finished: false },
      })),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "ok",
    check: (_s, r) => (/UNFINISHED/.test(r.stderr) ? null : "no word that the model is unfinished"),
  },
  {
    id: "3.11",
    group: "3 damaged state",
    title: "explore --json on an unfinished model",
    setup: (s) =>
      editJson(join(modelDir(s), "checkpoint.json"), (v) => ({
        ...v,
        position: { ...(v.position as Record<string, unknown>), finished: false },
      })),
    argv: () => ["explore", ...tiny, "--run", "tinym", "--users", "50", "--json"],
    expect: "ok",
    check: (_s, r) =>
      (json(r.stdout).model as { finished?: boolean } | undefined)?.finished === false && /UNFINISHED/.test(r.stderr)
        ? null
        : "no word that the model is unfinished",
  },
  {
    id: "3.31",
    group: "3 damaged state",
    title: "data prepare --conditions daypart on a folder whose ratings.csv has no timestamp column",
    setup: (s) =>
      movieLensFolder(join(s.work, "notimes"), {
        ratings:
          ["userId,movieId,rating", ...Array.from({ length: 40 * 6 }, (_, k) => `${1 + (k % 40)},${1 + (k % 20)},5`)].join("\n") + "\n",
      }),
    argv: () => ["data", "prepare", "./notimes", "--conditions", "daypart"],
    expect: "error",
    names: /notimes\/ratings\.csv: no timestamp column; conditions "daypart"/,
    check: (s) => (existsSync(processed(s, "notimes-daypart")) ? "a data set was written" : null),
  },
  {
    id: "3.32",
    group: "3 damaged state",
    title: "data prepare --conditions weekday on a folder with one unreadable timestamp",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "badtime"));
      const lines = readFileSync(join(dir, "ratings.csv"), "utf8").split("\n");
      lines[9] = lines[9].replace(/,\d+$/, ",yesterday");
      writeFileSync(join(dir, "ratings.csv"), lines.join("\n"));
    },
    argv: () => ["data", "prepare", "./badtime", "--conditions", "weekday"],
    expect: "error",
    names: /badtime\/ratings\.csv line 10: timestamp "yesterday" is not whole seconds/,
    check: (s) => (existsSync(processed(s, "badtime-weekday")) ? "a data set was written" : null),
  },
  {
    id: "3.30",
    group: "3 damaged state",
    title: "explore --seeds 2 where the seed model's folder holds a copy of another run",
    setup: (s) => cpSync(modelDir(s), modelDir(s, "tinym-seed98766"), { recursive: true }),
    argv: () => ["explore", ...tiny, "--run", "tinym", "--users", "50", "--seeds", "2", "--seed-training", "run"],
    expect: "error",
    names: /tinym-seed98766.*seed: 98765 there, 98766 wanted/,
    check: (s) =>
      readFileSync(join(modelDir(s, "tinym-seed98766"), "checkpoint.json"), "utf8") ===
      readFileSync(join(modelDir(s), "checkpoint.json"), "utf8")
        ? null
        : "the copied folder was changed",
  },
  {
    id: "3.12",
    group: "3 damaged state",
    title: "best.bin deleted",
    setup: (s) => rmSync(join(modelDir(s), "best.bin")),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /best\.bin/,
  },
  {
    id: "3.13",
    group: "3 damaged state",
    title: "arrays.bin deleted",
    setup: (s) => rmSync(join(processed(s), "arrays.bin")),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /arrays\.bin/,
  },

  // 4. Script injection
  {
    id: "4.1",
    group: "4 injection",
    title: "data prepare of a folder named x`<img src=x onerror=alert(7)>`",
    setup: (s) => movieLensFolder(join(s.work, "x`<img src=x onerror=alert(7)>`")),
    argv: () => ["data", "prepare", "./x`<img src=x onerror=alert(7)>`", "--json"],
    expect: "ok",
    check: (s) => {
      const names = readdirSync(join(s.data, "processed")).filter((n) => n !== "synthetic-tiny");
      return names.length === 1 && /^[A-Za-z0-9][\w.-]*$/.test(names[0]) ? null : `processed name ${JSON.stringify(names)}`;
    },
  },
  {
    id: "4.2",
    group: "4 injection",
    title: "genre named <img src=x onerror=alert(8)> in movies.csv",
    setup: (s) =>
      movieLensFolder(join(s.work, "hostile-genre"), {
        movies:
          "movieId,title,genres\n" +
          Array.from({ length: 20 }, (_, i) => `${i + 1},M${i} (1999),<img src=x onerror=alert(8)>|Drama`).join("\n") +
          "\n",
      }),
    argv: () => ["data", "prepare", "./hostile-genre", "--json"],
    expect: "ok",
    check: (_s, r) =>
      (json(r.stdout).summary as { conditions?: number } | undefined)?.conditions === 2
        ? null
        : "the hostile genre was not read as a label",
  },

  // 5. Downloads and zips
  {
    id: "5.1",
    group: "5 downloads and zips",
    title: "a zip that unpacks to 60 MB from 60 kB (declared ml-latest-small)",
    serve: zipRoutes(
      buildZip([
        { name: "ml-latest-small/ratings.csv", data: Buffer.alloc(60_000_000, 48) },
        { name: "ml-latest-small/movies.csv", data: "movieId,title,genres\n" },
      ]),
    ),
    argv: (s) => ["data", "download", "ml-latest-small", "--base-url", s.server],
    expect: "error",
    names: /unpacks to/,
    check: (s) => (existsSync(join(s.data, "raw", "ml-latest-small")) ? "the bomb was extracted" : null),
  },
  {
    id: "5.2",
    group: "5 downloads and zips",
    title: "a zip with two entries named ratings.csv",
    serve: zipRoutes(
      buildZip([...ZIP_ENTRIES(), { name: "ml-latest-small/ratings.csv", data: "userId,movieId,rating,timestamp\n1,1,1,1\n" }]),
    ),
    argv: (s) => ["data", "download", "ml-latest-small", "--base-url", s.server],
    expect: "error",
    names: /twice/,
  },
  {
    id: "5.3",
    group: "5 downloads and zips",
    title: "a rerun after a killed download resumes the part with Range",
    serve: zipRoutes(buildZip(ZIP_ENTRIES())),
    setup: (s) => {
      const zip = buildZip(ZIP_ENTRIES());
      writeFileSync(join(s.data, "raw", ".ml-latest-small.zip.part"), zip.subarray(0, 500));
      writeFileSync(
        join(s.data, "raw", ".ml-latest-small.zip.part.json"),
        JSON.stringify({ url: `${s.server}ml-latest-small.zip`, md5: md5(zip) }),
      );
    },
    argv: (s) => ["data", "download", "ml-latest-small", "--base-url", s.server],
    expect: "ok",
    check: (s) => (s.requests.some((r) => r === "GET /ml-latest-small.zip bytes=500-") ? null : `requests: ${s.requests.join("; ")}`),
  },
  {
    id: "5.4",
    group: "5 downloads and zips",
    title: "a killed extraction's temp folder is swept by the next download",
    serve: zipRoutes(buildZip(ZIP_ENTRIES())),
    setup: (s) => {
      mkdirSync(join(s.data, "raw", ".ml-latest-small.tmp-4200000-3"));
      writeFileSync(join(s.data, "raw", ".ml-latest-small.tmp-4200000-3", "ratings.csv"), "x".repeat(10_000));
    },
    argv: (s) => ["data", "download", "ml-latest-small", "--base-url", s.server],
    expect: "ok",
    check: (s) =>
      readdirSync(join(s.data, "raw")).some((f) => f.startsWith(".ml-latest-small.tmp")) ? "the stale temp folder stayed" : null,
  },
  {
    id: "5.5",
    group: "5 downloads and zips",
    title: "a zip entry ../evil.txt",
    serve: zipRoutes(buildZip([...ZIP_ENTRIES(), { name: "../evil.txt", data: "x" }])),
    argv: (s) => ["data", "download", "ml-latest-small", "--base-url", s.server],
    expect: "error",
    names: /evil\.txt/,
  },
  {
    id: "5.6",
    group: "5 downloads and zips",
    title: "a checksum that does not match",
    serve: {
      ...zipRoutes(buildZip(ZIP_ENTRIES())),
      "/ml-latest-small.zip.md5": Buffer.from("MD5 (ml-latest-small.zip) = 00000000000000000000000000000000\n"),
    },
    argv: (s) => ["data", "download", "ml-latest-small", "--base-url", s.server],
    expect: "error",
    names: /md5 mismatch/,
  },

  // 6. Input text
  {
    id: "6.1",
    group: "6 input text",
    title: "one Latin-1 line among UTF-8 titles in movies.csv",
    setup: (s) => {
      const rows = Array.from({ length: 20 }, (_, i) =>
        Buffer.from(`${i + 1},${i === 5 ? "Misérables" : `Amélie ${i}`} (1999),Drama\n`, i === 5 ? "latin1" : "utf8"),
      );
      textCase(s, "latin", { movies: Buffer.concat([Buffer.from("movieId,title,genres\n"), ...rows]) });
    },
    argv: () => ["data", "prepare", "./latin", "--json"],
    expect: "ok",
    check: (s) => {
      const titles = (
        JSON.parse(readFileSync(join(s.data, "processed", "latin", "dataset.json"), "utf8")) as { movies: { titles: string[] } }
      ).movies.titles;
      return titles[0] === "Amélie 0 (1999)" && titles[5] === "Misérables (1999)" ? null : `titles ${titles.slice(0, 6).join(" | ")}`;
    },
  },
  {
    id: "6.2",
    group: "6 input text",
    title: "drama next to Drama in movies.csv",
    setup: (s) =>
      textCase(s, "cases", {
        movies:
          "movieId,title,genres\n" +
          Array.from({ length: 20 }, (_, i) => `${i + 1},M${i} (1999),${i % 2 ? "drama" : "Drama"}|Comedy`).join("\n") +
          "\n",
      }),
    argv: () => ["data", "prepare", "./cases", "--json"],
    expect: "ok",
    check: (_s, r) =>
      (json(r.stdout).summary as { conditions: number }).conditions === 2
        ? null
        : `conditions ${(json(r.stdout).summary as { conditions: number }).conditions}`,
  },
  {
    id: "6.3",
    group: "6 input text",
    title: "ratings.csv and movies.csv with lone-CR line ends",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "cr"));
      for (const f of ["ratings.csv", "movies.csv"]) writeFileSync(join(dir, f), readFileSync(join(dir, f), "utf8").replace(/\n/g, "\r"));
    },
    argv: () => ["data", "prepare", "./cr", "--json"],
    expect: "ok",
    check: (_s, r) => ((json(r.stdout).summary as { rawRatings: number }).rawRatings === 480 ? null : "wrong number of ratings"),
  },
  {
    id: "6.4",
    group: "6 input text",
    title: "a folder named ratings.csv",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "dirfile"));
      rmSync(join(dir, "ratings.csv"));
      mkdirSync(join(dir, "ratings.csv"));
    },
    argv: () => ["data", "prepare", "./dirfile"],
    expect: "error",
    names: /ratings\.csv is a folder/,
  },
  {
    id: "6.5",
    group: "6 input text",
    title: "RFC 4180-quoted numeric fields in ratings.csv",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "quoted"));
      const text = readFileSync(join(dir, "ratings.csv"), "utf8");
      writeFileSync(
        join(dir, "ratings.csv"),
        text
          .split("\n")
          .map((l) =>
            l
              ? l
                  .split(",")
                  .map((f) => `"${f}"`)
                  .join(",")
              : l,
          )
          .join("\n"),
      );
    },
    argv: () => ["data", "prepare", "./quoted", "--json"],
    expect: "ok",
    check: (_s, r) => ((json(r.stdout).summary as { rawRatings: number }).rawRatings === 480 ? null : "wrong number of ratings"),
  },
  {
    id: "6.6",
    group: "6 input text",
    title: "a folder with both the CSV pair and the ML-100K pair",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "both"));
      writeFileSync(join(dir, "u.data"), "1\t1\t5\t1\n");
      writeFileSync(join(dir, "u.item"), "1|Toy Story (1995)|01-Jan-1995||x|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
    },
    argv: () => ["data", "prepare", "./both", "--json"],
    expect: "ok",
    check: (_s, r) =>
      ((json(r.stdout).warnings as string[]) ?? []).some((w) => /using ratings\.csv \+ movies\.csv, ignoring u\.data \+ u\.item/.test(w))
        ? null
        : "no word on which pair is used",
  },
  {
    id: "6.7",
    group: "6 input text",
    title: "an empty ratings.csv",
    setup: (s) => textCase(s, "empty", { ratings: "" }),
    argv: () => ["data", "prepare", "./empty"],
    expect: "error",
    names: /ratings\.csv.*empty/,
  },
  {
    id: "6.8",
    group: "6 input text",
    title: "a rating of 7",
    setup: (s) => textCase(s, "seven", { ratings: "userId,movieId,rating,timestamp\n1,1,5,1\n1,2,7,2\n" }),
    argv: () => ["data", "prepare", "./seven"],
    expect: "error",
    names: /ratings\.csv line 3/,
  },
  {
    id: "6.9",
    group: "6 input text",
    title: "a movieId twice in movies.csv",
    setup: (s) => textCase(s, "twice", { movies: "movieId,title,genres\n1,A (1),Drama\n2,B (2),Drama\n1,C (3),Drama\n" }),
    argv: () => ["data", "prepare", "./twice"],
    expect: "error",
    names: /movies\.csv line 4/,
  },
  {
    id: "6.10",
    group: "6 input text",
    title: "a semicolon-separated ratings.csv",
    setup: (s) => textCase(s, "semi", { ratings: "userId;movieId;rating;timestamp\n1;1;5;1\n" }),
    argv: () => ["data", "prepare", "./semi"],
    expect: "error",
    names: /ratings\.csv line 1.*";"/,
  },
  {
    id: "6.11",
    group: "6 input text",
    title: "ratings.csv with a UTF-8 BOM and CRLF",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "bom"));
      writeFileSync(join(dir, "ratings.csv"), "\ufeff" + readFileSync(join(dir, "ratings.csv"), "utf8").replace(/\n/g, "\r\n"));
    },
    argv: () => ["data", "prepare", "./bom", "--json"],
    expect: "ok",
    check: (_s, r) => ((json(r.stdout).summary as { rawRatings: number }).rawRatings === 480 ? null : "wrong number of ratings"),
  },
  {
    id: "6.12",
    group: "6 input text",
    title: "a ratings.csv without movies.csv",
    setup: (s) => rmSync(join(textCase(s, "half", {}), "movies.csv")),
    argv: () => ["data", "prepare", "./half"],
    expect: "error",
    names: /movies\.csv/,
  },
  {
    id: "6.13",
    group: "6 input text",
    title: "a userId of -5",
    setup: (s) => textCase(s, "neg", { ratings: "userId,movieId,rating,timestamp\n-5,1,5,1\n" }),
    argv: () => ["data", "prepare", "./neg"],
    expect: "error",
    names: /ratings\.csv line 2/,
  },
  {
    id: "6.14",
    group: "6 input text",
    title: "a missing folder",
    argv: () => ["data", "prepare", "./nowhere"],
    expect: "error",
    names: /nowhere/,
  },
  ...RUN_FOLDER_CASES,
  ...DATA_SET_CASES,
  ...INPUT_CASES,
  ...NOTEBOOK_PATH_CASES,
];

/** The cases whose id or group starts with one of CORPUS_ONLY's comma-separated prefixes (all when unset), for running a class. */
export function selectedCases(only = process.env.CORPUS_ONLY ?? ""): Case[] {
  const prefixes = only.split(",").filter((p) => p.trim() !== "");
  if (prefixes.length === 0) return CASES;
  return CASES.filter((c) => prefixes.some((p) => c.id.startsWith(p) || c.group.startsWith(p)));
}

// ---------- running ----------

function runCli(tree: string, s: Sandbox, argv: string[], timeoutSeconds: number): Promise<RunResult & { timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(tree, "bin", "cvae.js"), ...argv], {
      cwd: s.work,
      env: {
        ...process.env,
        CVAE_DATA_DIR: s.data,
        HOME: join(s.root, "home"),
        NO_COLOR: "1",
        CVAE_DEBUG: "",
        JUPYTER_DATA_DIR: join(s.root, "home", "jupyter"),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

async function startServer(c: Case, s: Sandbox): Promise<Server | null> {
  if (!c.serve) return null;
  const routes = c.serve;
  const server = createServer((req, res) => {
    const range = req.headers.range;
    s.requests.push(`GET ${req.url}${range ? ` ${range}` : ""}`);
    const route = routes[req.url ?? ""];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const answer = Buffer.isBuffer(route) ? { status: 200, body: route, headers: {} } : route(range);
    res.writeHead(answer.status, { "content-length": String(answer.body.length), ...(answer.headers ?? {}) }).end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  s.server = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return server;
}

export interface CaseResult {
  id: string;
  group: string;
  title: string;
  outcome: Outcome;
  detail: string;
  seconds: number;
}

/** Builds the data every case starts from (synthetic-tiny processed, a 1-epoch model "tinym") with `tree`'s own CLI. */
export async function prepareBase(tree: string): Promise<string> {
  const root = tempDir("corpus-base-");
  const s: Sandbox = { tree, root, work: join(root, "work"), data: join(root, "work", "data"), server: "", requests: [] };
  mkdirSync(s.data, { recursive: true });
  mkdirSync(join(root, "home"), { recursive: true });
  for (const argv of [
    ["data", "prepare", "synthetic-tiny"],
    ["train", ...tinyModel, "--run", "tinym"],
  ]) {
    const r = await runCli(tree, s, argv, 300);
    if (r.code !== 0) throw new Error(`corpus base: cvae ${argv.join(" ")} failed: ${r.stderr.slice(-2000)}`);
  }
  return s.data;
}

/** Runs one case in a fresh sandbox holding a copy of the base data. */
export async function runCase(tree: string, baseData: string, c: Case): Promise<CaseResult> {
  const root = tempDir(`corpus-${c.id}-`);
  const s: Sandbox = { tree, root, work: join(root, "work"), data: join(root, "work", "data"), server: "", requests: [] };
  mkdirSync(s.work, { recursive: true });
  mkdirSync(join(root, "home"), { recursive: true });
  cpSync(baseData, s.data, { recursive: true });
  writeSentinels(s);
  const started = Date.now();
  const server = await startServer(c, s);
  let outcome: Outcome;
  let detail = "";
  try {
    c.setup?.(s);
    for (const argv of c.before?.(s) ?? []) await runCli(tree, s, argv, 120);
    const r = await runCli(tree, s, c.argv(s), c.timeoutSeconds ?? 120);
    const lines = (r.stderr.trim() || r.stdout.trim()).split("\n").filter((l) => l.trim() !== "");
    const message = lines.find((l) => l.startsWith("cvae ") || l.startsWith("FAILED")) ?? lines[0] ?? "";
    const stack = /\n\s+at .+:\d+:\d+\)?\s*(\n|$)/.test(r.stderr) || r.stderr.length > 6000;
    const touched = sentinelsIntact(s);
    const checked = c.check?.(s, r) ?? null;
    if (r.timedOut) outcome = "timeout";
    else if (touched) [outcome, detail] = ["data touched", touched];
    else if (c.expect === "ok") {
      if (r.code === 0 && checked === null) [outcome, detail] = ["correct", (r.stderr.match(/warning: .*/) ?? [""])[0].slice(0, 160)];
      else if (r.code === 0) [outcome, detail] = ["exit 0, wrong result", checked ?? ""];
      else [outcome, detail] = [r.signal || stack ? "crash" : "unclear error", message.slice(0, 200)];
    } else if (r.code === 0) [outcome, detail] = ["exit 0, wrong result", "no error"];
    else if (r.signal || stack) [outcome, detail] = ["crash", message.slice(0, 200)];
    else if (c.names && !c.names.test(r.stderr + r.stdout)) [outcome, detail] = ["unclear error", message.slice(0, 200)];
    else if (checked !== null) [outcome, detail] = ["exit 0, wrong result", checked];
    else [outcome, detail] = ["clear error", message.slice(0, 200)];
  } catch (err) {
    [outcome, detail] = ["crash", `case setup or check failed: ${err instanceof Error ? err.message : String(err)}`];
  } finally {
    server?.close();
  }
  rmSync(root, { recursive: true, force: true });
  return { id: c.id, group: c.group, title: c.title, outcome, detail, seconds: (Date.now() - started) / 1000 };
}

/** Runs the cases `parallel` at a time, in order of the list. */
export async function runCorpus(tree: string, cases: readonly Case[] = CASES, parallel = 2): Promise<CaseResult[]> {
  const base = await prepareBase(tree);
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < cases.length) {
        const k = next++;
        results[k] = await runCase(tree, base, cases[k]);
      }
    }),
  );
  rmSync(join(base, ".."), { recursive: true, force: true });
  return results;
}
