// WebGpuEngine against the CPU engine (one thread, tfjs's cpu backend) on the same batches: the
// same weights after several steps, every step's loss returned exactly once, the same ranking.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../../lib/core/rng";
import { itemEntryConditions } from "../../../lib/data/conditions/conditions";
import { csrFromPairs } from "../../../lib/data/sparse";
import { buildBatch, type SparseBatch } from "../../../lib/model/batch";
import { GradientEngine } from "../../../lib/model/engine";
import { initParams, paramLayout } from "../../../lib/model/parameters";
import { probeAdapter } from "../../../lib/model/webgpu/device";
import { READ_EVERY, WebGpuEngine } from "../../../lib/model/webgpu/engine";
import { LOSS_SLOTS } from "../../../lib/model/webgpu/gpu-cvae";

const dims = { items: 45, conditions: 3, hidden: 21, latentDim: 6 };
const layout = paramLayout(dims);
const USERS = 40;

/** Training batches of 9 rows (the last one shorter) over a random user-item matrix, drawn as training draws them. */
function batches(count: number, seed: number): SparseBatch[] {
  const rng = new Rng(seed);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < USERS; u++) {
    for (let i = 0; i < dims.items; i++) {
      if (rng.random() < 0.2 || i === u % dims.items) {
        us.push(u);
        is.push(i);
      }
    }
  }
  const matrix = csrFromPairs(USERS, dims.items, us, is);
  const itemConditions = csrFromPairs(
    dims.items,
    dims.conditions,
    Array.from({ length: dims.items }, (_, i) => i),
    Array.from({ length: dims.items }, (_, i) => i % dims.conditions),
  );
  const out: SparseBatch[] = [];
  for (let b = 0; b < count; b++) {
    const n = b === count - 1 ? 4 : 9;
    const rows = {
      users: Int32Array.from({ length: n }, () => rng.integer(USERS)),
      conditions: Int32Array.from({ length: n }, () => rng.integer(dims.conditions + 1) - 1),
    };
    const options = { dropout: 0.5, latentDim: dims.latentDim, rng, targetConditions: itemEntryConditions(itemConditions) };
    out.push(buildBatch(matrix, matrix, rows, 0, n, options));
  }
  return out;
}

describe("WebGpuEngine", async () => {
  const probe = await probeAdapter();
  const skip = probe.ok ? false : `no WebGPU adapter here: ${probe.reason}`;

  it("trains as the CPU engine does: weights within 1e-4 after 19 steps, each step's loss returned once", { skip }, async () => {
    await tf.setBackend("cpu");
    const gpu = await WebGpuEngine.create(layout);
    const cpu = await GradientEngine.create(layout, 1, "cpu");
    try {
      initParams(layout, new Rng(3), gpu.buffers.params);
      cpu.buffers.params.set(gpu.buffers.params);
      gpu.load();
      const steps = 2 * READ_EVERY + 3; // reads of full and partial groups of slots
      let gpuLoss = { nllSum: 0, klSum: 0, rows: 0 };
      let cpuLoss = { nllSum: 0, klSum: 0, rows: 0 };
      let earlyRows = 0;
      for (const batch of batches(steps, 5)) {
        const a = await gpu.step(batch, 0.2, 0.003);
        const b = await cpu.step(batch, 0.2, 0.003);
        earlyRows += a.rows;
        gpuLoss = { nllSum: gpuLoss.nllSum + a.nllSum, klSum: gpuLoss.klSum + a.klSum, rows: gpuLoss.rows + a.rows };
        cpuLoss = { nllSum: cpuLoss.nllSum + b.nllSum, klSum: cpuLoss.klSum + b.klSum, rows: cpuLoss.rows + b.rows };
      }
      const rest = await gpu.flush();
      assert.ok(earlyRows < cpuLoss.rows, "the GPU engine returns losses late, not with each step");
      gpuLoss = { nllSum: gpuLoss.nllSum + rest.nllSum, klSum: gpuLoss.klSum + rest.klSum, rows: gpuLoss.rows + rest.rows };
      assert.equal(gpuLoss.rows, cpuLoss.rows);
      assert.ok(Math.abs(gpuLoss.nllSum - cpuLoss.nllSum) < 1e-4 * cpuLoss.nllSum, `nll ${gpuLoss.nllSum} vs ${cpuLoss.nllSum}`);
      assert.ok(Math.abs(gpuLoss.klSum - cpuLoss.klSum) < 1e-3 * Math.max(1, cpuLoss.klSum), `kl ${gpuLoss.klSum} vs ${cpuLoss.klSum}`);
      assert.deepEqual(await gpu.flush(), { nllSum: 0, klSum: 0, rows: 0 });
      await gpu.sync();
      assert.equal(gpu.buffers.adam.step, steps);
      let worst = 0;
      for (let i = 0; i < layout.size; i++) worst = Math.max(worst, Math.abs(gpu.buffers.params[i] - cpu.buffers.params[i]));
      assert.ok(worst < 1e-4, `weights differ by up to ${worst}`);
    } finally {
      await gpu.close();
      await cpu.close();
    }
  });

  it("resumes from host buffers (load) and ranks as the CPU engine does from the same weights", { skip }, async () => {
    await tf.setBackend("cpu");
    const gpu = await WebGpuEngine.create(layout);
    const cpu = await GradientEngine.create(layout, 1, "cpu");
    try {
      initParams(layout, new Rng(8), cpu.buffers.params);
      cpu.buffers.adam.m.fill(0.01);
      cpu.buffers.adam.v.fill(0.02);
      gpu.buffers.params.set(cpu.buffers.params);
      gpu.buffers.adam.m.set(cpu.buffers.adam.m);
      gpu.buffers.adam.v.set(cpu.buffers.adam.v);
      gpu.load();
      await gpu.sync();
      assert.deepEqual(gpu.buffers.adam.v, cpu.buffers.adam.v);
      const batch = { ...batches(1, 9)[0], eps: null };
      const k = 10;
      const a = await gpu.rank(batch, k);
      const b = await cpu.rank(batch, k);
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      assert.ok(same >= a.length - 2, `${same} of ${a.length} ranks agree (float ties may swap a pair)`);
    } finally {
      await gpu.close();
      await cpu.close();
    }
  });

  it("returns every step's rows once over more steps than the loss ring holds, with flushes at odd places", { skip }, async () => {
    const gpu = await WebGpuEngine.create(layout);
    try {
      initParams(layout, new Rng(4), gpu.buffers.params);
      gpu.load();
      const all = batches(LOSS_SLOTS + 11, 6);
      let returned = 0;
      let submitted = 0;
      for (const [i, batch] of all.entries()) {
        returned += (await gpu.step(batch, 0.2, 0.001)).rows;
        submitted += batch.rows;
        if (i === 3 || i === 37) returned += (await gpu.flush()).rows; // partial reads shift the ring's slots
      }
      returned += (await gpu.flush()).rows;
      assert.equal(returned, submitted);
    } finally {
      await gpu.close();
    }
  });

  it("refuses use after close, by name", { skip }, async () => {
    const gpu = await WebGpuEngine.create(layout);
    await gpu.close();
    await assert.rejects(() => gpu.step(batches(1, 1)[0], 0.1, 0.001), /engine: already closed/);
  });
});
