import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  claimBootstrapVerdicts,
  claimIntervals,
  claimIntervalTable,
  claimThresholdTable,
  type IntervalMeasurement,
  intervalText,
  quantileSorted,
  verdictOf,
} from "../../../lib/analysis/claims/intervals";
import { measureClaims } from "../../../lib/analysis/claims/claims";
import { CLAIM_IDS, construct, withShuffledConditions } from "../../helpers/claims-construction";

describe("quantileSorted(sorted, q)", () => {
  it("interpolates linearly between order statistics, as numpy.quantile does", () => {
    // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 1]) = [1, 1.75, 2.5, 4]
    assert.deepEqual(
      [0, 0.25, 0.5, 1].map((q) => quantileSorted([1, 2, 3, 4], q)),
      [1, 1.75, 2.5, 4],
    );
    assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  });
});

describe("intervalText(measurement)", () => {
  const m = (lo: number, hi: number): IntervalMeasurement => ({
    value: lo,
    text: "",
    holds: true,
    interval: [lo, hi],
    holdsShare: 1,
    verdict: "holds",
  });
  it("shows enough decimals for the width to have two significant digits, at least 2 and at most 6", () => {
    assert.equal(intervalText(m(0.32, 0.39)), "[0.320, 0.390]");
    assert.equal(intervalText(m(0.7681, 0.7689)), "[0.76810, 0.76890]");
    assert.equal(intervalText(m(3, 40)), "[3.00, 40.00]");
    assert.equal(intervalText(m(6, 6)), "[6.000, 6.000]");
    assert.equal(intervalText(m(NaN, NaN)), "n/a");
  });
});

describe("verdictOf(holdsShare, level)", () => {
  it("holds at >= 97.5 % of the resamples, does not hold at <= 2.5 %, else inconclusive (95 % level)", () => {
    assert.equal(verdictOf(1, 0.95), "holds");
    assert.equal(verdictOf(0.975, 0.95), "holds");
    assert.equal(verdictOf(0.97, 0.95), "inconclusive");
    assert.equal(verdictOf(0.5, 0.95), "inconclusive");
    assert.equal(verdictOf(0.025, 0.95), "does not hold");
    assert.equal(verdictOf(0, 0.95), "does not hold");
    assert.equal(verdictOf(NaN, 0.95), "not applicable");
  });
});

describe("claimIntervals(input, options) on the planted construction", () => {
  const input = construct();
  const result = claimIntervals(input, { resamples: 100, seed: 1 });

  it("keeps the point values of measureClaims and puts each inside its interval", () => {
    const point = measureClaims(input);
    assert.deepEqual(
      result.rows.map((r) => r.id),
      CLAIM_IDS,
    );
    result.rows.forEach((r, i) => {
      assert.equal(r.latent.value, point.rows[i].latent.value);
      const [lo, hi] = r.latent.interval;
      assert.ok(lo <= r.latent.value + 1e-9 && r.latent.value <= hi + 1e-9, `(${r.id}) ${r.latent.value} in [${lo}, ${hi}]`);
    });
  });

  it("gives every planted claim 'holds' in both spaces, except (f) in the latent space, which resampling shows to be fragile", () => {
    for (const r of result.rows) {
      assert.equal(r.plane.verdict, "holds", `(${r.id}) plane, share ${r.plane.holdsShare}`);
      if (r.id !== "f") assert.equal(r.latent.verdict, "holds", `(${r.id}) latent, share ${r.latent.holdsShare}`);
    }
    // The unconditioned rows are a cross of +-33.5 (antithetic pairs, so their centroid is exactly 0);
    // a resample breaks the pairs and moves that centroid by several map units: (f) holds in about a third.
    const f = result.rows.find((r) => r.id === "f");
    assert.equal(f?.latent.verdict, "inconclusive");
    assert.ok(f && f.latent.holdsShare > 0.1 && f.latent.holdsShare < 0.9, `share ${f?.latent.holdsShare}`);
  });

  it("puts the silhouette's whole interval above its threshold 0.25", () => {
    const a = result.rows.find((r) => r.id === "a");
    assert.ok(a && a.latent.interval[0] > 0.25, `interval ${a?.latent.interval}`);
  });

  it("is seeded: the same seed gives the same intervals, another seed other ones", () => {
    const again = claimIntervals(input, { resamples: 100, seed: 1 });
    const other = claimIntervals(input, { resamples: 100, seed: 2 });
    assert.deepEqual(again.rows, result.rows);
    assert.notDeepEqual(
      other.rows.map((r) => r.latent.interval),
      result.rows.map((r) => r.latent.interval),
    );
  });
});

describe("claimIntervals(input, options) on shuffled and on borderline data", () => {
  it("gives 'does not hold' for the clustering claim when the rows' conditions are shuffled (no structure left)", () => {
    const result = claimIntervals(withShuffledConditions(construct(), 4), { resamples: 100, seed: 1 });
    const a = result.rows.find((r) => r.id === "a");
    assert.equal(a?.latent.verdict, "does not hold");
    assert.ok(a && a.latent.interval[1] < 0.25, `interval ${a?.latent.interval}`);
  });

  it("gives 'inconclusive' where the clustering is at its threshold: noise tuned so the silhouette is near 0.25", () => {
    // By trial on this construction: noise sigma 0.6 puts the latent silhouette at 0.26 (0.5: 0.33, 0.7: 0.21).
    const result = claimIntervals(construct({ sigma: 0.6 }), { resamples: 100, seed: 1 });
    const a = result.rows.find((r) => r.id === "a");
    assert.ok(a && a.latent.interval[0] < 0.25 && a.latent.interval[1] > 0.25, `interval ${a?.latent.interval}`);
    assert.equal(a?.latent.verdict, "inconclusive");
  });
});

describe("claimIntervals(input, options) on a claim that cannot be measured", () => {
  it("gives a claim without a value no verdict ('not applicable', never 'does not hold') and no interval", () => {
    const a = claimIntervals({ ...construct(), silhouetteUsers: 1 }, { resamples: 20, seed: 3 }).rows.find((r) => r.id === "a");
    assert.ok(a);
    for (const m of [a.latent, a.plane]) {
      assert.equal(m.verdict, "not applicable");
      assert.equal(intervalText(m), "n/a");
    }
  });
});

describe("claimIntervals options and table", () => {
  it("rejects too few resamples, a level outside (0, 1) and a bad seed, naming the option", () => {
    const input = construct();
    assert.throws(() => claimIntervals(input, { resamples: 5 }), /resamples must be an integer >= 20, got 5/);
    assert.throws(() => claimIntervals(input, { level: 1 }), /level must be in \(0, 1\), got 1/);
    assert.throws(() => claimIntervals(input, { seed: -1 }), /seed must be a non-negative integer, got -1/);
  });

  it("claimIntervalTable shows the value, the 95 % interval and the verdict for both spaces", () => {
    const table = claimIntervalTable(claimIntervals(construct(), { resamples: 20, seed: 3 }));
    assert.equal(table.length, CLAIM_IDS.length);
    const keys = Object.keys(table[0]);
    assert.ok(keys.includes("95 % interval (latent)") && keys.includes("verdict (plane)"), keys.join(", "));
    assert.match(table[0]["95 % interval (latent)"], /^\[[\d.-]+, [\d.-]+\]$/);
    assert.equal(table[0]["verdict (latent)"], "holds");
  });

  it("claimBootstrapVerdicts flattens the verdicts to claim_<id>_latent_bootstrap and claim_<id>_plane_bootstrap, in claim order", () => {
    const flat = claimBootstrapVerdicts(claimIntervals(construct(), { resamples: 20, seed: 3 }));
    assert.deepEqual(Object.keys(flat).slice(0, 4), [
      "claim_a_latent_bootstrap",
      "claim_a_plane_bootstrap",
      "claim_b_latent_bootstrap",
      "claim_b_plane_bootstrap",
    ]);
    assert.equal(flat.claim_a_latent_bootstrap, "holds");
  });

  it("claimThresholdTable gives each claim its threshold and reason, and marks a changed one with its default", () => {
    const table = claimThresholdTable(claimIntervals({ ...construct(), thresholds: { a: 0.5 } }, { resamples: 20, seed: 3 }));
    assert.equal(table[0].threshold, "0.5 (changed; default 0.25)");
    assert.match(table[0]["why this threshold"], /^the default's reason: Kaufman and Rousseeuw/);
    assert.equal(table[1].threshold, "2");
    assert.doesNotMatch(table[1]["why this threshold"], /default/);
  });
});
