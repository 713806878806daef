// `cvae train`, `cvae evaluate`, `cvae recommend`: the model from the command line.
import { readFileSync } from "node:fs";
import { initBackend } from "../model/backend";
import { compareWithPopularity, type EvaluationResult, resultRows } from "../analysis/evaluate";
import { METRICS } from "../analysis/metrics";
import { runName } from "../model/checkpoint";
import { CvaeModel } from "../model/cvae-model";
import { terminalProgress } from "../train/progress";
import { foldInHistory, recommend } from "../analysis/recommend";
import { loadProcessed } from "../data/store";
import { train } from "../train/loop";
import { makeTrainConfig, paperTrainConfig, type Sampler, type TrainConfig } from "../train/config";
import { UsageError, type Command, type FlagValues } from "./args";

function overridesFrom(flags: FlagValues): Partial<TrainConfig> {
  let o: Partial<TrainConfig> = {};
  if (flags.config) o = JSON.parse(readFileSync(String(flags.config), "utf8")) as Partial<TrainConfig>;
  if (flags.paper) o = { ...o, beta: paperTrainConfig().beta };
  const set = <K extends keyof TrainConfig>(key: K, value: unknown) => {
    if (value !== undefined) o[key] = value as TrainConfig[K];
  };
  set("dataset", flags.dataset);
  set("run", flags.run ?? (flags.dataset ? runName(String(flags.dataset)) : undefined));
  set("epochs", flags.epochs);
  set("sampler", flags.sampler as Sampler | undefined);
  set("batchSize", flags["batch-size"]);
  set("lr", flags.lr);
  set("patience", flags.patience);
  set("seed", flags.seed);
  set("hidden", flags.hidden);
  set("latent", flags.latent);
  set("dropout", flags.dropout);
  if (flags.workers !== undefined) o.workers = flags.workers === "auto" ? "auto" : Number(flags.workers);
  if (flags["mult-vae"]) o.conditioned = false;
  if (flags.beta !== undefined) o.beta = { kind: "fixed", value: Number(flags.beta) };
  if (flags["beta-cap"] !== undefined || flags["anneal-steps"] !== undefined) {
    const base = makeTrainConfig().beta;
    o.beta = {
      kind: "anneal",
      cap: Number(flags["beta-cap"] ?? (base.kind === "anneal" ? base.cap : 0.2)),
      steps: Number(flags["anneal-steps"] ?? (base.kind === "anneal" ? base.steps : 200000)),
    };
  }
  return o;
}

function printResults(results: Record<string, EvaluationResult>): void {
  console.log(
    `\n${"method".padEnd(12)} ${"protocol".padEnd(26)} ${METRICS.map((m) => m.label.padStart(10)).join(" ")} ${"rows".padStart(7)}`,
  );
  for (const r of resultRows(results)) {
    console.log(
      `${r.method.padEnd(12)} ${r.protocol.padEnd(26)} ` +
        `${METRICS.map((m) => r[m.key].toFixed(4).padStart(10)).join(" ")} ${String(r.rows).padStart(7)}`,
    );
  }
}

export const modelFlags = {
  dataset: { type: "string", help: "processed data set", default: "synthetic" },
  run: { type: "string", help: "run name: data/models/<run>/ (default cvae-<dataset>, as notebook 03 names it)" },
  json: { type: "boolean", help: "print the results as JSON" },
} as const;

/** The run a command means: --run, else cvae-<dataset> (notebook 03's name). */
export function runOf(flags: FlagValues): string {
  return flags.run ? String(flags.run) : runName(String(flags.dataset));
}

export const trainCommand: Command = {
  name: "train",
  summary: "train a C-VAE (or Mult-VAE) with checkpoints; evaluates on test users at the end",
  usage: "cvae train [--dataset NAME] [--run NAME] [--epochs N] [--sampler full|balanced|one-genre] [--paper] [--restart] ...",
  flags: {
    ...modelFlags,
    epochs: { type: "number", help: "maximum epochs", default: 100 },
    sampler: { type: "string", help: "full | balanced | one-genre", default: "full" },
    "batch-size": { type: "number", help: "rows per update", default: 500 },
    lr: { type: "number", help: "Adam learning rate", default: 0.001 },
    beta: { type: "number", help: "fixed KL weight (instead of annealing)" },
    "beta-cap": { type: "number", help: "annealing cap", default: 0.2 },
    "anneal-steps": { type: "number", help: "updates to reach beta = 1 (capped)", default: 200000 },
    paper: { type: "boolean", help: "the paper's fixed beta 0.008" },
    "mult-vae": { type: "boolean", help: "train Mult-VAE (no conditions)" },
    patience: { type: "number", help: "early-stopping patience in epochs (0 = off)", default: 10 },
    seed: { type: "number", help: "seed", default: 98765 },
    hidden: { type: "number", help: "hidden width", default: 600 },
    latent: { type: "number", help: "latent size", default: 200 },
    dropout: { type: "number", help: "input dropout", default: 0.5 },
    workers: { type: "string", help: "extra worker threads: auto | 0 | 1", default: "auto" },
    config: { type: "string", help: "JSON file with TrainConfig overrides (flags win)" },
    restart: { type: "boolean", help: "start over instead of resuming an unfinished run" },
  },
  async run(positionals, flags) {
    if (positionals.length) throw new UsageError(`cvae train: unexpected argument "${positionals[0]}"`);
    const config = makeTrainConfig(overridesFrom(flags));
    const ds = loadProcessed(config.dataset);
    const result = await train(config, {
      dataset: ds,
      resume: flags.restart ? "never" : "auto",
      callbacks: terminalProgress(config.epochs),
    });
    // With --json, stdout carries only the JSON document.
    (flags.json ? console.error : console.log)(
      `backend ${result.backend.name}, ${result.threads} thread${result.threads > 1 ? "s" : ""}; ${result.history.length} ` +
        `epochs in ${result.seconds.toFixed(1)} s; best epoch ${result.bestEpoch}; checkpoint ${result.dir}`,
    );
    if (result.interrupted) {
      console.error(`interrupted: run \`npx cvae train --run ${config.run} --dataset ${config.dataset}\` again to resume`);
      return 130;
    }
    const results = await compareWithPopularity(ds, "test", result.model);
    if (flags.json)
      console.log(
        JSON.stringify(
          {
            run: config.run,
            dataset: ds.name,
            synthetic: ds.source.synthetic,
            config,
            bestEpoch: result.bestEpoch,
            history: result.history,
            test: results,
          },
          null,
          2,
        ),
      );
    else printResults(results);
    return 0;
  },
};

export const evaluateCommand: Command = {
  name: "evaluate",
  summary: "evaluate a trained model and the popularity baseline on test (or validation) users",
  usage: "cvae evaluate [--run NAME] [--dataset NAME] [--split test|valid] [--json]",
  flags: { ...modelFlags, split: { type: "string", help: "test | valid", default: "test" } },
  async run(positionals, flags) {
    if (positionals.length) throw new UsageError(`cvae evaluate: unexpected argument "${positionals[0]}"`);
    const split = String(flags.split);
    if (split !== "test" && split !== "valid") throw new UsageError(`cvae evaluate: --split must be test or valid, got "${split}"`);
    await initBackend({ log: false });
    const ds = loadProcessed(String(flags.dataset));
    const model = CvaeModel.load(runOf(flags), ds);
    const results = await compareWithPopularity(ds, split, model);
    if (flags.json)
      console.log(JSON.stringify({ run: runOf(flags), dataset: ds.name, synthetic: ds.source.synthetic, split, results }, null, 2));
    else printResults(results);
    return 0;
  },
};

export const recommendCommand: Command = {
  name: "recommend",
  summary: "top-n movies for a held-out user's fold-in history, optionally under a genre",
  usage: "cvae recommend --user ID [--genre GENRE] [--n 10] [--run NAME] [--dataset NAME] [--split test|valid] [--json]",
  flags: {
    ...modelFlags,
    user: { type: "number", help: "a validation or test user id" },
    genre: { type: "string", help: "genre to condition on" },
    n: { type: "number", help: "list length", default: 10 },
    split: { type: "string", help: "test | valid", default: "test" },
  },
  async run(_positionals, flags) {
    if (flags.user === undefined) throw new UsageError("cvae recommend: --user ID is required");
    await initBackend({ log: false });
    const ds = loadProcessed(String(flags.dataset));
    const model = CvaeModel.load(runOf(flags), ds);
    const split = String(flags.split) === "valid" ? "valid" : "test";
    const result = recommend(model, ds, foldInHistory(ds, split, Number(flags.user)), {
      genre: flags.genre as string | undefined,
      n: Number(flags.n),
    });
    if (flags.json) console.log(JSON.stringify(result, null, 2));
    else {
      for (const r of result.items) console.log(`${String(r.rank).padStart(3)}. ${r.title}  [${r.genres.join("|")}]`);
      if (result.genreShare !== null) console.log(`share of the list in ${result.genre}: ${(100 * result.genreShare).toFixed(0)} %`);
    }
    return 0;
  },
};
