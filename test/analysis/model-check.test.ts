import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { EvaluationResult } from "../../lib/evaluation/evaluate";
import { metricValues } from "../../lib/evaluation/metrics";
import {
  belowPopularityMark,
  checkAgainstPopularity,
  markedCaption,
  popularityCheckOf,
  popularityCheckResults,
} from "../../lib/analysis/model-check";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { nothing, oracle } from "../helpers/rankers";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");
let ds: ProcessedDataset;
before(() => {
  ds = preprocess(readMovieLens(FIXTURE), "ml-small");
});

function result(unconditioned: number, conditioned: number | null, conditionInput = true): EvaluationResult {
  const m = (v: number) => ({ ...metricValues(() => v), rows: 10 });
  return {
    split: "valid",
    conditionKind: "genre",
    unconditioned: m(unconditioned),
    conditioned: conditioned === null ? null : m(conditioned),
    conditionInput,
    perGenre: [],
  };
}

describe("popularityCheckOf(results, method, conditioned)", () => {
  it("passes a C-VAE above popularity under both protocols and names both pairs of numbers", () => {
    const check = popularityCheckOf({ "C-VAE": result(0.3, 0.45), popularity: result(0.2, 0.33) }, "C-VAE", true);
    assert.equal(check.beats, true);
    assert.equal(
      check.text,
      "C-VAE beats popularity on validation users: nDCG@100 0.300 vs 0.200 (unconditioned), 0.450 vs 0.330 (conditioned (genre rows))",
    );
    assert.equal(belowPopularityMark(check), null);
    assert.equal(markedCaption("Claims", check), "Claims");
  });

  it("fails a C-VAE below popularity on the genre rows only (the undertrained real-data case), and marks captions", () => {
    const check = popularityCheckOf({ "C-VAE": result(0.22, 0.251), popularity: result(0.2, 0.327) }, "C-VAE", true);
    assert.equal(check.beats, false);
    assert.deepEqual(
      check.protocols.map((p) => p.beats),
      [true, false],
    );
    assert.match(check.text, /^C-VAE does NOT beat popularity on validation users: .*0\.251 vs 0\.327 \(conditioned \(genre rows\)\)$/);
    assert.equal(markedCaption("Claims", check), "⚠ measured on a model that does not beat popularity on validation (C-VAE). Claims");
    assert.deepEqual(popularityCheckResults(check), { model_beats_popularity: false, model_check: check.text });
  });

  it("judges a Mult-VAE on the unconditioned protocol only (it does not see the condition on genre rows)", () => {
    const check = popularityCheckOf({ "Mult-VAE": result(0.25, 0.1, false), popularity: result(0.2, 0.33) }, "Mult-VAE", false);
    assert.equal(check.beats, true);
    assert.deepEqual(
      check.protocols.map((p) => p.protocol),
      ["unconditioned"],
    );
  });

  it("does not count a tie as beating popularity, and names a method that has no results", () => {
    assert.equal(popularityCheckOf({ m: result(0.2, 0.3), popularity: result(0.2, 0.3) }, "m", true).beats, false);
    assert.throws(() => popularityCheckOf({ popularity: result(0.2, 0.3) }, "C-VAE", true), /no results of "C-VAE"/);
  });
});

describe("checkAgainstPopularity(ds, model)", () => {
  it("evaluates on validation users: a ranker of the targets passes, a ranker of nothing fails", async () => {
    const good = await checkAgainstPopularity(ds, { conditioned: true, rank: oracle });
    assert.equal(good.beats, true, good.text);
    assert.equal(good.protocols.length, 2);
    const bad = await checkAgainstPopularity(ds, { conditioned: true, rank: nothing });
    assert.equal(bad.beats, false);
    assert.ok(
      bad.protocols.every((p) => p.model === 0 && p.popularity > 0),
      bad.text,
    );
  });
});
