import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { genreCooccurrence, interactionsPerGenre } from "../../../lib/data/conditions/genres";
import { readMovieLens } from "../../../lib/data/movielens/movielens";
import { preprocess } from "../../../lib/data/protocol/preprocess";
import {
  claimsInputFor,
  claimTable,
  claimVerdicts,
  type ClaimsInput,
  fitLatentPcas,
  measureClaims,
  missingTruthReason,
  savePcas,
} from "../../../lib/analysis/claims/claims";
import { encodeUnderConditions, type LatentSet } from "../../../lib/analysis/latent";
import { smallDataset, smallModel } from "../../helpers/small-model";
import { LatentPca } from "../../../lib/analysis/pca";
import { CLAIM_THRESHOLDS, claimThresholds } from "../../../lib/analysis/claims/rules";
import type { GroundTruth } from "../../../lib/data/synthetic/planted";
import { CLAIM_IDS, construct, DIMS, GENRES, LAYOUT, NEUTRAL, USERS } from "../../helpers/claims-construction";
import { tempDir } from "../../helpers/temp";

function holdsBoth(result: ReturnType<typeof measureClaims>): Record<string, [boolean | null, boolean | null]> {
  return Object.fromEntries(result.rows.map((r) => [r.id, [r.latent.holds, r.plane.holds]]));
}

describe("measureClaims(input) on a construction where every claim holds", () => {
  const input = construct();
  const result = measureClaims(input);

  it("measureClaims measures claims a, b, c1, c2, c3, d, e, f, g1, g2 in that order", () => {
    assert.deepEqual(
      result.rows.map((r) => r.id),
      CLAIM_IDS,
    );
  });

  it("every claim holds in the latent space and in the PC2 x PC5 plane", () => {
    for (const r of result.rows) {
      assert.equal(r.latent.holds, true, `(${r.id}) latent: ${r.latent.text}`);
      assert.equal(r.plane.holds, true, `(${r.id}) plane: ${r.plane.text}`);
    }
  });

  it("the plane PCA's PC2 and PC5 span the map plane (dims 1 and 4), and PC1 of all rows is the neutral dim 5", () => {
    const { loadings } = result.pcaPlane.toJSON();
    for (const k of [1, 4]) assert.ok(loadings[k][1] ** 2 + loadings[k][4] ** 2 > 0.999, `PC${k + 1}: ${loadings[k]}`);
    assert.ok(result.pcaAll.toJSON().loadings[0][5] > 0.999);
    assert.equal(result.planeName, 'PC2 x PC5 (PCA without "(no genres listed)")');
  });

  it("the measured values follow the map: c1 = 2.24 / 7.62 and c2 = 1.0 (by hand from LAYOUT, +- centroid noise)", () => {
    const byId = Object.fromEntries(result.rows.map((r) => [r.id, r]));
    // c1: max(d(War,Drama), d(War,Romance)) = sqrt(5); min(d(War,Children), d(War,Animation)) = sqrt(58).
    // The centroids carry noise of about 0.15 / sqrt(60) = 0.02 per dim; tolerance 0.02.
    for (const s of ["latent", "plane"] as const) {
      assert.ok(Math.abs(byId.c1[s].value - Math.sqrt(5) / Math.sqrt(58)) < 0.02, `c1 ${s} ${byId.c1[s].value}`);
      assert.ok(Math.abs(byId.c2[s].value - 1) < 0.02, `c2 ${s} ${byId.c2[s].value}`);
      assert.equal(byId.c3[s].value, 6);
      assert.ok(byId.d[s].value < -0.99);
      assert.equal(byId.f[s].value, 1);
    }
    assert.match(byId.e.latent.text, /^nearest (Crime, Mystery|Mystery, Crime), Thriller, Horror; isolation rank 1$/);
  });

  it("measureClaims gives the same rows with PCAs fitted beforehand by fitLatentPcas", () => {
    const again = measureClaims({ ...input, pcas: fitLatentPcas(input.set) });
    assert.deepEqual(again.rows, result.rows);
  });

  it("measureClaims throws when the plane needs more components than the given PCAs kept", () => {
    assert.throws(() => measureClaims({ ...input, plane: [2, 6], pcas: fitLatentPcas(input.set, 5) }), /PC6 but the PCA kept 5/);
  });

  it("measureClaims honours the plane option: on PC1 x PC3 (the cross of unconditioned rows) the genres do not cluster", () => {
    const other = measureClaims({ ...input, plane: [1, 3] });
    assert.equal(other.planeName, 'PC1 x PC3 (PCA without "(no genres listed)")');
    const a = other.rows[0];
    assert.equal(a.latent.holds, true);
    assert.equal(a.plane.holds, false, a.plane.text);
  });

  it("claimVerdicts flattens the verdicts to claim_<id>_latent and claim_<id>_plane, in claim order", () => {
    const v = claimVerdicts(result);
    assert.deepEqual(
      Object.keys(v),
      CLAIM_IDS.flatMap((id) => [`claim_${id}_latent`, `claim_${id}_plane`]),
    );
    for (const r of result.rows) assert.deepEqual([v[`claim_${r.id}_latent`], v[`claim_${r.id}_plane`]], [r.latent.holds, r.plane.holds]);
  });

  it("measureClaims without ground truth has no g2 row", () => {
    const rows = measureClaims({ ...input, truth: null }).rows;
    assert.deepEqual(
      rows.map((r) => r.id),
      CLAIM_IDS.slice(0, -1),
    );
  });
});

describe("measureClaims(input) on constructions that violate claims", () => {
  // Each change flips the claims listed, in both spaces, and leaves every other claim holding.
  // Moves keep the map elongated (so PC2 x PC5 is still the map plane).
  const base = construct();
  const cases: { name: string; input: ClaimsInput; flips: string[] }[] = [
    { name: "War next to Children (-4.5, -1.8)", input: construct({ layout: { ...LAYOUT, War: [-4.5, -1.8] } }), flips: ["c1"] },
    { name: "Horror next to Western (-4, 5.5)", input: construct({ layout: { ...LAYOUT, Horror: [-4, 5.5] } }), flips: ["c2"] },
    // Mystery is one of Film-Noir's expected neighbours too, so (e) goes with (c3).
    {
      name: "Mystery moved to the light side (-3, 1.5)",
      input: construct({ layout: { ...LAYOUT, Mystery: [-3, 1.5] } }),
      flips: ["c3", "e"],
    },
    {
      name: "Film-Noir mirrored to the light side (-8, 0)",
      input: construct({ layout: { ...LAYOUT, "Film-Noir": [-8, 0] } }),
      flips: ["e"],
    },
    { name: "the neutral genre among the others (0.5 on dim 5)", input: construct({ neutral: [0, 0, 0, 0, 0, 0.5] }), flips: ["b"] },
    { name: "the unconditioned centroid shifted by 5 on dim 1", input: construct({ noConditionShift: 5 }), flips: ["f"] },
    {
      name: "popularity increasing with the distance from the centre",
      input: { ...base, popularity: Object.fromEntries(Object.entries(base.popularity).map(([g, p]) => [g, -p])) },
      flips: ["d"],
    },
    {
      name: "co-occurrence and planted distances reversed",
      input: {
        ...base,
        cooccurrence: { ...base.cooccurrence, jaccard: base.cooccurrence.jaccard.map((row) => row.map((j) => 1 - j)) },
        truth: { ...(base.truth as GroundTruth), distances: (base.truth as GroundTruth).distances.map((row) => row.map((d) => 100 - d)) },
      },
      flips: ["g1", "g2"],
    },
  ];
  for (const c of cases) {
    it(`${c.name} flips ${c.flips.join(" and ")} to false and leaves the other claims holding`, () => {
      const got = holdsBoth(measureClaims(c.input));
      for (const id of CLAIM_IDS) assert.deepEqual(got[id], c.flips.includes(id) ? [false, false] : [true, true], `(${id})`);
    });
  }

  it("noise of 3 around every centre (20 x more) makes the genre clusters fail (a) in both spaces", () => {
    const a = measureClaims(construct({ sigma: 3 })).rows[0];
    assert.equal(a.id, "a");
    assert.deepEqual([a.latent.holds, a.plane.holds], [false, false]);
    assert.ok(a.latent.value < 0.25 && a.plane.value < 0.25);
  });
});

describe("measureClaims(input) with genres missing from the data", () => {
  it("claims about absent genres are 'not applicable' in both spaces, naming the genres; the others are measured", () => {
    const genres = GENRES.filter((g) => ![NEUTRAL, "War", "Film-Noir"].includes(g));
    const input = construct({ genres });
    const result = measureClaims(input);
    const byId = Object.fromEntries(result.rows.map((r) => [r.id, r]));
    for (const id of ["b", "c1", "e"]) {
      for (const s of ["latent", "plane"] as const) {
        assert.equal(byId[id][s].holds, null, `(${id}) ${s}`);
        assert.match(byId[id][s].text, /^not applicable: /);
        assert.ok(Number.isNaN(byId[id][s].value));
      }
    }
    assert.match(byId.b.rule, /not applicable: the data set has no "\(no genres listed\)" genre/);
    assert.equal(byId.c1.latent.text, "not applicable: War absent");
    assert.equal(byId.e.plane.text, "not applicable: Film-Noir absent");
    for (const id of ["a", "c2", "c3", "d", "f", "g1", "g2"]) assert.equal(byId[id].latent.holds, true, `(${id}) ${byId[id].latent.text}`);
    const table = claimTable(result);
    assert.deepEqual(
      table.filter((r) => r["verdict (latent)"] === "not applicable").map((r) => r.claim.slice(0, 4)),
      ["(b) ", "(c1)", "(e) "],
    );
  });
});

describe("fitLatentPcas(set, components)", () => {
  it("fitLatentPcas fits the plane PCA on every row except the neutral genre's, and the other on all rows", () => {
    const { set } = construct();
    const pcas = fitLatentPcas(set);
    const neutral = set.conditions.indexOf(NEUTRAL);
    assert.equal(pcas.planeRows.length, set.rows - USERS);
    assert.deepEqual(
      Array.from(pcas.planeRows),
      Array.from({ length: set.rows }, (_, r) => r).filter((r) => set.condition[r] !== neutral),
    );
    assert.deepEqual(pcas.plane.toJSON(), LatentPca.fit(set.z, DIMS, { components: 5, rows: pcas.planeRows }).toJSON());
    assert.deepEqual(pcas.all.toJSON(), LatentPca.fit(set.z, DIMS, { components: 5 }).toJSON());
    assert.equal(pcas.plane.toJSON().rows, set.rows - USERS);
    assert.equal(pcas.all.toJSON().rows, set.rows);
    assert.equal(fitLatentPcas(set, 3).plane.components, 3);
  });

  it("fitLatentPcas keeps every row in the plane PCA when there is no neutral genre", () => {
    const { set } = construct({ genres: GENRES.filter((g) => g !== NEUTRAL) });
    const pcas = fitLatentPcas(set);
    assert.equal(pcas.planeRows.length, set.rows);
    assert.deepEqual(pcas.plane.toJSON(), pcas.all.toJSON());
  });
});

describe("claimTable(result)", () => {
  it("claimTable has one row per claim with holds / does not hold marks for both spaces", () => {
    const base = construct();
    const violated = measureClaims(construct({ layout: { ...LAYOUT, War: [-4.5, -1.8] } }));
    const table = claimTable(violated);
    assert.equal(table.length, violated.rows.length);
    assert.deepEqual(Object.keys(table[0]), ["claim", "rule", "latent space", "verdict (latent)", violated.planeName, "verdict (plane)"]);
    table.forEach((row, i) => {
      const r = violated.rows[i];
      assert.equal(row.claim, `(${r.id}) ${r.claim}`);
      assert.equal(row.rule, r.rule);
      assert.equal(row["latent space"], r.latent.text);
      assert.equal(row[violated.planeName], r.plane.text);
      const want = r.id === "c1" ? "does not hold" : "holds";
      assert.equal(row["verdict (latent)"], want, `(${r.id}) latent`);
      assert.equal(row["verdict (plane)"], want, `(${r.id}) plane`);
    });
    assert.equal(claimTable(measureClaims(base)).length, CLAIM_IDS.length);
  });
});

describe("savePcas(dir, pcas, sample)", () => {
  it("savePcas writes latent-pca.json that LatentPca.load reads back into the same models", () => {
    const { set } = construct();
    const pcas = fitLatentPcas(set);
    const dir = tempDir("cvae-claims-");
    try {
      const path = savePcas(dir, pcas, { users: 60, seed: 7 });
      assert.equal(path, join(dir, "latent-pca.json"));
      const json = JSON.parse(readFileSync(path, "utf8")) as { sample: unknown; all: unknown; plane: unknown };
      assert.deepEqual(json.sample, { users: 60, seed: 7 });
      const all = LatentPca.load(json.all);
      const plane = LatentPca.load(json.plane);
      assert.deepEqual(all.transform(set.z), pcas.all.transform(set.z));
      assert.deepEqual(plane.transform(set.z), pcas.plane.transform(set.z));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("claimsInputFor(ds, set, pcas)", () => {
  it(
    "takes popularity from the positive interactions per genre, " + "co-occurrence from the catalogue, and no ground truth for real data",
    () => {
      const ds = preprocess(readMovieLens(join(__dirname, "..", "..", "fixtures", "ml-small")), "ml-small");
      const input = claimsInputFor(ds, construct().set);
      assert.deepEqual(input.popularity, Object.fromEntries(interactionsPerGenre(ds).map((g) => [g.genre, g.count])));
      assert.deepEqual(input.cooccurrence, genreCooccurrence(ds.movies));
      assert.equal(input.truth, null);
      assert.equal(input.pcas, undefined);
    },
  );
});

describe("claim (g2) on synthetic data whose planted truth is missing", () => {
  const real = preprocess(readMovieLens(join(__dirname, "..", "..", "fixtures", "ml-small")), "ml-small");
  /** The fixture as a synthetic set read from `folder` (which holds no ground-truth.json unless a test writes one). */
  const syntheticIn = (folder: string) => ({ ...real, source: { ...real.source, synthetic: true, folder } });

  it("is shown as not measured, naming the missing ground-truth.json and the synth command that regenerates it", (t) => {
    const data = tempDir("truth-data-");
    const before = process.env.CVAE_DATA_DIR;
    process.env.CVAE_DATA_DIR = data;
    t.after(() => (before === undefined ? delete process.env.CVAE_DATA_DIR : (process.env.CVAE_DATA_DIR = before)));
    const folder = join(data, "raw", "synthetic-tiny");
    mkdirSync(folder, { recursive: true });
    const result = measureClaims(claimsInputFor(syntheticIn(folder), construct().set));
    const g2 = result.rows.find((r) => r.id === "g2");
    const file = join(folder, "ground-truth.json");
    assert.ok(g2, "the g2 row is there, not dropped");
    assert.equal(
      g2.rule,
      `not measured: the planted truth ${file} is missing; regenerate it with \`npx cvae data synth synthetic-tiny --force\``,
    );
    assert.deepEqual([g2.latent.text, g2.latent.holds, g2.plane.text, g2.plane.holds], [g2.rule, null, g2.rule, null]);
    assert.equal(claimTable(result).at(-1)?.["verdict (latent)"], "not applicable");
  });

  it("names the preset as <preset> when the set's folder is not named after one", () => {
    assert.match(missingTruthReason("/elsewhere/my-set"), /ground-truth\.json is missing; `npx cvae data synth <preset> --force` /);
  });

  it("tells a source outside the data folder to copy the regenerated file from the data folder's raw/<preset>/", () => {
    const folder = join(tempDir("truth-copy-"), "synthetic-tiny");
    assert.equal(
      missingTruthReason(folder),
      `not measured: the planted truth ${join(folder, "ground-truth.json")} is missing; ` +
        "`npx cvae data synth synthetic-tiny --force` regenerates it in the data folder's raw/synthetic-tiny/: copy it from there",
    );
  });

  it("is measured again once ground-truth.json is back, and real data still has no g2 row", () => {
    const folder = tempDir("truth-");
    writeFileSync(join(folder, "ground-truth.json"), JSON.stringify(construct().truth));
    const input = claimsInputFor(syntheticIn(folder), construct().set);
    assert.equal(input.truthMissing, null);
    assert.ok(Number.isFinite(measureClaims(input).rows.find((r) => r.id === "g2")?.latent.value));
    assert.equal(claimsInputFor(real, construct().set).truthMissing, null);
  });
});

describe("measureClaims(input) with a value that cannot be measured", () => {
  it("gives no verdict to a claim without a value (a silhouette of one user): holds is null, not false", () => {
    const rows = measureClaims({ ...construct(), silhouetteUsers: 1 }).rows;
    const a = rows.find((r) => r.id === "a");
    assert.ok(a && Number.isNaN(a.latent.value) && Number.isNaN(a.plane.value));
    assert.deepEqual([a.latent.text, a.latent.holds, a.plane.holds], ["n/a", null, null]);
    assert.ok(
      rows.filter((r) => r.id !== "a").every((r) => r.latent.holds === true),
      "the measurable claims keep their verdicts",
    );
  });
});

describe("measureClaims(input) on a latent space smaller than the plotted plane", () => {
  it("fits as many components as there are dimensions and marks the plane's measurements n/a", () => {
    const input = construct();
    const small: LatentSet = {
      ...input.set,
      dims: 4,
      z: Float32Array.from({ length: input.set.rows * 4 }, (_, i) => input.set.z[Math.floor(i / 4) * input.set.dims + (i % 4)]),
    };
    const result = measureClaims({ ...input, set: small });
    assert.equal(result.pcaPlane.components, 4);
    assert.match(result.planeName, /n\/a: the latent space has 4 dimensions/);
    for (const r of result.rows.filter((x) => x.id !== "b")) assert.equal(r.plane.holds, null, r.id);
    assert.ok(
      result.rows.some((r) => r.latent.holds !== null),
      "the latent space is still measured",
    );
  });
});

describe("claim thresholds", () => {
  it("claimThresholds gives every claim its documented threshold, with a reason for each", () => {
    const t = claimThresholds();
    for (const id of CLAIM_IDS) {
      assert.equal(t[id as keyof typeof t], CLAIM_THRESHOLDS[id as keyof typeof CLAIM_THRESHOLDS].value);
      assert.ok(CLAIM_THRESHOLDS[id as keyof typeof CLAIM_THRESHOLDS].reason.length > 20, `(${id}) has a reason`);
    }
    assert.deepEqual([t.a, t.d, t.g2], [0.25, -0.3, 0.5]);
  });

  it("claimThresholds applies overrides and rejects unknown claims and non-finite values, naming them", () => {
    assert.equal(claimThresholds({ a: 0.5 }).a, 0.5);
    assert.throws(() => claimThresholds({ z: 1 }), /thresholds: unknown claim "z"; claims: a, b, c1/);
    assert.throws(() => claimThresholds({ a: NaN }), /claim "a" needs a finite number, got NaN/);
  });

  it("a changed threshold changes the verdict, the rule's text and the row's threshold, and nothing else", () => {
    const base = measureClaims(construct());
    const strict = measureClaims({ ...construct(), thresholds: { a: 0.8 } });
    const a = strict.rows[0];
    assert.equal(base.rows[0].latent.holds, true); // silhouette 0.748 > 0.25
    assert.equal(a.latent.holds, false); // but not > 0.8
    assert.equal(a.latent.value, base.rows[0].latent.value);
    assert.match(a.rule, /> 0\.8$/);
    assert.equal(a.threshold, 0.8);
    assert.deepEqual(
      strict.rows.slice(1).map((r) => [r.latent.holds, r.plane.holds]),
      base.rows.slice(1).map((r) => [r.latent.holds, r.plane.holds]),
    );
  });
});

describe("measureClaims(input) on other condition kinds", () => {
  it("marks the claims about named genres not applicable for a decade model and measures the generic ones, worded for decades", () => {
    const input = construct();
    const result = measureClaims({ ...input, set: { ...input.set, kind: "decade" } });
    for (const row of result.rows) {
      if (["b", "c1", "c2", "c3", "e"].includes(row.id)) {
        assert.match(row.rule, /^not applicable: a claim about named genres; this model is conditioned on decades$/, row.id);
        assert.equal(row.latent.holds, null);
      } else assert.notEqual(row.latent.holds, null, row.id);
    }
    assert.equal(result.rows.find((r) => r.id === "a")?.claim, "Conditioned latents cluster by decade");
    assert.equal(result.rows.find((r) => r.id === "g1")?.claim, "Decade distances follow co-occurrence");
  });

  it("gives n/a for the rank correlations when there are fewer than 3 points (2 week parts are 1 pair)", async () => {
    const ds = smallDataset({ conditions: "weekday" });
    const latents = await encodeUnderConditions(
      smallModel(ds, 5),
      ds,
      Int32Array.from({ length: 60 }, (_, i) => i),
    );
    const rows = measureClaims(claimsInputFor(ds, latents)).rows;
    assert.match(rows.find((r) => r.id === "g1")?.latent.text ?? "", /^n\/a: 1 pair, too few to correlate$/);
    assert.match(rows.find((r) => r.id === "d")?.latent.text ?? "", /^n\/a: 2 conditions, too few to correlate$/);
    assert.ok(Number.isFinite(rows.find((r) => r.id === "a")?.latent.value));
    assert.equal(
      rows.find((r) => r.id === "g2"),
      undefined,
      "real data: no planted geometry",
    );
  });
});
