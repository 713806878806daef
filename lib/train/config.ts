// One typed config for training, with defaults. Notebooks and the CLI override only what
// differs; unknown keys and impossible values are errors naming the key.
import { isPlainName } from "../core/names";
import { mergeOptions } from "../core/options";
import { type BetaSchedule, PAPER_BETA_SCHEDULE, validateBetaSchedule } from "./schedule";
import { STUDY_SEED } from "../core/rng";

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

export interface TrainConfig {
  /** Processed data set (data/processed/<dataset>/). */
  dataset: string;
  /** Name of the run folder under data/models/. */
  run: string;
  /** C-VAE (true) or Mult-VAE (false: no condition input, zero-condition rows only). */
  conditioned: boolean;
  /** Width of the hidden layers (encoder and decoder). */
  hidden: number;
  /** Latent dimensions (mu and log sigma^2 each). */
  latent: number;
  /** Inverted dropout on the normalised input during training, in [0, 1). */
  dropout: number;
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
  /** Seed of initialisation, dropout, sampling and shuffling. */
  seed: number;
  /**
   * Worker threads besides this one (0 or 1); "auto" = 1 on the blas and wasm backends with 2+ cores, else 0
   * (native TensorFlow threads by itself).
   */
  workers: number | "auto";
}

/** Largest hidden width (and latent size) a config may ask for. */
export const MAX_HIDDEN = 8192;

/**
 * The one default of `cvae train` and notebook 03 (the "paper" preset): the paper's schedule
 * trained to validation convergence on any data: fixed beta 0.008, the full sampler, up to 100
 * epochs, stopping after 10 epochs without a better validation nDCG@100 and keeping the best
 * weights. An epoch count sized for one data set would undertrain another (5 epochs left
 * ml-latest-small below popularity).
 */
export function defaultTrainConfig(): TrainConfig {
  return {
    dataset: "synthetic",
    run: "cvae",
    conditioned: true,
    hidden: 600,
    latent: 200,
    dropout: 0.5,
    sampler: "full",
    subsample: 0.2,
    batchSize: 500,
    lr: 1e-3,
    beta: { ...PAPER_BETA_SCHEDULE },
    epochs: 100,
    patience: 10,
    validateEvery: 1,
    seed: STUDY_SEED,
    workers: "auto",
  };
}

/** `base` (the defaults unless given, e.g. a stored run's config) with `overrides` applied and checked. */
export function makeTrainConfig(overrides: Partial<TrainConfig> = {}, base: TrainConfig = defaultTrainConfig()): TrainConfig {
  // "workers" is a number or "auto" (strings from the command line too), so it is merged by hand.
  const { workers, ...rest } = overrides;
  const merged = mergeOptions({ ...base, beta: { ...base.beta } }, rest, "train config");
  if (workers !== undefined)
    merged.workers = workers === "auto" ? "auto" : typeof workers === "string" && /^\d+$/.test(workers) ? Number(workers) : workers;
  return validateTrainConfig(merged);
}

/** Throws a RangeError naming the first impossible value. */
export function validateTrainConfig(c: TrainConfig): TrainConfig {
  const fail = (key: keyof TrainConfig, what: string): never => {
    throw new RangeError(`train config: ${key} ${what}, got ${JSON.stringify(c[key])}`);
  };
  const positiveInt = (key: "hidden" | "latent" | "batchSize" | "epochs" | "validateEvery", max: number) => {
    if (!Number.isInteger(c[key]) || c[key] < 1) fail(key, "must be a positive integer");
    if (c[key] > max) fail(key, `must be at most ${max}`);
  };
  // Upper bounds far above any sensible run, so a typo cannot ask for unbounded memory or time.
  positiveInt("hidden", MAX_HIDDEN);
  positiveInt("latent", MAX_HIDDEN);
  positiveInt("batchSize", 100_000);
  positiveInt("epochs", 100_000);
  positiveInt("validateEvery", 100_000);
  if (c.latent > c.hidden) fail("latent", `must not exceed hidden (${c.hidden})`);
  if (!(c.dropout >= 0 && c.dropout < 1)) fail("dropout", "must be in [0, 1)");
  if (!(c.lr > 0 && Number.isFinite(c.lr))) fail("lr", "must be a positive number");
  if (!(c.subsample > 0 && c.subsample <= 1)) fail("subsample", "must be in (0, 1]");
  if (!Number.isInteger(c.patience) || c.patience < 0 || c.patience > 100_000) fail("patience", "must be an integer in [0, 100000]");
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) fail("seed", "must be an integer in [0, 2^32)");
  if (!SAMPLERS.includes(c.sampler)) fail("sampler", `must be one of ${SAMPLERS.join(", ")}`);
  if (c.workers !== "auto" && c.workers !== 0 && c.workers !== 1) fail("workers", 'must be "auto", 0 or 1');
  // The run and the data set become folders (data/models/<run>/, data/processed/<dataset>/).
  if (!isPlainName(c.run)) fail("run", "must be a plain folder name (letters, digits, . _ -, starting with a letter or digit; no ..)");
  if (!isPlainName(c.dataset)) fail("dataset", "must name a processed data set (a plain folder name)");
  validateBetaSchedule(c.beta);
  return c;
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
