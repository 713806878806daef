// `cvae train`, `cvae evaluate`, `cvae recommend`: the model from the command line.
// Training configs are built with a fixed precedence: flags the user typed > the --config
// file > the stored config of the run being continued or restarted > defaultTrainConfig().
import { readFileSync } from "node:fs";
import { requireRegularFile } from "../core/fs";
import { compareWithPopularity, type EvaluationResult, perConditionRows, resultRows } from "../evaluation/evaluate";
import { conditionNoun } from "../data/conditions/conditions";
import type { ConditionKind } from "../data/schema";
import { METRICS } from "../evaluation/metrics";
import { foldInHistory, recommend } from "../analysis/recommend";
import { processedNameOf } from "../data/datasets";
import { loadProcessed } from "../data/store";
import { describeBackend, initBackend } from "../model/backend";
import { modelDir, runName } from "../model/checkpoint";
import { readCheckpointMeta, type StoredCheckpoint } from "../train/checkpoint";
import { CvaeModel, trainingNote } from "../model/cvae-model";
import { fromFlags } from "../core/fields";
import {
  defaultTrainConfig,
  makeTrainConfig,
  PRESET_PURPOSES,
  presetOverrides,
  TRAIN_FIELDS,
  TRAIN_PRESETS,
  type TrainConfig,
} from "../train/config";
import { train } from "../train/loop";
import { stagingDir } from "../train/replace";
import { terminalProgress, trainingSummary } from "../train/progress";
import { defineCommand, flagsOfFields, type FlagValues, noPositionals, type ParsedArgs, UsageError, type ValuesOf } from "./args";

function printResults(results: Record<string, EvaluationResult>): void {
  console.log(
    `\n${"method".padEnd(12)} ${"protocol".padEnd(30)} ${METRICS.map((m) => m.label.padStart(10)).join(" ")} ${"rows".padStart(7)}`,
  );
  for (const r of resultRows(results)) {
    const values = METRICS.map((m) => r[m.key].toFixed(4).padStart(10)).join(" ");
    console.log(`${r.method.padEnd(12)} ${r.protocol.padEnd(30)} ${values} ${String(r.rows).padStart(7)}`);
  }
}

export const modelFlags = {
  dataset: { type: "string", help: "processed data set, or the folder it was prepared from", default: "synthetic" },
  run: { type: "string", help: "run name: data/models/<run>/", defaultText: "cvae-<dataset>, as notebook 03 names it", names: "run" },
  json: { type: "boolean", help: "print the results as JSON" },
} as const;

/** The run a command means: --run, else cvae-<dataset> (notebook 03's name). */
export function runOf(values: ValuesOf<typeof modelFlags>): string {
  return values.run ?? runName(processedNameOf(values.dataset));
}

/** A trained model for evaluation or analysis; a warning on stderr when its training is unfinished. */
export function loadModelFor(
  command: string,
  values: ValuesOf<typeof modelFlags>,
): { ds: ReturnType<typeof loadProcessed>; model: CvaeModel } {
  const ds = loadProcessed(processedNameOf(values.dataset));
  const model = CvaeModel.load(runOf(values), ds);
  const note = trainingNote(model);
  if (note) console.error(`cvae ${command}: warning: ${note}`);
  return { ds, model };
}

/** A --config file: a JSON object of TrainConfig keys; errors name the file. */
export function readConfigFile(path: string): Partial<TrainConfig> {
  requireRegularFile(path, "a JSON file of config keys", `cvae train: --config ${path}`, (message) => new UsageError(message));
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `cvae train: --config ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(err)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`cvae train: --config ${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new UsageError(`cvae train: --config ${path}: must hold a JSON object of config keys`);
  try {
    makeTrainConfig(value as Partial<TrainConfig>); // names an unknown key or a bad value
  } catch (err) {
    throw new UsageError(`cvae train: --config ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return value as Partial<TrainConfig>;
}

/** The TrainConfig keys the flags the user typed set, read through TRAIN_FIELDS (beta flags resolved against `base`). */
export function flagOverrides(given: FlagValues, base: TrainConfig): Partial<TrainConfig> {
  try {
    return fromFlags(TRAIN_FIELDS, given, base);
  } catch (err) {
    throw new UsageError(`cvae train: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface TrainPlan {
  config: TrainConfig;
  resume: "auto" | "never";
  json: boolean;
  /** The run whose stored config this builds on: continued when unfinished, restarted with --restart (a finished one stays otherwise). */
  stored: { run: string; epochsDone: number; finished: boolean } | null;
  /** Why a --restart builds on the defaults although the run's folder holds something (no readable checkpoint). */
  note: string | null;
}

/**
 * The checkpoint whose config a training of `run` builds on: a retraining waiting in the staging folder,
 * else the run's own; null when there is none. Without --restart a damaged one is an error naming the file
 * (the run is never trained over); a restart replaces it and builds on the defaults, saying so.
 */
function storedRunOf(run: string, restart: boolean): { meta: StoredCheckpoint | null; note: string | null } {
  if (!restart)
    return {
      meta: readCheckpointMeta(stagingDir(run), { missingOk: true }) ?? readCheckpointMeta(modelDir(run), { missingOk: true }),
      note: null,
    };
  try {
    return { meta: readCheckpointMeta(modelDir(run), { missingOk: true }), note: null };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      meta: null,
      note: `the run's stored config is unreadable, so --restart trains from the defaults and the flags given (${why})`,
    };
  }
}

/** cvae train's flags: the model commands' shared ones, the preset, every training setting (TRAIN_FIELDS) and the run's handling. */
const trainFlags = {
  ...modelFlags,
  preset: {
    type: "string",
    help: `training schedule: ${TRAIN_PRESETS.map((p) => `${p}: ${PRESET_PURPOSES[p]}`).join("; ")}`,
    choices: TRAIN_PRESETS,
    defaultText: "paper",
  },
  // Every training setting's flag, range, help and default: lib/train/config.ts's TRAIN_FIELDS.
  ...flagsOfFields(TRAIN_FIELDS),
  config: { type: "string", help: "JSON file with TrainConfig keys (flags you type win over it)" },
  restart: {
    type: "boolean",
    help: "start over; a finished run's model is replaced only when the new training finishes (until then: data/models/.<run>.next/)",
  },
} as const;

/** The config a `cvae train` runs with: typed flags > --config file > an unfinished run's stored config > defaults. */
export function planTraining({ positionals, given }: ParsedArgs<typeof trainFlags>): TrainPlan {
  noPositionals("train", positionals);
  const file = given.config ? readConfigFile(given.config) : {};
  const typed = given.dataset ?? file.dataset;
  const typedDataset = typed === undefined ? undefined : processedNameOf(String(typed));
  const run = String(given.run ?? file.run ?? runName(String(typedDataset ?? defaultTrainConfig().dataset)));
  const restart = given.restart === true;
  // A resume or a restart runs the run as it was configured (its data set too), whatever the defaults are now;
  // a finished run given the same settings is then reported as finished, not as weights of another size.
  // An unfinished retraining of a finished run waits in the staging folder (lib/train/replace.ts).
  const { meta: stored, note } = storedRunOf(run, restart);
  const base = stored ? stored.config : defaultTrainConfig();
  const dataset = String(typedDataset ?? base.dataset);
  // The data set is resolved above (a folder means its processed name), so the raw flag must not override it.
  // A preset's schedule goes over the base; a --config file and typed flags go over it.
  const preset = given.preset === undefined ? {} : presetOverrides(given.preset);
  const config = makeTrainConfig({ ...preset, ...file, dataset, run, ...flagOverrides(given, base) }, base);
  return {
    config,
    resume: restart ? "never" : "auto",
    json: given.json === true,
    stored: stored ? { run, epochsDone: stored.position.epoch, finished: stored.position.finished } : null,
    note,
  };
}

export const trainCommand = defineCommand({
  name: "train",
  usage: "cvae train [--dataset NAME] [--run NAME] [--preset paper|quick] [--epochs N] [--sampler full|balanced|one-genre] [--restart] ...",
  flags: trainFlags,
  plan: planTraining,
  async execute(plan) {
    const { config } = plan;
    const say = plan.json ? console.error : console.log; // with --json, stdout carries only the JSON document
    const { stored } = plan;
    if (plan.note) console.error(`cvae train: note: ${plan.note}`);
    if (stored && plan.resume === "never") say(`restarting the run ${config.run} from its stored config (flags given override it)`);
    else if (stored && !stored.finished)
      say(`continuing the unfinished run ${config.run} with its stored config (${stored.epochsDone} epochs done)`);
    const ds = loadProcessed(config.dataset);
    say(describeBackend(await initBackend({ log: false }))); // which backend and, on webgpu, which adapter trains
    const result = await train(config, { dataset: ds, resume: plan.resume, callbacks: terminalProgress(config) });
    if (result.interrupted) {
      const hint = `run \`npx cvae train --run ${config.run} --dataset ${config.dataset}\` again (it continues the stored config)`;
      console.error(trainingSummary(result, hint));
      return 130;
    }
    say(`${trainingSummary(result, "")}; checkpoint ${result.dir}`);
    const results = await compareWithPopularity(ds, "test", result.model);
    if (plan.json) {
      const out = {
        run: config.run,
        dataset: ds.name,
        synthetic: ds.source.synthetic,
        config,
        bestEpoch: result.bestEpoch,
        history: result.history,
        test: results,
      };
      console.log(JSON.stringify(out, null, 2));
    } else printResults(results);
    return 0;
  },
});

const splitFlag = { type: "string", help: "held-out users to use", choices: ["test", "valid"], default: "test" } as const;

export interface EvaluatePlan {
  values: ValuesOf<typeof modelFlags>;
  split: "valid" | "test";
}

export const evaluateCommand = defineCommand({
  name: "evaluate",
  usage: "cvae evaluate [--run NAME] [--dataset NAME] [--split test|valid] [--json]",
  flags: { ...modelFlags, split: splitFlag },
  plan({ positionals, values }): EvaluatePlan {
    noPositionals("evaluate", positionals);
    return { values, split: values.split };
  },
  async execute({ values, split }) {
    // The data set and the run first: a wrong name fails at once, before the backend loads (tfjs: ~1 s).
    const { ds, model } = loadModelFor("evaluate", values);
    await initBackend({ log: false });
    const results = await compareWithPopularity(ds, split, model);
    if (values.json) {
      const out = { run: runOf(values), dataset: ds.name, synthetic: ds.source.synthetic, model: model.status(), split, results };
      console.log(JSON.stringify(out, null, 2));
    } else {
      printResults(results);
      printPerCondition(results, ds.conditions.kind);
    }
    return 0;
  },
});

/** Conditioned nDCG@100 per condition, each method side by side (the per-condition rows of the conditioned protocol). */
function printPerCondition(results: Record<string, EvaluationResult>, kind: ConditionKind): void {
  const rows = perConditionRows(results);
  if (rows.length === 0) return;
  const methods = Object.keys(rows[0]).filter((k) => k !== "genre" && k !== "rows");
  console.log(`
per ${conditionNoun(kind)} (conditioned rows)`);
  console.log(`${conditionNoun(kind).padEnd(22)} ${"rows".padStart(6)} ${methods.map((m) => m.padStart(22)).join(" ")}`);
  for (const r of rows)
    console.log(
      `${String(r.genre).padEnd(22)} ${String(r.rows).padStart(6)} ${methods.map((m) => Number(r[m]).toFixed(4).padStart(22)).join(" ")}`,
    );
}

export interface RecommendPlan {
  values: ValuesOf<typeof modelFlags>;
  user: number;
  split: "valid" | "test";
  genre: string | undefined;
  condition: string | undefined;
  n: number;
}

export const recommendCommand = defineCommand({
  name: "recommend",
  usage:
    "cvae recommend --user ID [--condition LABEL | --genre GENRE] [--n 10] [--run NAME] [--dataset NAME] [--split test|valid] [--json]",
  flags: {
    ...modelFlags,
    user: { type: "integer", help: "a validation or test user id (required)", min: 0 },
    condition: { type: "string", help: "condition to recommend under: a label of the data set's kind (Drama, 1990s, evening, weekend)" },
    genre: { type: "string", help: "genre to condition on (data sets conditioned on genres; the same as --condition)" },
    n: { type: "integer", help: "list length", default: 10, min: 1, max: 10_000 },
    split: splitFlag,
  },
  plan({ positionals, values }): RecommendPlan {
    noPositionals("recommend", positionals);
    if (values.user === undefined) throw new UsageError("cvae recommend: --user ID is required");
    if (values.genre !== undefined && values.condition !== undefined)
      throw new UsageError("cvae recommend: give --condition or --genre, not both");
    return {
      values,
      user: values.user,
      split: values.split,
      genre: values.genre,
      condition: values.condition,
      n: values.n,
    };
  },
  async execute({ values, user, split, genre, condition, n }) {
    // The data set and the run first: a wrong name fails at once, before the backend loads (tfjs: ~1 s).
    const { ds, model } = loadModelFor("recommend", values);
    await initBackend({ log: false });
    const history = foldInHistory(ds, split, user);
    const result = await recommend(model, ds, history, { genre, condition, n });
    if (values.json) console.log(JSON.stringify({ model: model.status(), user, split, ...result }, null, 2));
    else {
      const under = result.condition === null ? ", no condition" : ` under ${conditionNoun(ds.conditions.kind)} ${result.condition}`;
      console.log(
        `top ${result.items.length} for user ${user} of the ${split} split ` +
          `(fold-in history: ${history.length} movies)${under}, by ${runOf(values)}`,
      );
      for (const r of result.items) console.log(`${String(r.rank).padStart(3)}. ${r.title}  [${r.genres.join("|")}]`);
      if (result.conditionShare !== null)
        console.log(`share of the list in ${result.condition}: ${(100 * result.conditionShare).toFixed(0)} %`);
    }
    return 0;
  },
});
