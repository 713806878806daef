// Training progress in a notebook cell: one status line and the training curves, both
// updated in place (tslab's updatable display).
import { escapeHtml } from "../core/html";
import { trainingCurves } from "../figures/training";
import { OneLineError } from "../core/interrupt";
import type { ProcessedDataset } from "../data/schema";
import type { CvaeModel } from "../model/cvae-model";
import type { TrainCallbacks, TrainResult } from "../train/loop";
import { ensureSeedModels, planSeedRuns, type SeedModel, type SeedTraining } from "../train/seeds";
import { batchLine, epochLine, plural, runEstimate, trainingSummary } from "../train/progress";
import { LiveDisplay } from "./display";

/** Callbacks that redraw a status line and the curves in the notebook cell. */
export function notebookProgress(epochs: number, options: { subtitle?: string } = {}): TrainCallbacks {
  const status = new LiveDisplay();
  const curves = new LiveDisplay();
  let lastBatch = 0;
  let lastEpoch = "";
  const show = (text: string) => status.update({ html: `<pre style="margin:0">${escapeHtml(text)}</pre>`, text });
  return {
    onBatch(p) {
      const estimate = runEstimate(p);
      if (estimate) console.log(estimate);
      const now = performance.now();
      if (now - lastBatch < 1000 && p.batch < p.batches) return; // at most one redraw a second
      lastBatch = now;
      show(`${lastEpoch ? `${lastEpoch}\n` : ""}${batchLine(p)}`);
    },
    onEpoch(r, history, eta) {
      lastEpoch = epochLine(r, epochs, eta);
      show(lastEpoch);
      curves.update(trainingCurves(history, { subtitle: options.subtitle }));
    },
    log: (line) => console.log(line),
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
    callbacks: (plan) => notebookProgress(plan.config.epochs, { subtitle: plan.run }),
    log: (line) => console.log(line),
  });
  if (interrupted)
    throw new OneLineError(trainingSummary(interrupted, "run the cell again: finished seed models are kept, this one continues"));
  const runs = models.map((m) => `${m.run}${m.trainedNow ? " (trained now)" : ""}`);
  console.log(`${plural(models.length, "seed model")}: ${runs.join(", ")}`);
  return models;
}
