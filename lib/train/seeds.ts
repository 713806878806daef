// Models of one configuration trained with different seeds, for the analyses that ask how much
// a result depends on the seed (claims and profiles over seeds). The seeds are the explored
// run's own seed and the next K - 1 integers; each seed model is its own run folder, trained
// when missing, continued when unfinished, and reused when it holds a finished run of the same
// training. The explored run counts as the first seed model when its training is the same.
import type { ProcessedDataset } from "../data/schema";
import { modelDir, type TrainedModelConfig } from "../model/checkpoint";
import { readCheckpointMeta, trainConfigOf } from "./checkpoint";
import { CvaeModel } from "../model/cvae-model";
import { makeTrainConfig, presetOverrides, type TrainConfig } from "./config";
import { type TrainCallbacks, train, type TrainResult } from "./loop";

/** How the seed models train: a preset's schedule over the explored run's config, or exactly the explored run's config. */
export type SeedTraining = "quick" | "paper" | "run";
export const SEED_TRAININGS: readonly SeedTraining[] = ["quick", "paper", "run"];

/** Most seed models one analysis may ask for (each is a training run). */
export const MAX_SEEDS = 50;

export interface SeedPlan {
  seed: number;
  /** The run folder (data/models/<run>/). */
  run: string;
  config: TrainConfig;
  /** The explored run itself (its training is the seed models'). */
  isExplored: boolean;
}

export interface SeedOptions {
  /** How many models, the explored run's seed first (1 = the explored model only). */
  seeds: number;
  training: SeedTraining;
}

/** Config keys that do not change what a run learns (the folder name, the thread count). */
const NOT_TRAINING: (keyof TrainConfig)[] = ["run", "workers"];

/** Whether two configs train the same model (they may differ in run name and threads only). */
export function sameTraining(a: TrainConfig, b: TrainConfig): boolean {
  return (Object.keys(a) as (keyof TrainConfig)[]).every((k) => NOT_TRAINING.includes(k) || JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

function checkOptions(o: SeedOptions): void {
  if (!Number.isInteger(o.seeds) || o.seeds < 1 || o.seeds > MAX_SEEDS)
    throw new RangeError(`seeds must be an integer in [1, ${MAX_SEEDS}], got ${JSON.stringify(o.seeds)}`);
  if (!SEED_TRAININGS.includes(o.training))
    throw new RangeError(`seed training must be one of ${SEED_TRAININGS.join(", ")}, got ${JSON.stringify(o.training)}`);
}

/**
 * The seed models' runs: the explored run's seed and the next seeds, each with its config and folder name.
 * `exploredConfig` is a training config or a trained model's (its checkpoint.json's config, checked here as one).
 */
export function planSeedRuns(exploredConfig: TrainedModelConfig, options: SeedOptions): SeedPlan[] {
  checkOptions(options);
  const explored = trainConfigOf(exploredConfig);
  const { training } = options;
  const schedule = training === "run" ? {} : presetOverrides(training);
  const suffix = training === "run" ? "" : `-${training}`;
  return Array.from({ length: options.seeds }, (_, i) => {
    const seed = (explored.seed + i) % 0x1_0000_0000;
    const config = makeTrainConfig({ ...schedule, seed, run: `${explored.run}${suffix}-seed${seed}` }, explored);
    if (sameTraining(config, explored)) return { seed, run: explored.run, config: explored, isExplored: true };
    return { seed, run: config.run, config, isExplored: false };
  });
}

/** Where a seed model stands: finished (load it), unfinished (continue it) or missing (train it). */
export type SeedRunState = "finished" | "unfinished" | "missing";

/** The state of a seed model's folder; throws, naming the folder, when it holds a run trained otherwise. */
export function seedRunState(plan: SeedPlan): SeedRunState {
  const dir = modelDir(plan.run);
  const stored = readCheckpointMeta(dir, { missingOk: true });
  if (stored === null) return "missing";
  if (!sameTraining(stored.config, plan.config)) {
    const diff = (Object.keys(plan.config) as (keyof TrainConfig)[])
      .filter((k) => !NOT_TRAINING.includes(k) && JSON.stringify(stored.config[k]) !== JSON.stringify(plan.config[k]))
      .map((k) => `${k}: ${JSON.stringify(stored.config[k])} there, ${JSON.stringify(plan.config[k])} wanted`);
    throw new Error(`${dir} holds a run trained otherwise (${diff.join("; ")}); move it away, or choose another seed training`);
  }
  return stored.position.finished ? "finished" : "unfinished";
}

export interface SeedModel {
  seed: number;
  run: string;
  model: CvaeModel;
  /** Trained (or continued) by this call, not loaded. */
  trainedNow: boolean;
}

export interface SeedModels {
  models: SeedModel[];
  /** Set when an interrupt stopped a training: the models before it are in `models`. */
  interrupted: TrainResult | null;
}

export interface EnsureOptions {
  /** The explored model (used as is for its own seed plan). */
  explored: CvaeModel;
  /** Progress callbacks for a training (a new object per run). */
  callbacks?: (plan: SeedPlan, index: number, total: number) => TrainCallbacks;
  /** A line before each training, e.g. to stderr. */
  log?: (line: string) => void;
  /** Stop training on SIGINT (default true, as train does). */
  handleSignals?: boolean;
}

/** The seed models of `plans`: loaded when finished, trained or continued otherwise (the explored one as given). */
export async function ensureSeedModels(ds: ProcessedDataset, plans: readonly SeedPlan[], options: EnsureOptions): Promise<SeedModels> {
  // Check every folder before training anything, so a clash is reported at once, not after an hour.
  const states = plans.map((p) => (p.isExplored ? "finished" : seedRunState(p)));
  const models: SeedModel[] = [];
  const toTrain = states.filter((s) => s !== "finished").length;
  let trained = 0;
  for (const [i, plan] of plans.entries()) {
    if (plan.isExplored) {
      models.push({ seed: plan.seed, run: plan.run, model: options.explored, trainedNow: false });
      continue;
    }
    if (states[i] === "finished") {
      models.push({ seed: plan.seed, run: plan.run, model: CvaeModel.load(plan.run, ds), trainedNow: false });
      continue;
    }
    trained++;
    const how = states[i] === "unfinished" ? "continuing" : "training";
    options.log?.(`${how} seed model ${plan.run} (${trained} of ${toTrain}; ${plan.config.epochs} epochs, seed ${plan.seed})`);
    const result = await train(plan.config, {
      dataset: ds,
      resume: "auto",
      callbacks: options.callbacks?.(plan, trained, toTrain),
      handleSignals: options.handleSignals,
    });
    if (result.interrupted) return { models, interrupted: result };
    models.push({ seed: plan.seed, run: plan.run, model: result.model, trainedNow: true });
  }
  return { models, interrupted: null };
}
