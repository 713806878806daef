// The model's own settings: its sizes, its input dropout, its seed and whether it takes a
// condition. The training config (lib/train/config.ts) contains these fields and adds the
// schedule; the model's code reads only these.
import { type FieldTable, validateFields } from "../core/fields";
import { STUDY_SEED } from "../core/rng";

export interface ModelConfig {
  /** C-VAE (true) or Mult-VAE (false: no condition input, zero-condition rows only). */
  conditioned: boolean;
  /** Width of the hidden layers (encoder and decoder). */
  hidden: number;
  /** Latent dimensions (mu and log sigma^2 each). */
  latent: number;
  /** Inverted dropout on the normalised input during training, in [0, 1). */
  dropout: number;
  /** Seed of initialisation, dropout, sampling and shuffling. */
  seed: number;
}

/** Largest hidden width (and latent size) a config may ask for: far above any sensible model, so a typo cannot ask for unbounded memory. */
export const MAX_HIDDEN = 8192;

/** The model's fields: each once, with its range, default and the reason for the default. */
export const MODEL_FIELDS: FieldTable<ModelConfig> = {
  conditioned: {
    type: "boolean",
    default: true,
    help: "C-VAE (true) or Mult-VAE without a condition input (false)",
    reason: "the paper's model is the conditioned one",
  },
  hidden: {
    type: "integer",
    default: 600,
    min: 1,
    max: MAX_HIDDEN,
    help: "hidden width (encoder and decoder)",
    reason: "the paper's architecture [m + C => 600 => 200 => 600 => m]",
  },
  latent: {
    type: "integer",
    default: 200,
    min: 1,
    max: MAX_HIDDEN,
    help: "latent size (at most hidden)",
    reason: "the paper's architecture [m + C => 600 => 200 => 600 => m]",
  },
  dropout: {
    type: "number",
    default: 0.5,
    min: 0,
    below: 1,
    help: "input dropout rate",
    reason: "Liang et al.'s Mult-VAE, which the paper keeps",
  },
  seed: {
    type: "integer",
    default: STUDY_SEED,
    min: 0,
    max: 0xffffffff,
    help: "seed of initialisation, dropout, sampling and shuffling",
    reason: "the study's one seed (STUDY_SEED), so every stage draws from the same start",
  },
};

/** Throws a RangeError naming the first impossible value; `context` starts the message. */
export function validateModelConfig<C extends ModelConfig>(c: C, context = "model config"): C {
  validateFields(MODEL_FIELDS, c, context);
  if (c.latent > c.hidden) throw new RangeError(`${context}: latent must not exceed hidden (${c.hidden}), got ${c.latent}`);
  return c;
}

/** The model's fields of a larger config (e.g. a training config). */
export function modelConfigOf(c: ModelConfig): ModelConfig {
  return { conditioned: c.conditioned, hidden: c.hidden, latent: c.latent, dropout: c.dropout, seed: c.seed };
}
