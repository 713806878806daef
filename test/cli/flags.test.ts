// Every flag of every command, table-driven: typing the flag changes what the command plans
// to do (the options it hands to lib), and the table covers every flag there is, so a new
// flag without a case fails here. Plans are built without running anything.
import assert from "node:assert/strict";
import { parseThresholds } from "../../lib/cli/analysis";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Command, parseCommandArgs, UsageError } from "../../lib/cli/args";
import { COMMANDS, loadCommand } from "../../lib/cli/main";
import type { TrainPlan } from "../../lib/cli/model";
import { type Field, flagOf } from "../../lib/core/fields";
import { TRAIN_FIELDS, type TrainConfig } from "../../lib/train/config";
import { otherValue } from "../helpers/fields";
import { tempDir } from "../helpers/temp";

process.env.CVAE_DATA_DIR = tempDir("flags-");

async function plan(name: string, argv: string[]): Promise<Record<string, unknown>> {
  const c: Command = loadCommand(name);
  return (await c.plan(parseCommandArgs(c, argv))) as Record<string, unknown>;
}

const configOf = (p: Record<string, unknown>) => (p as unknown as TrainPlan).config;
const valuesOf = (p: Record<string, unknown>) => p.values as Record<string, unknown>;

const configFile = join(process.env.CVAE_DATA_DIR, "config.json");
writeFileSync(
  configFile,
  JSON.stringify({ epochs: 7, hidden: 64, latent: 8, lr: 0.01, sampler: "balanced", beta: { kind: "fixed", value: 0.3 } }),
);

interface Case {
  command: string;
  flag: string;
  argv: string[];
  check(p: Record<string, unknown>): void;
}

const train = (flag: string, argv: string[], check: (c: TrainConfig, p: TrainPlan) => void): Case => ({
  command: "train",
  flag,
  argv,
  check: (p) => check(configOf(p), p as unknown as TrainPlan),
});

const CASES: Case[] = [
  {
    command: "reproduce",
    flag: "param",
    argv: ["--param", "seed=7", "--param", "03-training:epochs=2"],
    check: (p) => assert.deepEqual(p.params, ["seed=7", "03-training:epochs=2"]),
  },
  { command: "reproduce", flag: "out", argv: ["--out", "/tmp/r-out"], check: (p) => assert.equal(p.outDir, "/tmp/r-out") },
  { command: "reproduce", flag: "cell-timeout", argv: ["--cell-timeout", "90"], check: (p) => assert.equal(p.cellTimeoutSeconds, 90) },
  {
    command: "data synth",
    flag: "force",
    argv: ["synthetic-tiny", "--force"],
    check: (p) => assert.deepEqual(p, { preset: "synthetic-tiny", force: true }),
  },
  { command: "data download", flag: "force", argv: ["ml-1m", "--force"], check: (p) => assert.equal(p.force, true) },
  {
    command: "data download",
    flag: "base-url",
    argv: ["ml-1m", "--base-url", "http://mirror.example/ml/"],
    check: (p) => assert.equal(p.baseUrl, "http://mirror.example/ml/"),
  },
  { command: "data prepare", flag: "heldout", argv: ["--heldout", "50"], check: (p) => assert.equal(p.heldout, 50) },
  { command: "data prepare", flag: "seed", argv: ["--seed", "3"], check: (p) => assert.equal(p.seed, 3) },
  { command: "data prepare", flag: "name", argv: ["--name", "mine"], check: (p) => assert.equal(p.name, "mine") },
  { command: "data prepare", flag: "json", argv: ["--json"], check: (p) => assert.equal(p.json, true) },
  { command: "data prepare", flag: "replace", argv: ["--replace"], check: (p) => assert.equal(p.replace, true) },
  {
    command: "data prepare",
    flag: "conditions",
    argv: ["--conditions", "daypart"],
    check: (p) => assert.deepEqual([p.conditions, p.timeZone], ["daypart", null]),
  },
  {
    command: "data prepare",
    flag: "time-zone",
    argv: ["--conditions", "weekday", "--time-zone", "Asia/Kolkata"],
    check: (p) => assert.deepEqual([p.conditions, p.timeZone], ["weekday", "Asia/Kolkata"]),
  },
  train("dataset", ["--dataset", "ml-1m"], (c) => assert.deepEqual([c.dataset, c.run], ["ml-1m", "cvae-ml-1m"])),
  train("run", ["--run", "r2"], (c) => assert.equal(c.run, "r2")),
  train("json", ["--json"], (_c, p) => assert.equal(p.json, true)),
  train("epochs", ["--epochs", "3"], (c) => assert.equal(c.epochs, 3)),
  train("sampler", ["--sampler", "one-genre"], (c) => assert.equal(c.sampler, "one-genre")),
  train("batch-size", ["--batch-size", "64"], (c) => assert.equal(c.batchSize, 64)),
  train("lr", ["--lr", "0.005"], (c) => assert.equal(c.lr, 0.005)),
  train("beta", ["--beta", "0.5"], (c) => assert.deepEqual(c.beta, { kind: "fixed", value: 0.5 })),
  train("beta-cap", ["--beta-cap", "0.4"], (c) => assert.deepEqual(c.beta, { kind: "anneal", cap: 0.4, steps: 200_000 })),
  train("anneal-steps", ["--anneal-steps", "1000"], (c) => assert.deepEqual(c.beta, { kind: "anneal", cap: 0.2, steps: 1000 })),
  train("preset", ["--preset", "quick"], (c) => assert.deepEqual([c.epochs, c.patience], [5, 0])),
  train("mult-vae", ["--mult-vae"], (c) => assert.equal(c.conditioned, false)),
  train("patience", ["--patience", "0"], (c) => assert.equal(c.patience, 0)),
  train("seed", ["--seed", "11"], (c) => assert.equal(c.seed, 11)),
  train("hidden", ["--hidden", "256"], (c) => assert.equal(c.hidden, 256)),
  train("latent", ["--latent", "16"], (c) => assert.equal(c.latent, 16)),
  train("dropout", ["--dropout", "0.2"], (c) => assert.equal(c.dropout, 0.2)),
  train("workers", ["--workers", "0"], (c) => assert.equal(c.workers, 0)),
  train("config", ["--config", configFile], (c) => {
    // Every key of the file is used, none replaced by a default (the bug this table was written for).
    assert.deepEqual([c.epochs, c.hidden, c.latent, c.lr, c.sampler, c.beta], [7, 64, 8, 0.01, "balanced", { kind: "fixed", value: 0.3 }]);
  }),
  train("restart", ["--restart"], (_c, p) => assert.equal(p.resume, "never")),
  { command: "evaluate", flag: "dataset", argv: ["--dataset", "ml-1m"], check: (p) => assert.equal(valuesOf(p).dataset, "ml-1m") },
  { command: "evaluate", flag: "run", argv: ["--run", "r2"], check: (p) => assert.equal(valuesOf(p).run, "r2") },
  { command: "evaluate", flag: "json", argv: ["--json"], check: (p) => assert.equal(valuesOf(p).json, true) },
  { command: "evaluate", flag: "split", argv: ["--split", "valid"], check: (p) => assert.equal(p.split, "valid") },
  { command: "recommend", flag: "user", argv: ["--user", "42"], check: (p) => assert.equal(p.user, 42) },
  { command: "recommend", flag: "genre", argv: ["--user", "1", "--genre", "Drama"], check: (p) => assert.equal(p.genre, "Drama") },
  {
    command: "recommend",
    flag: "condition",
    argv: ["--user", "1", "--condition", "evening"],
    check: (p) => assert.deepEqual([p.condition, p.genre], ["evening", undefined]),
  },
  { command: "recommend", flag: "n", argv: ["--user", "1", "--n", "5"], check: (p) => assert.equal(p.n, 5) },
  { command: "recommend", flag: "split", argv: ["--user", "1", "--split", "valid"], check: (p) => assert.equal(p.split, "valid") },
  {
    command: "recommend",
    flag: "dataset",
    argv: ["--user", "1", "--dataset", "ml-1m"],
    check: (p) => assert.equal(valuesOf(p).dataset, "ml-1m"),
  },
  { command: "recommend", flag: "run", argv: ["--user", "1", "--run", "r2"], check: (p) => assert.equal(valuesOf(p).run, "r2") },
  { command: "recommend", flag: "json", argv: ["--user", "1", "--json"], check: (p) => assert.equal(valuesOf(p).json, true) },
  ...["explore", "profile"].flatMap((name): Case[] => [
    { command: name, flag: "dataset", argv: ["--dataset", "ml-1m"], check: (p) => assert.equal(p.dataset, "ml-1m") },
    { command: name, flag: "run", argv: ["--run", "r2"], check: (p) => assert.equal(p.run, "r2") },
    { command: name, flag: "json", argv: ["--json"], check: (p) => assert.equal(p.json, true) },
    { command: name, flag: "users", argv: ["--users", "300"], check: (p) => assert.equal(p.users, 300) },
    { command: name, flag: "seed", argv: ["--seed", "5"], check: (p) => assert.equal(p.seed, 5) },
    { command: name, flag: "seeds", argv: ["--seeds", "3"], check: (p) => assert.equal(p.seeds, 3) },
    { command: name, flag: "seed-training", argv: ["--seed-training", "quick"], check: (p) => assert.equal(p["seed-training"], "quick") },
  ]),
  { command: "profile", flag: "user", argv: ["--user", "77"], check: (p) => assert.equal(p.user, 77) },
  { command: "explore", flag: "resamples", argv: ["--resamples", "50"], check: (p) => assert.equal(p.resamples, 50) },
  { command: "explore", flag: "level", argv: ["--level", "0.9"], check: (p) => assert.equal(p.level, 0.9) },
  { command: "explore", flag: "control", argv: ["--control", "none"], check: (p) => assert.equal(p.control, "none") },
  { command: "explore", flag: "thresholds", argv: ["--thresholds", "a=0.5"], check: (p) => assert.equal(p.thresholds, "a=0.5") },
  { command: "explore", flag: "permutations", argv: ["--permutations", "50"], check: (p) => assert.equal(p.permutations, 50) },
  { command: "notebooks clean", flag: "check", argv: ["--check"], check: (p) => assert.equal(p.check, true) },
  { command: "kernel", flag: "project", argv: ["--project"], check: (p) => assert.equal(p.location, "project") },
  {
    command: "kernel",
    flag: "prefix",
    argv: ["--prefix", "/tmp/k"],
    check: (p) => assert.deepEqual([p.location, p.prefix], ["prefix", "/tmp/k"]),
  },
  { command: "kernel", flag: "name", argv: ["--name", "ts2"], check: (p) => assert.equal(p.name, "ts2") },
  { command: "backend", flag: "json", argv: ["--json"], check: (p) => assert.equal(p.json, true) },
  { command: "backend", flag: "backend", argv: ["--backend", "cpu"], check: (p) => assert.equal(p.backend, "cpu") },
];

// A training setting added to TRAIN_FIELDS gets its case from its row: its flag must set its key to a value
// other than the default (a hand-written case above wins).
for (const [key, field] of Object.entries(TRAIN_FIELDS) as [keyof TrainConfig, Field][]) {
  const flag = flagOf(key, field);
  if (flag === null || CASES.some((c) => c.command === "train" && c.flag === flag)) continue;
  const text = otherValue(field);
  CASES.push(train(flag, [`--${flag}`, text], (c) => assert.equal(String(c[key]), text, `--${flag} ${text} sets ${key}`)));
}

describe("every flag of every command changes what the command plans", () => {
  it("the table has a case for every flag of every command", () => {
    const commands = COMMANDS.map((c) => c.load());
    const missing = commands.flatMap((c) =>
      Object.keys(c.flags)
        .filter((f) => !CASES.some((k) => k.command === c.name && k.flag === f))
        .map((f) => `${c.name} --${f}`),
    );
    assert.deepEqual(missing, []);
  });

  for (const c of CASES) {
    it(`cvae ${c.command} ${c.argv.join(" ")}`, async () => {
      const base = c.command === "recommend" && !c.argv.includes("--user") ? ["--user", "1"] : [];
      const p = await plan(c.command, [...base, ...c.argv]);
      c.check(p);
      // Without the flag the plan differs (the flag did something), unless the case sets a value equal to the default.
      const without = await plan(
        c.command,
        c.command === "recommend"
          ? ["--user", "1"]
          : c.command.startsWith("data synth")
            ? ["synthetic-tiny"]
            : c.command === "data download"
              ? ["ml-1m"]
              : [],
      );
      assert.notDeepEqual(JSON.stringify(p), JSON.stringify(without), "the flag changed the plan");
    });
  }
});

describe("train's config precedence: typed flags > --config file > an unfinished run's stored config > defaults", () => {
  it("a typed flag wins over the config file, and the file over the defaults", async () => {
    const c = configOf(await plan("train", ["--config", configFile, "--epochs", "2"]));
    assert.deepEqual([c.epochs, c.hidden, c.lr], [2, 64, 0.01]);
  });

  it("a fixed beta and annealing flags exclude each other", async () => {
    await assert.rejects(plan("train", ["--beta", "0.1", "--beta-cap", "0.3"]), /exclude each other/);
  });

  it("--preset goes over the defaults, and the config file and typed flags over the preset", async () => {
    const c = configOf(await plan("train", ["--preset", "quick", "--config", configFile]));
    assert.deepEqual([c.epochs, c.patience, c.hidden], [7, 0, 64], "epochs and hidden from the file, patience from the preset");
    assert.equal(configOf(await plan("train", ["--preset", "quick", "--patience", "3"])).patience, 3);
    await assert.rejects(plan("train", ["--preset", "fast"]), /--preset/);
  });

  it("a bad config file is an error naming the file", async () => {
    const bad = join(process.env.CVAE_DATA_DIR as string, "bad.json");
    writeFileSync(bad, "{ epochs: 3 }");
    await assert.rejects(plan("train", ["--config", bad]), new RegExp(`--config ${bad}: not valid JSON`));
    writeFileSync(bad, JSON.stringify({ epoch: 3 }));
    await assert.rejects(plan("train", ["--config", bad]), new RegExp(`--config ${bad}: train config: unknown key "epoch"`));
    await assert.rejects(plan("train", ["--config", join(tmpdir(), "nope-cvae.json")]), /no such file/);
  });

  it("a folder, /dev/zero or a FIFO as --config is a usage error naming the flag and what was expected, without reading it", async () => {
    const dir = join(process.env.CVAE_DATA_DIR as string, "some-dir");
    mkdirSync(dir, { recursive: true });
    const fifo = join(process.env.CVAE_DATA_DIR as string, "config.fifo");
    execFileSync("mkfifo", [fifo]);
    const usage = (message: string) => (err: unknown) => err instanceof UsageError && err.message === message;
    await assert.rejects(
      plan("train", ["--config", dir]),
      usage(`cvae train: --config ${dir}: is a folder, expected a JSON file of config keys`),
    );
    await assert.rejects(
      plan("train", ["--config", "/dev/zero"]),
      usage("cvae train: --config /dev/zero: is a character device, expected a JSON file of config keys; it was not read"),
    );
    await assert.rejects(plan("train", ["--config", fifo]), /--config .*config\.fifo: is a named pipe \(FIFO\)/);
  });
});

describe("cvae reproduce --out", () => {
  it("is a usage error naming the flag when it is a file, before any notebook runs", async () => {
    const file = join(tempDir("out-"), "reports");
    writeFileSync(file, "x");
    await assert.rejects(
      plan("reproduce", ["--out", file]),
      (err) =>
        err instanceof UsageError &&
        err.message === `cvae reproduce: --out ${file}: is a file, expected a folder for the executed notebooks`,
    );
  });
});

describe("cvae explore --thresholds", () => {
  it("reads claim=number pairs (commas, spaces, signs, exponents)", () => {
    assert.deepEqual(parseThresholds("a=0.5, d=-0.2,g1=1e-1"), { a: 0.5, d: -0.2, g1: 0.1 });
    assert.deepEqual(parseThresholds(""), {});
  });

  it("rejects a malformed pair or an unknown claim, naming --thresholds, at plan time", async () => {
    assert.throws(() => parseThresholds("a:0.5"), /--thresholds takes claim=number pairs .* got "a:0\.5"/);
    assert.throws(() => parseThresholds("a=0x10"), /--thresholds takes claim=number pairs/);
    assert.throws(() => parseThresholds("z=1"), /--thresholds: thresholds: unknown claim "z"; claims: a, b/);
    await assert.rejects(plan("explore", ["--thresholds", "a=abc"]), /--thresholds/);
  });
});
