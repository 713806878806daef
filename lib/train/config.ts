// One typed config for training, with defaults. Notebooks and the CLI override only what
// differs; unknown keys and impossible values are errors naming the key.
import { defaultsOf, type FieldFlags, type FieldTable, validateFields } from "../core/fields";
import { mergeOptions } from "../core/options";
import { MODEL_FIELDS, type ModelConfig, validateModelConfig } from "../model/config";
import { type BetaSchedule, BETA_FLAGS, betaProblem, PAPER_BETA_SCHEDULE, parseBeta } from "./schedule";

/**
 * Which (user, condition) rows an epoch trains on:
 * - "full": every user once with the zero condition and once per genre they watched
 *   (Σ (c_u + 1) rows; the C-VAE training set);
 * - "balanced": the C-VAE paper's sampler: all zero-condition rows plus, per genre,
 *   int(total genre rows * subsample / C) rows drawn with replacement from users who
 *   have it (drawn once per run, as in rectorch);
 * - "one-genre": every user with the zero condition and with one genre drawn anew each
 *   epoch (2 rows per user: the fast mode).
 */
export type Sampler = "full" | "balanced" | "one-genre";
export const SAMPLERS: readonly Sampler[] = ["full", "balanced", "one-genre"];

export interface TrainConfig extends ModelConfig {
  /** Processed data set (data/processed/<dataset>/). */
  dataset: string;
  /** Name of the run folder under data/models/. */
  run: string;
  sampler: Sampler;
  /** Share of the genre rows the "balanced" sampler draws. */
  subsample: number;
  /** Rows per optimiser update. */
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  beta: BetaSchedule;
  /** Upper bound on epochs. */
  epochs: number;
  /** Stop after this many epochs without a better validation nDCG@100 (0 = never), keeping the best weights. */
  patience: number;
  /** Validate every this many epochs. */
  validateEvery: number;
  /**
   * Worker threads besides this one (0 or 1); "auto" = 1 on the blas and wasm backends with 2+ cores, else 0
   * (native TensorFlow threads by itself).
   */
  workers: number | "auto";
}

/** The CLI says "Mult-VAE" rather than "conditioned false". */
const MULT_VAE_FLAG: FieldFlags<boolean> = {
  flags: {
    "mult-vae": { type: "boolean", default: false, help: "train Mult-VAE (no conditions)", reason: "the paper's model is the C-VAE" },
  },
  read: (given) => (given["mult-vae"] ? false : undefined),
};

/**
 * Every training setting once: type, range, default, help and the reason for the default. The defaults are
 * the "paper" preset: the paper's schedule trained to validation convergence on any data (fixed beta 0.008,
 * the full sampler, up to 100 epochs, stopping after 10 epochs without a better validation nDCG@100 and
 * keeping the best weights). An epoch count sized for one data set would undertrain another (5 epochs left
 * ml-latest-small below popularity). The CLI's flags, --config files, notebook 03's parameters and --param
 * overrides all read this table; the order is the order of stored configs.
 */
export const TRAIN_FIELDS: FieldTable<TrainConfig> = {
  dataset: {
    type: "name",
    nameKind: "data set",
    default: "synthetic",
    flag: false, // the model commands' shared --dataset, which also takes the folder a set was prepared from
    help: "processed data set (data/processed/<dataset>/)",
    reason: "the synthetic set runs anywhere; MovieLens must be downloaded",
  },
  run: {
    type: "name",
    nameKind: "run",
    default: "cvae",
    flag: false, // the model commands' shared --run, whose default derives from the data set
    help: "run folder under data/models/",
    reason: "notebook 03 names runs cvae-<dataset>",
  },
  conditioned: { ...MODEL_FIELDS.conditioned, flags: MULT_VAE_FLAG },
  hidden: MODEL_FIELDS.hidden,
  latent: MODEL_FIELDS.latent,
  dropout: MODEL_FIELDS.dropout,
  sampler: {
    type: "choice",
    choices: SAMPLERS,
    default: "full",
    help: "rows per epoch: full (every user x condition), balanced (the C-VAE paper's sampler) or one-genre (fast)",
    reason: "the C-VAE training set: every (user, condition) pair and the unconditioned row",
  },
  subsample: {
    type: "number",
    default: 0.2,
    above: 0,
    max: 1,
    help: "share of the condition rows the balanced sampler draws",
    reason: "20 % of the condition rows, as in the PyTorch reference the benches compare with",
  },
  batchSize: {
    type: "integer",
    default: 500,
    min: 1,
    max: 100_000,
    help: "rows per optimiser update",
    reason: "Liang et al. 2018's Mult-VAE, which the paper builds on",
  },
  lr: {
    type: "number",
    default: 1e-3,
    above: 0,
    max: 10,
    help: "Adam learning rate",
    reason: "Adam's usual rate, as in Liang et al. 2018",
  },
  beta: {
    type: "json",
    default: { ...PAPER_BETA_SCHEDULE },
    check: (b) => betaProblem(b),
    parse: parseBeta,
    flags: BETA_FLAGS,
    help: 'KL weight: a number (fixed) or {"kind":"anneal","cap":0.2,"steps":200000}',
    reason: "the paper's best beta, 0.008, fixed (Carraro et al. 2020, section 3)",
  },
  epochs: {
    type: "integer",
    default: 100,
    min: 1,
    max: 100_000,
    help: "maximum epochs",
    reason: "the paper trains 100 epochs; early stopping ends most runs sooner",
  },
  patience: {
    type: "integer",
    default: 10,
    min: 0,
    max: 100_000,
    help: "early-stopping patience in epochs (0 = off); the best weights are kept",
    reason: "the paper stops after 10 epochs without a better validation metric: trains to convergence on any data",
  },
  validateEvery: {
    type: "integer",
    default: 1,
    min: 1,
    max: 100_000,
    help: "validate every this many epochs",
    reason: "early stopping needs the validation nDCG@100 of every epoch",
  },
  seed: MODEL_FIELDS.seed,
  workers: {
    type: "choice",
    choices: ["auto", 0, 1],
    default: "auto",
    help: 'extra worker threads: "auto" (1 on blas and wasm with 2+ cores), 0 or 1',
    reason: "uses a second core on the CPU backends; native TensorFlow threads by itself",
  },
};

/** The one default of `cvae train` and notebook 03 (the "paper" preset): TRAIN_FIELDS' defaults. */
export function defaultTrainConfig(): TrainConfig {
  return defaultsOf(TRAIN_FIELDS);
}

/** `base` (the defaults unless given, e.g. a stored run's config) with `overrides` applied and checked. */
export function makeTrainConfig(overrides: Partial<TrainConfig> = {}, base: TrainConfig = defaultTrainConfig()): TrainConfig {
  // "workers" is a number or "auto" (strings from the command line too), so it is merged by hand.
  const { workers, beta, ...rest } = overrides;
  // A number is a fixed beta, as the field's help says (a --config file or a notebook's override may give one).
  const schedule: BetaSchedule | undefined = typeof beta === "number" ? { kind: "fixed", value: beta } : beta;
  const merged = mergeOptions({ ...base, beta: { ...base.beta } }, { ...rest, beta: schedule }, "train config");
  if (workers !== undefined)
    merged.workers = workers === "auto" ? "auto" : typeof workers === "string" && /^\d+$/.test(workers) ? Number(workers) : workers;
  return validateTrainConfig(merged);
}

/** Throws a RangeError naming the first impossible value. */
export function validateTrainConfig(c: TrainConfig): TrainConfig {
  validateFields(TRAIN_FIELDS, c, "train config");
  return validateModelConfig(c, "train config");
}

/**
 * Named training schedules, and what each is for:
 * - "paper" (the default): the paper's schedule trained to convergence: up to 100 epochs,
 *   stopping after 10 epochs without a better validation nDCG@100 (the best weights are
 *   kept), beta = 0.008, the full sampler. For results and claims, on any data.
 * - "quick": 5 epochs, no early stopping: a smoke run that checks the pipeline end to end
 *   (about 80 s on the default synthetic data on this 2-core machine's blas backend). It
 *   undertrains most data (real MovieLens included); notebooks say when a model does not
 *   beat popularity on validation and mark what they measure on it.
 */
export type TrainPreset = "paper" | "quick";
export const TRAIN_PRESETS: readonly TrainPreset[] = ["paper", "quick"];

/** What each preset is for, in one line (parameter hints, \`cvae train --help\`). */
export const PRESET_PURPOSES: Record<TrainPreset, string> = {
  paper: "trains to validation convergence (up to 100 epochs, early stopping after 10): for results",
  quick: "5 epochs: a smoke run of the pipeline, undertrained on most data; not for claims",
};

/** The keys a preset sets (its schedule), to apply over the defaults or over another run's config. */
export function presetOverrides(preset: string): Partial<TrainConfig> {
  switch (preset) {
    case "quick":
      return { epochs: 5, patience: 0, sampler: "full", beta: { ...PAPER_BETA_SCHEDULE } };
    case "paper":
      return { epochs: 100, patience: 10, sampler: "full", beta: { ...PAPER_BETA_SCHEDULE } };
    default:
      throw new Error(`unknown training preset "${preset}"; presets: ${TRAIN_PRESETS.join(", ")}`);
  }
}

export function presetConfig(preset: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return makeTrainConfig({ ...presetOverrides(preset), ...overrides });
}
