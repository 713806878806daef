import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { claimIntervals } from "../../lib/analysis/claims/intervals";
import { claimsInputFor, fitLatentPcas } from "../../lib/analysis/claims/claims";
import { encodeUnderConditions, sampleUsers } from "../../lib/analysis/latent";
import { agreementWithHistory, profileSpace, watchedShares } from "../../lib/analysis/profile";
import {
  agreementOverSeeds,
  claimsOverSeeds,
  seedAgreement,
  seedAgreementTable,
  seedClaimMetrics,
  seedClaims,
  seedClaimTable,
  spreadOf,
  spreadText,
} from "../../lib/analysis/seeds";
import type { ProcessedDataset } from "../../lib/data/schema";
import { CvaeModel } from "../../lib/model/cvae-model";
import { construct, withShuffledConditions } from "../helpers/claims-construction";
import { smallDataset, smallModel } from "../helpers/small-model";

describe("spreadOf(values) and spreadText(spread)", () => {
  it("gives mean, sample sd (n - 1), min and max: [1, 2, 3, 4] -> 2.5, sqrt(5/3)", () => {
    const s = spreadOf([4, 1, 3, 2]);
    assert.deepEqual([s.n, s.mean, s.min, s.max], [4, 2.5, 1, 4]);
    assert.ok(Math.abs(s.sd - Math.sqrt(5 / 3)) < 1e-12);
    assert.equal(spreadText(s), "2.500 ± 1.291 (1.000..4.000)");
  });

  it("limit cases: identical values have sd 0, one value has no sd, non-finite values are left out, none is n/a", () => {
    assert.equal(spreadOf([0.3, 0.3, 0.3]).sd, 0);
    assert.ok(Number.isNaN(spreadOf([0.3]).sd));
    assert.equal(spreadText(spreadOf([0.3])), "0.300 (0.300..0.300)");
    assert.deepEqual(spreadOf([1, NaN, 3, Infinity]).n, 2);
    assert.equal(spreadOf([1, NaN, 3]).mean, 2);
    assert.equal(spreadText(spreadOf([NaN])), "n/a");
  });
});

describe("claimsOverSeeds(per-seed claims)", () => {
  // Two "seed models" with a known answer: the planted construction (every claim holds) and the
  // same rows with their conditions shuffled (the clustering claim (a) does not hold).
  const planted = claimIntervals(construct(), { resamples: 40, seed: 1 });
  const shuffled = claimIntervals(withShuffledConditions(construct(), 4), { resamples: 40, seed: 1 });
  const over = claimsOverSeeds([
    { seed: 1, run: "r1", claims: planted, control: shuffled },
    { seed: 2, run: "r2", claims: planted, control: planted },
    { seed: 3, run: "r3", claims: shuffled, control: shuffled },
  ]);
  const a = over.find((c) => c.id === "a");

  it("counts in how many seed models a claim holds, by point value and by bootstrap verdict", () => {
    assert.equal(a?.latent.seeds, 3);
    assert.equal(a?.latent.holdsIn, 2);
    assert.deepEqual(a?.latent.verdicts, { holds: 2, "does not hold": 1, inconclusive: 0 });
    assert.deepEqual(
      a?.latent.perSeed.map((p) => [p.seed, p.run, p.verdict]),
      [
        [1, "r1", "holds"],
        [2, "r2", "holds"],
        [3, "r3", "does not hold"],
      ],
    );
  });

  it("counts a claim learned only in the seed models whose own untrained control does not show it", () => {
    assert.equal(a?.latent.learnedIn, 1);
    assert.deepEqual(
      a?.latent.perSeed.map((p) => p.learned),
      ["learned", "not learned: the untrained model shows it too", "—"],
    );
    const noControl = claimsOverSeeds([{ seed: 1, run: "r1", claims: planted, control: null }]);
    assert.equal(noControl[0].latent.learnedIn, null);
    assert.equal(noControl[0].latent.perSeed[0].learned, null);
  });

  it("gives the spread of the value over the seed models", () => {
    const values = [planted.rows[0].latent.value, planted.rows[0].latent.value, shuffled.rows[0].latent.value];
    const s = a?.latent.value;
    assert.ok(s && Math.abs(s.mean - (values[0] * 2 + values[2]) / 3) < 1e-12);
    assert.deepEqual([s?.min, s?.max], [Math.min(...values), Math.max(...values)]);
  });

  it("seedClaimTable and seedClaimMetrics show those counts", () => {
    const row = seedClaimTable(over, "latent")[0];
    assert.equal(row["holds (point value)"], "2 of 3");
    assert.equal(row["bootstrap: holds / not / inconclusive"], "2 / 1 / 0");
    assert.equal(row.learned, "1 of 3");
    assert.equal(row["per seed"], "1: holds; 2: holds; 3: does not hold");
    const m = seedClaimMetrics(over);
    assert.equal(m.claim_a_latent_seeds_holding, 2);
    assert.equal(m.claim_a_latent_seeds_learned, 1);
    assert.equal(m.claim_seeds, 3);
  });

  it("rejects an empty list", () => {
    assert.throws(() => claimsOverSeeds([]), /no seed models/);
  });
});

describe("seedClaims and seedAgreement on a model", () => {
  let ds: ProcessedDataset;
  let model: CvaeModel;
  let users: Int32Array;
  before(async () => {
    await tf.setBackend("cpu");
    ds = smallDataset();
    model = smallModel(ds, 12345, { run: "m", seed: 11 });
    users = sampleUsers(ds, { users: 40, seed: 2 });
  });

  it("seedClaims measures what explore measures for the model (same users, same options), with its untrained twin", async () => {
    const latents = await encodeUnderConditions(model, ds, users);
    const direct = claimIntervals(claimsInputFor(ds, latents, fitLatentPcas(latents)), { resamples: 20, seed: 5 });
    const r = await seedClaims(model, ds, users, { resamples: 20, seed: 5 });
    assert.deepEqual([r.seed, r.run], [11, "m"]);
    assert.deepEqual(r.claims.rows, direct.rows);
    assert.ok(r.control);
    assert.notDeepEqual(r.control.rows, direct.rows, "the control is the untrained twin, not the model");
    assert.equal((await seedClaims(model, ds, users, { resamples: 20, seed: 5, control: false })).control, null);
  });

  it("seedAgreement is notebook 05's agreement for the model; agreementOverSeeds counts the wins over popularity", async () => {
    const latents = await encodeUnderConditions(model, ds, users);
    const direct = agreementWithHistory(ds, profileSpace(latents), latents, watchedShares(ds, users));
    const one = await seedAgreement(model, ds, users);
    assert.deepEqual(one, { seed: 11, run: "m", ...direct });
    const over = agreementOverSeeds([
      { ...one, overlapAt3: 0.6, popularityOverlapAt3: 0.5 },
      { ...one, seed: 12, run: "m2", overlapAt3: 0.4, popularityOverlapAt3: 0.5 },
    ]);
    assert.deepEqual([over.seeds, over.beatsPopularityIn, over.popularityOverlapAt3], [2, 1, 0.5]);
    assert.ok(Math.abs(over.overlapAt3.mean - 0.5) < 1e-12);
    const table = seedAgreementTable(over);
    assert.equal(table.length, 3);
    assert.match(table[2]["overlap@3"], /^0\.500 ± 0\.141 \(0\.400\.\.0\.600\); beats popularity in 1 of 2$/);
    assert.throws(() => agreementOverSeeds([]), /no seed models/);
  });
});
