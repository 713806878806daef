import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";

process.env.CVAE_DATA_DIR = tempDir("recovery-");

import {
  conditionCentroidPairs,
  contextRecovery,
  dataGenreLift,
  type GenreLift,
  liftAgreement,
  liftNull,
  liftPanels,
  plantedGenreLift,
  recoveryTable,
} from "../../lib/analysis/context-recovery";
import type { LatentSet } from "../../lib/analysis/latent";
import { sampleUsers } from "../../lib/analysis/latent";
import { prepareDataset } from "../../lib/data/datasets";
import { loadGroundTruth } from "../../lib/data/synthetic/planted";
import { SYNTH_PRESETS, writeSynthetic } from "../../lib/data/synthetic/synth";
import { initBackend } from "../../lib/model/backend";
import { train } from "../../lib/train/loop";
import { smallDataset } from "../helpers/small-model";
import { tempDir } from "../helpers/temp";

const lift = (rows: number[][]): GenreLift => ({ labels: rows.map((_, c) => `c${c}`), genres: rows[0].map((_, g) => `g${g}`), lift: rows });

describe("liftAgreement(a, b)", () => {
  it("is 1 for identical lifts and -1 for inverted ones (limit cases), per condition too", () => {
    const a = lift([
      [2, 0.5, 1, 4],
      [0.25, 3, 1.5, 1],
    ]);
    assert.equal(liftAgreement(a, a).pooled, 1);
    assert.deepEqual(liftAgreement(a, a).perCondition, { c0: 1, c1: 1 });
    const inverted = lift(a.lift.map((row) => row.map((v) => 1 / v)));
    assert.ok(Math.abs(liftAgreement(a, inverted).pooled + 1) < 1e-12);
    assert.equal(liftAgreement(a, a).cells, 8);
  });

  it("ignores a constant factor per condition (each condition's log-lifts are centred)", () => {
    const a = lift([
      [2, 0.5, 1, 4],
      [0.25, 3, 1.5, 1],
    ]);
    const scaled = lift([a.lift[0].map((v) => 10 * v), a.lift[1].map((v) => 0.1 * v)]);
    assert.equal(liftAgreement(a, scaled).pooled, 1);
  });

  it("leaves out cells either lift lacks, and refuses lifts over other conditions or genres", () => {
    const a = lift([[2, NaN, 1, 4]]);
    assert.equal(liftAgreement(a, lift([[1, 2, 3, 5]])).cells, 3);
    assert.throws(() => liftAgreement(a, lift([[1, 2, 3]])), /same conditions and genres/);
  });
});

describe("dataGenreLift(ds) and plantedGenreLift(ds, truth)", () => {
  it("is 1 for every genre when the conditions are the genres' own complement (a genre set: lift of g under g is 1 / share(g))", () => {
    const ds = smallDataset();
    const l = dataGenreLift(ds);
    const g = l.genres.indexOf("Drama");
    const c = ds.conditions.labels.indexOf("Drama");
    // Every interaction under condition Drama has a Drama item: share 1, so the lift is 1 / (overall share of Drama).
    const t = ds.train.matrix;
    let drama = 0;
    let labels = 0;
    const G = ds.itemGenres;
    const d = ds.genres.indexOf("Drama");
    for (const item of t.indices)
      for (let j = G.indptr[item]; j < G.indptr[item + 1]; j++) {
        labels++;
        if (G.indices[j] === d) drama++;
      }
    let underDrama = 0;
    let dramaUnderDrama = 0;
    for (const item of t.indices) {
      const gs = Array.from(G.indices.subarray(G.indptr[item], G.indptr[item + 1]));
      if (!gs.includes(d)) continue;
      underDrama += gs.length;
      dramaUnderDrama++;
    }
    assert.ok(Math.abs(l.lift[c][g] - dramaUnderDrama / underDrama / (drama / labels)) < 1e-12);
  });

  it("has no planted lift on real data or for item kinds", () => {
    const ds = smallDataset({ conditions: "daypart" });
    assert.equal(plantedGenreLift(ds, null), null);
    assert.equal(plantedGenreLift(smallDataset(), null), null);
  });
});

describe("liftNull(a, b, options)", () => {
  it("gives a null band around 0 for a lift against itself shuffled, with the smallest p when it is identical", () => {
    const rng = (s: number) => () => (s = (s * 16807) % 2147483647) / 2147483647;
    const draw = rng(7);
    const a = lift(Array.from({ length: 4 }, () => Array.from({ length: 16 }, () => Math.exp(2 * draw() - 1))));
    const n = liftNull(a, a, { permutations: 99, seed: 3 });
    assert.equal(n.pValue, 0.01);
    assert.ok(n.interval[0] < 0 && n.interval[1] > 0 && n.interval[1] < 0.6, JSON.stringify(n.interval));
    assert.throws(() => liftNull(a, a, { permutations: 10, seed: 1 }), /permutations must be an integer >= 39/);
  });
});

describe("conditionCentroidPairs(set, planted)", () => {
  it("gives each pair's centroid distance beside its planted distance", () => {
    // Two users, dims 2: condition 0 rows at (0,0) and (2,0), condition 1 rows at (0,3) and (2,3).
    const set = {
      conditions: ["x", "y"],
      dims: 2,
      rows: 6,
      condition: Int32Array.from([-1, -1, 0, 0, 1, 1]),
      z: Float32Array.from([9, 9, 9, 9, 0, 0, 2, 0, 0, 3, 2, 3]),
    } as unknown as LatentSet;
    assert.deepEqual(
      conditionCentroidPairs(set, {
        labels: ["y", "x"],
        distances: [
          [0, 7],
          [7, 0],
        ],
      }),
      [{ a: "x", b: "y", latent: 3, planted: 7 }],
    );
    assert.deepEqual(conditionCentroidPairs(set, null), []);
  });
});

describe("contextRecovery on synthetic-tiny conditioned on dayparts (the planted effect)", () => {
  let recovery: Awaited<ReturnType<typeof contextRecovery>>;
  before(async () => {
    await initBackend({ log: false });
    const folder = join(process.env.CVAE_DATA_DIR as string, "raw", "synthetic-tiny");
    await writeSynthetic(folder, SYNTH_PRESETS["synthetic-tiny"]);
    const { dataset: ds } = await prepareDataset(folder, { conditions: "daypart", name: "tiny-daypart" });
    // The quick preset's schedule at the default architecture, as notebook 06 trains it.
    const r = await train(
      { dataset: ds.name, run: "tiny-daypart", epochs: 5, beta: { kind: "fixed", value: 0.008 } },
      { dataset: ds, handleSignals: false },
    );
    recovery = await contextRecovery(r.model, ds, sampleUsers(ds, { users: 300, seed: 1 }), loadGroundTruth(folder));
  });

  it("finds the planted lift in the data (Spearman > 0.9): the generator plants what it says", () => {
    assert.ok((recovery.dataVsPlanted?.pooled ?? 0) > 0.9, JSON.stringify(recovery.dataVsPlanted));
  });

  it("recovers it in the trained model's lists (Spearman > 0.7), beyond the genre-permutation null and the untrained twin", () => {
    const trained = recovery.modelVsPlanted?.pooled ?? NaN;
    const chance = recovery.untrainedVsPlanted?.pooled ?? NaN;
    const band = recovery.modelVsPlantedNull;
    assert.ok(trained > 0.7, `trained ${trained}`);
    assert.ok(band && band.pValue <= 0.01 && trained > band.interval[1], JSON.stringify(band));
    assert.ok(trained - chance > 0.3, `trained ${trained}, untrained ${chance}`);
  });

  it("tabulates the comparisons and draws planted, data and model lifts", () => {
    assert.deepEqual(
      recoveryTable(recovery).map((r) => String(r.comparison).replace(/ \(genres shuffled.*$/, "")),
      ["data vs planted (what the data hold)", "model vs planted", "untrained model vs planted (chance)", "model vs data"],
    );
    assert.deepEqual(
      liftPanels(recovery).map((p) => p.name),
      ["planted", "data", "model"],
    );
  });
});
