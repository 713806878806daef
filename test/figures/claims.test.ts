import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimIntervals } from "../../lib/analysis/claims/intervals";
import { claimForest, claimSeedForest, VERDICT_COLORS, wrapWords } from "../../lib/figures/claims";
import { plotlyText } from "../../lib/core/html";
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

describe("forest plots show whole claim names, a model caveat, and a sentence when empty", () => {
  const trained = claimIntervals(construct(), { resamples: 20, seed: 1 });
  type Note = { text: string; yref: string; xshift?: number };
  const names = (fig: ReturnType<typeof claimForest>) =>
    (fig.layout?.annotations as Note[]).filter((a) => a.yref !== "paper").map((a) => a.text.replace(/<br>/g, " "));

  it("every claim's name is shown in full (wrapped, not cut), in both forests", () => {
    const want = trained.rows.map((r) => plotlyText(`(${r.id}) ${r.claim}`));
    assert.ok(
      trained.rows.some((r) => r.claim.length > 60),
      "the real claims include long names",
    );
    assert.deepEqual(names(claimForest(trained, null, { space: "latent" })), want);
    assert.deepEqual(names(claimSeedForest([{ seed: 1, claims: trained }], { space: "latent" })), want);
  });

  it("wraps names at word boundaries and sizes the left margin from the longest line", () => {
    assert.deepEqual(wrapWords("Film-Noir is far from every genre; its nearest are Crime, Drama, Thriller, Mystery", 44), [
      "Film-Noir is far from every genre; its",
      "nearest are Crime, Drama, Thriller, Mystery",
    ]);
    const long = {
      ...trained,
      rows: trained.rows.map((r, i) => (i === 0 ? { ...r, claim: `${"Supercalifragilistic".repeat(3)} is long` } : r)),
    };
    const margin = (f: ReturnType<typeof claimForest>) => (f.layout?.margin as { l: number }).l;
    const short = claimForest(trained, null, { space: "latent" });
    const wide = claimForest(long, null, { space: "latent" });
    assert.ok(margin(wide) > margin(short), `${margin(wide)} > ${margin(short)}`);
    // 60 characters of one word at 11 px need more than 60 * 11 * 0.55 px beside the 72 px of tick labels.
    assert.ok(margin(wide) >= 72 + 60 * 11 * 0.55);
    assert.equal(names(wide)[0], `(a) ${"Supercalifragilistic".repeat(3)} is long`);
  });

  it("a panel grows to hold a name of many lines", () => {
    const many = { ...trained, rows: trained.rows.map((r, i) => (i === 0 ? { ...r, claim: "word ".repeat(60) } : r)) };
    assert.ok(
      Number(claimForest(many, null, { space: "latent" }).layout?.height) >
        Number(claimForest(trained, null, { space: "latent" }).layout?.height),
    );
  });

  it("modelCaveat shows as a red line under the title (escaped) and makes room for it", () => {
    const plain = claimForest(trained, null, { space: "latent", subtitle: "s" });
    const warned = claimForest(trained, null, {
      space: "latent",
      subtitle: "s",
      modelCaveat: "measured on a model that does not beat <popularity>",
    });
    const title = (f: typeof plain) => (f.layout?.title as { text: string }).text;
    assert.doesNotMatch(title(plain), /measured on/);
    assert.match(
      title(warned),
      new RegExp(`color:${VERDICT_COLORS["does not hold"]}">⚠ measured on a model that does not beat &lt;popularity&gt;</span>$`),
    );
    const top = (f: typeof plain) => (f.layout?.margin as { t: number }).t;
    assert.equal(top(warned), top(plain) + 20);
    const seeds = claimSeedForest([{ seed: 1, claims: trained }], { space: "latent", modelCaveat: "not better than popularity" });
    assert.match(title(seeds), /⚠ not better than popularity/);
  });

  it("a forest with no claim to show is a sentence, not empty axes", () => {
    const none = { ...trained, rows: trained.rows.map((r) => ({ ...r, plane: { ...r.plane, value: NaN } })) };
    const fig = claimForest(none, null, { space: "plane" });
    assert.deepEqual(fig.data, []);
    assert.match(String((fig.layout?.meta as { empty: string }).empty), /^No claim has a value in /);
    assert.equal((fig.layout?.xaxis as { visible: boolean }).visible, false);
  });
});
