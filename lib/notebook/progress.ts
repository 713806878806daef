// Training progress in a notebook cell: one status line and the training curves, both
// updated in place (tslab's updatable display).
import { escapeHtml } from "../core/html";
import { trainingCurves } from "../figures/training";
import { OneLineError } from "../core/interrupt";
import type { ProcessedDataset } from "../data/schema";
import type { CvaeModel } from "../model/cvae-model";
import type { EpochRecord } from "../model/history";
import type { TrainCallbacks, TrainResult } from "../train/loop";
import { ensureSeedModels, planSeedRuns, type SeedModel, type SeedTraining } from "../train/seeds";
import {
  batchLine,
  type CheaperHint,
  epochLine,
  formatDuration,
  plural,
  type ProgressRun,
  QUICK_EPOCHS,
  RunClock,
  runEstimate,
  trainingSummary,
} from "../train/progress";
import { LiveDisplay } from "./display";
import { flushDisplays } from "./display-queue";

/** A notebook's hint: the parameter of notebooks 03 and 06 (never a CLI flag). */
export const notebookCheaper: CheaperHint = ({ epochs, secondsPerEpoch }) =>
  epochs > QUICK_EPOCHS
    ? `preset: "quick" in the parameters cell (${QUICK_EPOCHS} epochs, ~${formatDuration(QUICK_EPOCHS * secondsPerEpoch)}, a smoke run)`
    : null;

/** The hint of a seed model (notebooks 04 and 05): their parameters. */
export const seedsCheaper: CheaperHint = ({ epochs, secondsPerEpoch }) =>
  (epochs > QUICK_EPOCHS
    ? `seedTraining: "quick" in the parameters cell (${QUICK_EPOCHS} epochs, ` +
      `~${formatDuration(QUICK_EPOCHS * secondsPerEpoch)} a model), or `
    : "") + "seeds: 1 (this model only, no spread over seeds)";

/**
 * Callbacks that redraw a status line and the curves in the notebook cell. The status shows one
 * ETA: the batch line's while an epoch trains (the last epoch's line above it without one), the
 * epoch line's between epochs. Pass the run's config (not only its epochs) to say "early stopping
 * may end it sooner" when it can; `cheaper` words what is cheaper (default: notebook 03's and
 * 06's `preset` parameter).
 */
export function notebookProgress(
  run: ProgressRun,
  options: { subtitle?: string; cheaper?: CheaperHint | null; now?: () => number } = {},
): TrainCallbacks {
  const epochs = typeof run === "number" ? run : run.epochs;
  const cheaper = options.cheaper === undefined ? notebookCheaper : options.cheaper;
  const now = options.now ?? (() => performance.now());
  const clock = new RunClock(now);
  const status = new LiveDisplay();
  const curves = new LiveDisplay();
  let lastBatch = 0;
  let lastCurves = -Infinity;
  let unshownCurves: readonly EpochRecord[] | null = null;
  let lastEpoch: EpochRecord | null = null;
  const show = (text: string) => status.update({ html: `<pre style="margin:0">${escapeHtml(text)}</pre>`, text });
  return {
    onBatch(p) {
      const eta = { ...p, etaSeconds: clock.batch(p) };
      if (clock.estimateDue(p)) console.log(runEstimate(p, clock.secondsPerBatch(), run, cheaper));
      const t = now();
      if (t - lastBatch < 1000 && p.batch < p.batches) return; // at most one redraw a second
      lastBatch = t;
      show(`${lastEpoch ? `${epochLine(lastEpoch, epochs, null)}\n` : ""}${batchLine(eta)}`);
    },
    onEpoch(r, history, eta) {
      lastEpoch = r;
      show(epochLine(r, epochs, clock.epoch(r, eta)));
      // Epochs of milliseconds (a Mult-VAE on small data) redraw the curves at most once a second; settle draws the last.
      const t = now();
      if (t - lastCurves < 1000 && eta > 0) {
        unshownCurves = history;
        return;
      }
      lastCurves = t;
      unshownCurves = null;
      curves.update(trainingCurves(history, { subtitle: options.subtitle }));
    },
    log: (line) => console.log(line),
    async settle() {
      if (unshownCurves) curves.update(trainingCurves(unshownCurves, { subtitle: options.subtitle }));
      unshownCurves = null;
      await flushDisplays();
    },
  };
}

/**
 * Prints the run's one summary line. After an interrupt the line (checkpoint saved, how to
 * resume) fails the cell instead, shown without a stack trace, so that "Run All" stops here
 * rather than evaluating an unfinished model in the cells below.
 */
export function reportTrainingEnd(result: TrainResult, resumeHint: string): void {
  const line = trainingSummary(result, resumeHint);
  if (result.interrupted) throw new OneLineError(line);
  console.log(line);
}

/**
 * The seed models of notebooks 04 and 05 (`planSeedRuns` + `ensureSeedModels`), training the
 * missing ones with progress in the cell. An interrupt fails the cell with how to continue.
 */
export async function notebookSeedModels(
  ds: ProcessedDataset,
  explored: CvaeModel,
  options: { seeds: number; training: string },
): Promise<SeedModel[]> {
  // A notebook parameter is a plain string; planSeedRuns rejects one that is not a SeedTraining.
  const plans = planSeedRuns(explored.config, { seeds: options.seeds, training: options.training as SeedTraining });
  const { models, interrupted } = await ensureSeedModels(ds, plans, {
    explored,
    callbacks: (plan) => notebookProgress(plan.config, { subtitle: plan.run, cheaper: seedsCheaper }),
    log: (line) => console.log(line),
  });
  if (interrupted)
    throw new OneLineError(trainingSummary(interrupted, "run the cell again: finished seed models are kept, this one continues"));
  const runs = models.map((m) => `${m.run}${m.trainedNow ? " (trained now)" : ""}`);
  console.log(`${plural(models.length, "seed model")}: ${runs.join(", ")}`);
  return models;
}
