// Latent extraction and recommend on the webgpu backend (this file's process forces
// it; llvmpipe in CI) against the model's own CPU methods, which run on BLAS in a webgpu process
// (gemmFor("webgpu")): the GPU's latents and scores are the CPU's within 1e-5, its lists the CPU's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeUnderConditions, sampleUsers } from "../../lib/analysis/latent";
import { exampleUser, foldInHistory, historyItems, recommend } from "../../lib/analysis/recommend";
import { unscoredTargets } from "../../lib/data/conditions/conditions";
import { csrFromPairs } from "../../lib/data/sparse";
import { chosenBackend } from "../../lib/model/backend";
import { buildBatch } from "../../lib/model/batch";
import { loadBlas } from "../../lib/model/blas";
import { smallDataset, smallModel } from "../helpers/small-model";
import { forceWebGpu } from "../helpers/webgpu";

describe("latent extraction and recommend on the webgpu backend", async () => {
  const skip = await forceWebGpu();
  const ds = smallDataset();
  const model = smallModel(ds, 7);
  const users = sampleUsers(ds, { users: 45, seed: 3 });

  it("encodeUnderConditions gives the CPU's (BLAS) latents within 1e-5, rows in the same order, across batches", { skip }, async () => {
    assert.equal(chosenBackend(), "webgpu");
    const set = await encodeUnderConditions(model, ds, users, 17);
    // Every (user, condition) row encoded on the CPU, one row per latent row.
    const rows = { users: Int32Array.from(set.userOf, (u) => users[u]), conditions: Int32Array.from(set.condition) };
    const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, 0, set.rows, {
      dropout: 0,
      latentDim: 0,
      targetConditions: unscoredTargets(ds.train.matrix),
    });
    const cpu = model.encode(batch);
    assert.equal(cpu.length, set.z.length);
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(cpu[i] - set.z[i]));
    assert.ok(worst <= 1e-5, `largest difference ${worst} (CPU gemm: ${loadBlas().ok ? "BLAS" : "tfjs"})`);
    assert.equal(set.rows, users.length * (ds.conditions.labels.length + 1));
  });

  it("recommend lists the CPU's movies with the CPU's scores within 1e-5, under no condition and under genres", { skip }, async () => {
    const history = foldInHistory(ds, "test", exampleUser(ds, "test"));
    const { items } = historyItems(ds, history);
    const one = csrFromPairs(
      1,
      ds.summary.items,
      items.map(() => 0),
      items,
    );
    for (const condition of [undefined, "Drama", "Comedy"]) {
      const gpu = await recommend(model, ds, history, { condition, n: 15 });
      const cond = condition === undefined ? -1 : ds.conditions.labels.indexOf(condition);
      const batch = buildBatch(one, one, { users: Int32Array.of(0), conditions: Int32Array.of(cond) }, 0, 1, {
        dropout: 0,
        latentDim: 0,
        targetConditions: unscoredTargets(one),
      });
      const scores = model.scores(batch);
      const cpuTop = Array.from(model.rank(batch, 15), (i) => ds.itemMovieIds[i]);
      const itemOf = new Map(Array.from(ds.itemMovieIds, (id, i) => [id, i]));
      gpu.items.forEach((r, k) => {
        const cpuScore = scores[itemOf.get(r.movieId) as number];
        assert.ok(Math.abs(r.score - cpuScore) <= 1e-5 * Math.max(1, Math.abs(cpuScore)), `${condition}: ${r.score} vs ${cpuScore}`);
        // The same movie at each rank, unless two scores tie within float noise.
        const other = scores[itemOf.get(cpuTop[k]) as number];
        assert.ok(r.movieId === cpuTop[k] || Math.abs(other - cpuScore) <= 1e-5, `${condition}, rank ${k + 1}`);
      });
      assert.equal(gpu.items.length, 15);
    }
  });
});
