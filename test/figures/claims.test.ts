import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimIntervals } from "../../lib/analysis/claim-intervals";
import { claimForest, claimSeedForest, VERDICT_COLORS } from "../../lib/figures/claims";
import { construct, withShuffledConditions } from "../helpers/claims-construction";

describe("claimForest(trained, control, options)", () => {
  const trained = claimIntervals(construct(), { resamples: 20, seed: 1 });

  it("draws one panel per claim with a value, each with the trained bar and, given a control, the untrained one", () => {
    const fig = claimForest(trained, trained, { space: "latent" });
    const n = trained.rows.length;
    assert.equal(fig.data.length, 2 * n);
    assert.deepEqual(
      fig.data.filter((t) => t.y && (t.y as string[])[0] === "trained").map((t) => t.xaxis),
      Array.from({ length: n }, (_, i) => `x${i + 1}`),
    );
    assert.equal(claimForest(trained, null, { space: "latent" }).data.length, n);
  });

  it("puts each claim's threshold as a dashed vertical line in its own panel, and colours markers by verdict", () => {
    const fig = claimForest(trained, null, { space: "latent" });
    const shapes = fig.layout?.shapes as { x0: number; x1: number; xref: string }[];
    assert.deepEqual(
      shapes.map((s) => [s.xref, s.x0, s.x1]),
      trained.rows.map((r, i) => [`x${i + 1}`, r.threshold, r.threshold]),
    );
    const a = fig.data[0] as { marker: { color: string }; error_x: { array: number[]; arrayminus: number[] } };
    assert.equal(a.marker.color, VERDICT_COLORS.holds);
    const [lo, hi] = trained.rows[0].latent.interval;
    assert.ok(Math.abs(a.error_x.array[0] - (hi - trained.rows[0].latent.value)) < 1e-12);
    assert.ok(Math.abs(a.error_x.arrayminus[0] - (trained.rows[0].latent.value - lo)) < 1e-12);
  });

  it("each panel's range holds the threshold, the values and the intervals", () => {
    const fig = claimForest(trained, null, { space: "latent" });
    trained.rows.forEach((r, i) => {
      const axis = fig.layout?.[`xaxis${i === 0 ? "" : i + 1}`] as { range: [number, number] };
      for (const x of [r.threshold, r.latent.value, ...r.latent.interval])
        assert.ok(x >= axis.range[0] && x <= axis.range[1], `(${r.id}) ${x}`);
    });
  });

  it("leaves out claims without a value in that space (not applicable)", () => {
    const withNa = { ...trained, rows: trained.rows.map((r, i) => (i === 0 ? { ...r, plane: { ...r.plane, value: NaN } } : r)) };
    assert.equal(claimForest(withNa, null, { space: "plane" }).data.length, trained.rows.length - 1);
  });
});

describe("claimSeedForest(perSeed, options)", () => {
  const planted = claimIntervals(construct(), { resamples: 20, seed: 1 });
  const shuffled = claimIntervals(withShuffledConditions(construct(), 4), { resamples: 20, seed: 1 });
  const perSeed = [
    { seed: 7, claims: planted },
    { seed: 8, claims: shuffled },
  ];

  it("draws one marker per seed model in every claim's panel, each coloured by that model's verdict", () => {
    const fig = claimSeedForest(perSeed, { space: "latent" });
    const a = fig.data.filter((t) => t.xaxis === "x1") as { y: string[]; x: number[]; marker: { color: string } }[];
    assert.deepEqual(a.map((t) => t.y[0]).sort(), ["seed 7", "seed 8"]);
    const bySeed = Object.fromEntries(a.map((t) => [t.y[0], t]));
    assert.equal(bySeed["seed 7"].x[0], planted.rows[0].latent.value);
    assert.equal(bySeed["seed 7"].marker.color, VERDICT_COLORS[planted.rows[0].latent.verdict]);
    assert.equal(bySeed["seed 8"].marker.color, VERDICT_COLORS[shuffled.rows[0].latent.verdict]);
    assert.notEqual(bySeed["seed 7"].marker.color, bySeed["seed 8"].marker.color, "the shuffled model's (a) does not hold");
    assert.equal(fig.data.length, 2 * planted.rows.length);
    assert.match(String((fig.layout?.title as { text: string }).text), /over 2 training seeds/);
  });

  it("grows with the number of seeds, and a claim with no value in any model is left out", () => {
    const three = claimSeedForest([...perSeed, { seed: 9, claims: planted }], { space: "latent" });
    assert.ok(Number(three.layout?.height) > Number(claimSeedForest(perSeed, { space: "latent" }).layout?.height));
    const noA = (c: typeof planted) => ({ ...c, rows: c.rows.map((r, i) => (i === 0 ? { ...r, plane: { ...r.plane, value: NaN } } : r)) });
    const fig = claimSeedForest(
      perSeed.map((p) => ({ ...p, claims: noA(p.claims) })),
      { space: "plane" },
    );
    assert.equal(fig.data.length, 2 * (planted.rows.length - 1));
  });
});
