// One typed config for training, with defaults. Notebooks and the CLI override only what
// differs; unknown keys and impossible values are errors naming the key.
import { isPlainName } from "../core/names";
import { mergeOptions } from "../core/options";
import { type BetaSchedule, DEFAULT_BETA_SCHEDULE, PAPER_BETA_SCHEDULE, validateBetaSchedule } from "./schedule";

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
    beta: { ...DEFAULT_BETA_SCHEDULE },
    epochs: 100,
    patience: 10,
    validateEvery: 1,
    seed: 98765,
    workers: "auto",
  };
}

/** The paper's settings: fixed beta 0.008 (its best), 100 epochs, early stopping after 10. */
export function paperTrainConfig(): TrainConfig {
  return { ...defaultTrainConfig(), beta: { ...PAPER_BETA_SCHEDULE } };
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
 * Named starting points:
 * - "quick": 5 epochs of the full sampler with the paper's beta; on the build machine (2
 *   cores) it trains on the default synthetic data in about 80 s on blas (2.5 minutes on
 *   wasm), inside the 5-minute budget of `npm run reproduce`;
 * - "paper": the paper's settings: up to 100 epochs, early stopping after 10 epochs
 *   without a better validation nDCG@100, beta = 0.008, the full sampler.
 */
export type TrainPreset = "quick" | "paper";
export const TRAIN_PRESETS: readonly TrainPreset[] = ["quick", "paper"];

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
