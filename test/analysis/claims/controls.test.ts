import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { claimIntervals } from "../../../lib/analysis/claims/intervals";
import { compareWithControl, controlTable, learnedVerdict, untrainedControl } from "../../../lib/analysis/claims/controls";
import { claimsInputFor, fitLatentPcas } from "../../../lib/analysis/claims/claims";
import { encodeUnderConditions, sampleUsers } from "../../../lib/analysis/latent";
import type { ProcessedDataset } from "../../../lib/data/schema";
import { CvaeModel } from "../../../lib/model/cvae-model";
import { initialParams } from "../../../lib/model/parameters";
import { construct, withShuffledConditions } from "../../helpers/claims-construction";
import { smallDataset, smallModel } from "../../helpers/small-model";

describe("learnedVerdict(trained, control)", () => {
  it("is 'learned' only when the trained model holds and the control does not (or cannot be measured)", () => {
    assert.equal(learnedVerdict("holds", "does not hold"), "learned");
    assert.equal(learnedVerdict("holds", "not applicable"), "learned");
    assert.equal(learnedVerdict("holds", "holds"), "not learned: the untrained model shows it too");
    assert.equal(learnedVerdict("holds", "inconclusive"), "undecided: the control is inconclusive");
    for (const t of ["does not hold", "inconclusive", "not applicable"] as const) assert.equal(learnedVerdict(t, "does not hold"), "—");
  });
});

describe("compareWithControl(trained, control) on constructions", () => {
  const planted = claimIntervals(construct(), { resamples: 30, seed: 1 });

  it("calls the clustering learned when the control's rows carry no structure (conditions shuffled)", () => {
    const control = claimIntervals(withShuffledConditions(construct(), 4), { resamples: 30, seed: 1 });
    const a = compareWithControl(planted, control).find((c) => c.id === "a");
    assert.equal(a?.untrained.latent.verdict, "does not hold");
    assert.equal(a?.learned.latent, "learned");
  });

  it("calls nothing learned when the control shows the same structure", () => {
    const rows = compareWithControl(planted, planted);
    for (const r of rows.filter((x) => x.id !== "f")) assert.equal(r.learned.latent, "not learned: the untrained model shows it too", r.id);
  });

  it("controlTable puts the trained and untrained verdicts and the learned call side by side for both spaces", () => {
    const row = controlTable(planted, planted)[0];
    assert.deepEqual(Object.keys(row), [
      "claim",
      "trained (latent)",
      "untrained (latent)",
      "learned? (latent)",
      "trained (plane)",
      "untrained (plane)",
      "learned? (plane)",
    ]);
    assert.equal(row["trained (latent)"], "holds");
  });
});

describe("untrainedControl(model, ds, users) and CvaeModel.untrainedTwin()", () => {
  let ds: ProcessedDataset;
  let model: CvaeModel;
  before(async () => {
    await tf.setBackend("cpu");
    ds = smallDataset();
    // "Trained" weights: anything but the initial ones.
    model = smallModel(ds, 12345, { seed: 11 });
  });

  it("untrainedTwin has the architecture, vocabulary and seed's initial weights, and says it is untrained", () => {
    const twin = model.untrainedTwin();
    assert.deepEqual(twin.dims, model.dims);
    assert.equal(twin.vocabulary, model.vocabulary);
    assert.deepEqual(twin.params, initialParams(model.layout, 11));
    assert.notDeepEqual(twin.params, model.params);
    assert.deepEqual(twin.training, { epochs: 0, finished: false, bestEpoch: 0 });
  });

  it("on a model still at its initial weights, the control measures exactly what the model itself gives", async () => {
    const atStart = new CvaeModel(model.config, model.dims, initialParams(model.layout, 11), model.vocabulary);
    const users = sampleUsers(ds, { users: 40, seed: 2 });
    const own = await encodeUnderConditions(atStart, ds, users);
    const ownClaims = claimIntervals(claimsInputFor(ds, own, fitLatentPcas(own)), { resamples: 20, seed: 5 });
    const control = await untrainedControl(atStart, ds, users, { resamples: 20, seed: 5 });
    assert.deepEqual(control.rows, ownClaims.rows);
  });
});
