// Notebook 03's Mult-VAE at the C-VAE's budget: plan the run at the same number of updates
// (lib/train/budget.ts), reuse it when its folder holds a finished run of that plan, continue
// it when unfinished, else train it, with the notebook's progress display.
import type { ProcessedDataset } from "../data/schema";
import { modelDir } from "../model/checkpoint";
import { readCheckpointMeta } from "../train/checkpoint";
import { CvaeModel } from "../model/cvae-model";
import { type BudgetRun, equalUpdatesPlan } from "../train/budget";
import { train, type TrainResult } from "../train/loop";
import { sameTraining } from "../train/seeds";
import { notebookProgress, reportTrainingEnd } from "./progress";

export type EqualBudgetRun = BudgetRun & { model: CvaeModel; reused: boolean };

/**
 * A Mult-VAE trained with the reference C-VAE run's number of updates in run folder `run`;
 * null (with a line saying why) when the reference is a Mult-VAE already.
 */
export async function notebookEqualBudgetRun(
  ds: ProcessedDataset,
  reference: TrainResult,
  options: { run: string; subtitle?: string },
): Promise<EqualBudgetRun | null> {
  if (!reference.model.conditioned) {
    console.log("the run is a Mult-VAE already: no second one to compare");
    return null;
  }
  const plan = equalUpdatesPlan(ds, reference, { conditioned: false, run: options.run });
  const c = plan.config;
  console.log(
    `Mult-VAE at the C-VAE's ${plan.updates} updates: up to ${c.epochs} epochs of ${plan.rows} rows ` +
      `(the C-VAE: ${reference.history.length} epochs of ${plan.referenceRows} rows), validated every ${c.validateEvery} epochs, ` +
      `early stopping after ${c.patience} validations without a better nDCG@100`,
  );
  const stored = readCheckpointMeta(modelDir(c.run), { missingOk: true });
  const same = stored !== null && sameTraining(stored.config, c);
  if (stored && same && stored.position.finished) {
    const model = CvaeModel.load(c.run, ds);
    console.log(`reusing the finished Mult-VAE of this budget in ${model.dir}`);
    const seconds = stored.history.reduce((a, r) => a + r.seconds, 0);
    return {
      method: "Mult-VAE",
      config: stored.config,
      history: stored.history,
      bestEpoch: stored.position.bestEpoch,
      seconds,
      model,
      reused: true,
    };
  }
  const result = await train(c, {
    dataset: ds,
    resume: same ? "auto" : "never",
    callbacks: notebookProgress(c, {
      subtitle: `Mult-VAE at equal updates; ${options.subtitle ?? ds.name}`,
      cheaper: () => "multVae: false in the parameters cell (skips this comparison)",
    }),
  });
  reportTrainingEnd(result, "run this cell again: it continues the Mult-VAE where it stopped");
  return { method: "Mult-VAE", ...result, model: result.model, reused: false };
}
