import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { budgetNote, CvaeModel, trainingNote } from "../../lib/model/cvae-model";
import { initialParams, paramLayout } from "../../lib/model/parameters";
import { makeTrainConfig } from "../../lib/train/config";

const dims = { items: 7, conditions: 2, hidden: 4, latentDim: 2 };
const vocabulary = { dataset: "toy", itemMovieIds: [1, 2, 3, 4, 5, 6, 7], genres: ["A", "B"], conditionKind: "genre" as const };

function modelOf(config: { epochs: number; patience: number }, training: { epochs: number; finished: boolean; bestEpoch: number }) {
  const c = makeTrainConfig({ dataset: "toy", run: "toy-run", hidden: 4, latent: 2, ...config });
  return new CvaeModel(c, dims, initialParams(paramLayout(dims), 1), vocabulary, training);
}

describe("budgetNote(model) and trainingNote(model)", () => {
  it("warn when training ended at its epoch budget while validation was still improving (the quick preset's 5 epochs)", () => {
    const quick = modelOf({ epochs: 5, patience: 0 }, { epochs: 5, finished: true, bestEpoch: 5 });
    assert.match(String(budgetNote(quick)), /ended at its epoch budget \(5\) with validation nDCG@100 still improving in its last epoch/);
    const late = modelOf({ epochs: 100, patience: 10 }, { epochs: 100, finished: true, bestEpoch: 97 });
    assert.match(String(budgetNote(late)), /still improving 3 epochs before the end/);
  });

  it("say nothing for a run that early stopping ended, or one whose best epoch lies patience epochs before the budget", () => {
    assert.equal(budgetNote(modelOf({ epochs: 100, patience: 10 }, { epochs: 31, finished: true, bestEpoch: 21 })), null);
    assert.equal(budgetNote(modelOf({ epochs: 100, patience: 10 }, { epochs: 100, finished: true, bestEpoch: 90 })), null);
  });

  it("leave an unfinished run to trainingNote, which names the epochs done and how to finish it", () => {
    const unfinished = modelOf({ epochs: 100, patience: 10 }, { epochs: 4, finished: false, bestEpoch: 4 });
    assert.equal(budgetNote(unfinished), null);
    assert.match(String(trainingNote(unfinished)), /UNFINISHED: 4 of 100 epochs trained.*finish it with `npx cvae train --run toy-run/);
    assert.match(String(trainingNote(unfinished, "finish it in 03-training")), /epoch 4\); finish it in 03-training$/);
  });
});
